"""The county map of 总览, 县区对比 and the briefing: each unit of a comparison (tuoyu.comparison)
filled by its target status (DESIGN §4.2) — or, where the plan sets the units no target, by
whether it is above the average — or by its 每千人口托位数 in five classes.

Drawn as GeoJSON shapes carried in the chart itself (Vega-Lite geoshapes in a Mercator
projection; no base map, no tiles, no map fonts), so that it needs nothing from the network
in the browser or in the briefing's image. Regions without
boundaries (townships, codes the boundary package does not know) get no map: notice()
says so in one line."""

import altair as alt
import numpy as np
import pandas as pd

from . import boundaries, charts, comparison, fmt

STATUS, VALUE = "status", "value"
MODES = {STATUS: "目标状态", VALUE: "每千人口托位数"}
VALUE_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")   # light (low) → dark (high)
NO_DATA_COLOUR = "#e9ecef"
LABELLED_UNITS = 20      # names written on the map up to this many units (else the selected one only)
CODE = "slots_per_1000"


def outlines(view: comparison.View) -> dict:
    """The units' outlines, by code. Asked for by the sorted codes: the units come ordered by
    their figures, which change with the period, and the outlines (cached per set of codes)
    were read and simplified again for every period (60% of an uncached 县区对比 福建)."""
    return boundaries.outlines(tuple(sorted(view.units["code"]))) if not view.units.empty else {}


NAMES_LISTED = 10   # a notice names this many units left off the map, then counts them


def notice(view: comparison.View, shapes: dict) -> str | None:
    """One line when the map cannot be drawn, or leaves units out (the first NAMES_LISTED by
    name, then how many: a national map can leave out hundreds); None when all are drawn."""
    if view.units.empty:
        return None
    missing = [n for c, n in zip(view.units["code"], view.units["name"]) if c not in shapes]
    if len(missing) == len(view.units):
        return f"{view.units_word}暂无边界数据（地图只含县级及以上区划），不显示地图。"
    if len(missing) > NAMES_LISTED:
        return (f"{'、'.join(missing[:NAMES_LISTED])}等{len(missing)}个{view.units_word}无边界数据，"
                f"未画入地图。")
    if missing:
        return f"以下{view.units_word}无边界数据，未画入地图：{'、'.join(missing)}。"
    return None


def value_classes(values: list[float]) -> list[tuple[float, float]]:
    """Up to five classes of equal count (quantiles) over the values, as (low, high)."""
    ordered = sorted(values)
    n = min(len(VALUE_COLOURS), len(set(ordered)))
    if n == 0:
        return []
    edges = [ordered[min(len(ordered) - 1, round(i * (len(ordered) - 1) / n))] for i in range(n + 1)]
    return [(lo, hi) for lo, hi in zip(edges, edges[1:])] if n > 1 else [(ordered[0], ordered[-1])]


def _classify(view: comparison.View, mode: str) -> tuple[list[str], dict[str, str]]:
    """Each unit's legend entry, and the entries' colours in legend order."""
    u = view.units
    if mode == VALUE:
        values = [float(v) for v in u[CODE] if v is not None]
        classes = value_classes(values)
        labels = [f"{fmt.number(lo)}–{fmt.number(hi)}" for lo, hi in classes]
        entries = []
        for v in u[CODE]:
            if v is None:
                entries.append(fmt.NO_DATA)
            else:
                entries.append(next(lab for lab, (lo, hi) in zip(labels, classes) if v <= hi or lab == labels[-1]))
        colours = dict(zip(labels, VALUE_COLOURS[-len(labels):] if len(labels) < len(VALUE_COLOURS) else VALUE_COLOURS))
        return entries, colours | {fmt.NO_DATA: NO_DATA_COLOUR}
    column, colours = comparison.colouring(view)
    colours = colours or charts.STATUS_BAR_COLOURS
    fallback = charts.NO_TARGET if column == "status" else fmt.NO_DATA
    return [v or fallback for v in u[column]], colours | {fmt.NO_DATA: NO_DATA_COLOUR}


def _clockwise(ring) -> np.ndarray:
    """A ring as the map's projection (d3-geo, spherical) reads an outer ring: clockwise; the
    other way round it would mean all the globe outside the unit. An array of (lon, lat) rows:
    Altair writes a NumPy number out as it is, where it checks every plain float against its
    schema's protocol (110 ms of 福建's map, 23 ms so)."""
    turn = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    points = np.asarray(ring, dtype=float)
    return points[::-1] if turn > 0 else points


FEATURES = "units"   # the chart's dataset of GeoJSON features, one per unit drawn


def figure(view: comparison.View, shapes: dict, mode: str = STATUS) -> alt.LayerChart:
    """The units with boundaries, filled by their legend entry (_classify), white borders,
    the selected unit outlined; names written at each unit's centre for up to
    LABELLED_UNITS units (else the selected one's only). GeoJSON in the chart itself: no
    base map, no tiles, nothing fetched."""
    entries, colours = _classify(view, mode)
    u = view.units.assign(_entry=entries)
    u = u[u["code"].isin(list(shapes))]
    present = [e for e in colours if e in set(u["_entry"])]   # one legend entry per colour drawn
    hover = {c: f"{n}：{e} · {fmt.value(CODE, v)}" for c, n, e, v in zip(u["code"], u["name"], u["_entry"], u[CODE])}
    features = []
    # the selected unit last: its outline drawn over its neighbours' borders
    for row in sorted(u.to_dict("records"), key=lambda r: r["code"] == view.focus):
        focus = row["code"] == view.focus
        features.append({
            "type": "Feature",
            "geometry": {"type": "MultiPolygon", "coordinates": [[_clockwise(r)] for r in shapes[row["code"]].rings]},
            "properties": {"code": row["code"], "name": row["name"], charts.SERIES: row["_entry"],
                           "hover": hover[row["code"]],
                           "stroke": "#222" if focus else "white", "stroke_width": 3 if focus else 1},
        })
    # a tooltip on every mark (the page's charts show one unless told otherwise), the same on a name
    layers = [alt.Chart(alt.Data(name=FEATURES)).mark_geoshape().encode(
        color=alt.Color(f"properties.{charts.SERIES}:N", legend=alt.Legend(symbolType="square"),
                        scale=alt.Scale(domain=present, range=[colours[e] for e in present])),
        stroke=alt.Stroke("properties.stroke:N", scale=None),
        strokeWidth=alt.StrokeWidth("properties.stroke_width:Q", scale=None),
        tooltip=alt.Tooltip("properties.hover:N"))]
    labelled = u if len(u) <= LABELLED_UNITS else u[u["code"] == view.focus]
    if not labelled.empty:
        names = pd.DataFrame({
            "name": labelled["name"], "lon": [shapes[c].centre[0] for c in labelled["code"]],
            "lat": [shapes[c].centre[1] for c in labelled["code"]],
            "weight": [charts.marked(n, c, view.focus) for n, c in zip(labelled["name"], labelled["code"])],
            "hover": [hover[c] for c in labelled["code"]]})
        layers.append(alt.Chart(names).mark_text(color="#222", fontWeight=alt.expr("datum.weight")).encode(
            longitude="lon:Q", latitude="lat:Q", text="name:N", tooltip=alt.Tooltip("hover:N")))
    # Mercator fitted to the units: their true shapes at this scale, filling the chart
    chart = charts.finish(alt.layer(*layers).project(type="mercator"), title(view, mode), height=460)
    # The boundaries join the chart last, by name: Altair deep-copies a chart's inline data at
    # every step that builds it (each layer, each setting), point by point of every boundary,
    # which was most of an uncached 县区对比's time (福建: 300 ms a map)
    chart["datasets"] = {FEATURES: features}
    return chart


def mode_label(view: comparison.View, mode: str) -> str:
    """The colouring's name on the page's toggle."""
    if mode == STATUS and comparison.colouring(view)[0] != "status":
        return "是否高于平均"
    return MODES[mode]


def title(view: comparison.View, mode: str = STATUS) -> str:
    """'各县区2024年每千人口托位数目标状态', '各县区每千人口托位数是否高于福建省平均' …"""
    if mode == VALUE:
        return f"各{view.units_word}每千人口托位数"
    if comparison.colouring(view)[0] == "status":
        year = f"{view.target_year}年" if view.target_year else ""
        return f"各{view.units_word}{year}每千人口托位数目标状态"
    return f"各{view.units_word}每千人口托位数是否高于{view.average_label}"


def caption(view: comparison.View, mode: str) -> str:
    if mode == VALUE:
        return "按每千人口托位数分为五档（每档单位数大致相同），颜色越深越高。"
    column, _ = comparison.colouring(view)
    if column == "status":
        return "颜色表示各单位本年度每千人口托位数目标的状态（到期按该年第4季度评价，未到期看本期和趋势）。"
    return f"本方案未对各{view.units_word}设定每千人口托位数目标，颜色表示是否高于{view.average_label}。"


def county_map(view: comparison.View, mode: str = STATUS) -> tuple[alt.LayerChart | None, str | None]:
    """(the map, or None where no unit has a boundary; the notice(), or None)."""
    shapes = outlines(view)
    drawn = not view.units.empty and bool(set(view.units["code"]) & set(shapes))
    return (figure(view, shapes, mode) if drawn else None), notice(view, shapes)
