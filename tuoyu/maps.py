"""The county map of 总览, 县区对比 and the briefing: each unit of a comparison (tuoyu.comparison)
filled by its target status (DESIGN §4.2) — or, where the plan sets the units no target, by
whether it is above the average — or by its 每千人口托位数 in five classes.

Drawn as filled shapes on plain axes (no base map, no tiles, no map fonts), so that it
needs nothing from the network in the browser or in the briefing's image. Regions without
boundaries (townships, codes the boundary package does not know) get no map: notice()
says so in one line."""

import math

import plotly.graph_objects as go

from . import boundaries, charts, comparison, fmt

STATUS, VALUE = "status", "value"
MODES = {STATUS: "目标状态", VALUE: "每千人口托位数"}
VALUE_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")   # light (low) → dark (high)
NO_DATA_COLOUR = "#e9ecef"
LABELLED_UNITS = 20      # names written on the map up to this many units (else the selected one only)
CODE = "slots_per_1000"


def outlines(view: comparison.View) -> dict:
    return boundaries.outlines(tuple(view.units["code"])) if not view.units.empty else {}


def notice(view: comparison.View, shapes: dict) -> str | None:
    """One line when the map cannot be drawn, or leaves units out; None when all are drawn."""
    if view.units.empty:
        return None
    missing = [n for c, n in zip(view.units["code"], view.units["name"]) if c not in shapes]
    if len(missing) == len(view.units):
        return f"{view.units_word}暂无边界数据（地图只含县级及以上区划），不显示地图。"
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


def figure(view: comparison.View, shapes: dict, mode: str = STATUS) -> go.Figure:
    """The units with boundaries, filled by their legend entry (_classify); the selected unit
    outlined; names written at each unit's centre for up to LABELLED_UNITS units."""
    entries, colours = _classify(view, mode)
    u = view.units.assign(_entry=entries)
    u = u[u["code"].isin(list(shapes))]
    fig = go.Figure()
    for entry, colour in colours.items():
        part = u[u["_entry"] == entry]
        for row in part.to_dict("records"):
            xs, ys = [], []
            for ring in shapes[row["code"]].rings:
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
            focus = row["code"] == view.focus
            fig.add_scatter(x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines", hoveron="fills",
                            line=dict(color="#222" if focus else "white", width=3 if focus else 1),
                            name=f"{row['name']}：{entry} · {fmt.value(CODE, row[CODE])}",
                            legendgroup=entry, showlegend=False, hoverinfo="name")
        if not part.empty:   # one legend entry per colour
            fig.add_scatter(x=[None], y=[None], mode="markers", name=entry, legendgroup=entry, showlegend=True,
                            marker=dict(symbol="square", size=14, color=colour), hoverinfo="skip")
    labelled = u if len(u) <= LABELLED_UNITS else u[u["code"] == view.focus]
    if not labelled.empty:
        fig.add_scatter(x=[shapes[c].centre[0] for c in labelled["code"]],
                        y=[shapes[c].centre[1] for c in labelled["code"]],
                        text=[charts.marked(n, c, view.focus) for n, c in zip(labelled["name"], labelled["code"])],
                        mode="text", textfont=dict(size=12, color="#222"), hoverinfo="skip", showlegend=False)
    lats = [p[1] for c in u["code"] for ring in shapes[c].rings for p in ring]
    middle = (min(lats) + max(lats)) / 2 if lats else 0
    fig = charts.layout(fig, title(view, mode), "", height=460)
    # a degree of longitude is cos(latitude) of a degree of latitude: keep the shapes true
    fig.update_yaxes(visible=False, rangemode="normal", scaleanchor="x",
                     scaleratio=1 / math.cos(math.radians(middle)))
    fig.update_xaxes(visible=False, rangemode="normal")
    return fig.update_layout(hovermode="closest", legend=dict(y=-0.02))


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


def county_map(view: comparison.View, mode: str = STATUS) -> tuple[go.Figure | None, str | None]:
    """(the map, or None where no unit has a boundary; the notice(), or None)."""
    shapes = outlines(view)
    drawn = not view.units.empty and bool(set(view.units["code"]) & set(shapes))
    return (figure(view, shapes, mode) if drawn else None), notice(view, shapes)
