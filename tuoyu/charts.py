"""The charts shared by the pages and the briefing, as Vega-Lite specifications built with
Altair: the page draws one in the browser (ui.display.chart), the briefing the same one to an
image (tuoyu.briefing.images, vl-convert: no browser). Each takes data already computed
elsewhere and only draws it. Here: the look every chart shares (LOOK, finish) and the units'
charts (bars, capacity against use); the trend is in tuoyu.trend_chart, the county map in
tuoyu.maps, 任务台账's charts in tuoyu.ledger_charts.

Every chart's data is in long form, its legend's entries in a column called 系列 (SERIES),
so that a chart's figures can be read back by name (tests/apptest.py chart_rows)."""

import json

import altair as alt
import pandas as pd

from . import fmt, review, verdicts

# A chart carries all its rows (a country's 2,850 counties in bars; Altair stops at 5,000 by default).
alt.data_transformers.disable_max_rows()
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
SERIES = "系列"
# The look every chart shares (Vega-Lite config): title at the left, the legend below,
# a light grid, no frame; the font sizes the briefing enlarges for paper (briefing.images).
LOOK = {
    "font": FONT,
    "title": {"anchor": "start", "fontSize": 16, "fontWeight": "normal", "color": "#222", "offset": 12},
    "axis": {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": "normal", "gridColor": "#e5e7eb",
             "labelColor": "#333", "titleColor": "#333", "domainColor": "#888", "tickColor": "#888",
             "labelLimit": 0},
    "legend": {"orient": "bottom", "direction": "horizontal", "title": None, "labelFontSize": 12,
               "labelLimit": 0, "columnPadding": 14, "symbolStrokeWidth": 2},
    "text": {"fontSize": 12},
    "view": {"stroke": None},
}
REGION_COLOUR, PROVINCE_COLOUR, TARGET_COLOUR, NATIONAL_COLOUR = "#1f5fa8", "#8a8f98", "#c0392b", "#6c3483"
NO_TARGET, NO_TARGET_COLOUR = "未设目标", "#9aa5b1"
NOT_COMPARED = "无平均可比"   # a unit's figure where there is no average to compare it with: a grey bar all the same
STATUS_BAR_COLOURS = verdicts.colours("colour") | {NO_TARGET: NO_TARGET_COLOUR}


def finish(chart: alt.TopLevelMixin, title: str, height: int = 420) -> alt.TopLevelMixin:
    """The common look (LOOK) on a built chart: its title, its height, the container's width.
    Set as the plain values Vega-Lite reads: properties() checks each against the schema and
    configure() turns every key of LOOK into a schema object first, a quarter of the time a
    small chart takes to build and write out; the specification is the same."""
    chart = chart.copy(deep=False)
    chart.title, chart.height, chart.width, chart.config = title, height, "container", LOOK
    return chart


# Above this many units, bars lie horizontally with full names, one line each.
MANY_UNITS = 12
# Above MANY_UNITS, the scatter names at most this many units besides the selected one, no two
# names overlapping in a plot of SCATTER_PX (width, height) with names LABEL_PX high: about the
# plot on a phone (390 px: some 300 × 220 between its points' extremes; at 1440 px 400 × 270),
# so that names kept apart are apart on either.
MOST_NAMED = 10
SCATTER_PX = (300, 220)
LABEL_PX = 18   # a 12 px name and a little room
BAR_ROW_PX = 24
FADED = 0.45   # the other units' bars beside the selected one


def marked(name: str, code: str, focus: str | None) -> str:
    """The weight a chart writes a unit's name in: the selected one bold (a Vega-Lite chart
    has no markup: the weight goes to a text mark from the data, or to an axis's labels)."""
    return "bold" if code == focus else "normal"


def _bold_labels(names: list[str]) -> dict:
    """An axis's labels: those names bold (Vega-Lite's condition on each label's value)."""
    return {"condition": {"test": f"indexof({json.dumps(names, ensure_ascii=False)}, datum.value) >= 0",
                          "value": "bold"}, "value": "normal"}


def _reference(lines: list[tuple[str, float, str, list[int]]], horizontal: bool, title: str | None,
               orient: str) -> alt.Chart:
    """Reference values (name, value, colour, dash) as lines across the bars, named in a
    legend of their own rather than by labels on the chart: two labels beside close lines
    overlap."""
    names = [n for n, _, _, _ in lines]
    # a line in the legend long enough to show its dashes, in an entry as high as a square's
    # (the two legends sit side by side)
    legend = alt.Legend(orient=orient, symbolType="M-1.6,0H1.6", symbolSize=144, labelOffset=9)
    series = alt.Color(f"{SERIES}:N", legend=legend,
                       scale=alt.Scale(domain=names, range=[c for _, _, c, _ in lines]))
    dash = alt.StrokeDash(f"{SERIES}:N", legend=legend, scale=alt.Scale(domain=names, range=[d for *_, d in lines]))
    value = (alt.X if horizontal else alt.Y)("value:Q", title=title)
    return alt.Chart(pd.DataFrame({SERIES: names, "value": [v for _, v, _, _ in lines]})).mark_rule(
        strokeWidth=2, tooltip=None).encode(value, color=series, strokeDash=dash)


def unit_bars(frame: pd.DataFrame, code: str, average: float | None, target: float | None,
              average_label: str, colours: dict | None = None, colour_by: str = "status",
              focus: str | None = None) -> alt.LayerChart:
    """One bar per unit, highest first, coloured and named by `colour_by` (the target
    statuses of DESIGN §4.2, or the given colours by word) with its value at its end, and
    the target and average as lines named in the legend; horizontal with full names above
    MANY_UNITS units; the focus unit (code) in bold, the others lighter.
    frame: code, name, value, <colour_by>."""
    colours = STATUS_BAR_COLOURS if colours is None else colours
    if colours is STATUS_BAR_COLOURS:
        words = frame[colour_by].fillna(NO_TARGET)
    else:
        # above or not above the average; a figure with no average to compare (the region has
        # no figure of its own) keeps its bar, in grey, rather than the chart losing every bar
        words = [w if isinstance(w, str) else NOT_COMPARED if v is not None and pd.notna(v) else ""
                 for w, v in zip(frame[colour_by], frame["value"])]
        colours = colours | {NOT_COMPARED: NO_TARGET_COLOUR}
    rate = fmt.value(code, 0.5).endswith("%")
    scale = 100 if rate else 1
    many = len(frame) > MANY_UNITS
    data = pd.DataFrame({
        "code": frame["code"], "name": frame["name"],
        SERIES: list(words),
        "value": pd.to_numeric(frame["value"]).astype(float) * scale,
        "label": [fmt.value(code, v, with_unit=False) for v in frame["value"]],
        "opacity": [1 if focus in (None, c) else FADED for c in frame["code"]],
    })
    data = data.sort_values("value", ascending=False, na_position="last", kind="stable")
    data["hover"] = [f"{n}：{t} · {s}" for n, t, s in zip(data["name"], data["label"], data[SERIES])]
    # every unit on the axis, in this order (the scale's domain); a bar for those with a coloured word
    order = data["name"].tolist()
    bold = _bold_labels([n for n, c in zip(data["name"], data["code"]) if marked(n, c, focus) == "bold"])
    data = data[data[SERIES].isin(list(colours))]
    present = [s for s in colours if s in set(data[SERIES])]
    side = "top" if many else "bottom"
    unit = "%" if rate else fmt.value(code, 0).split(" ")[-1]
    if many:
        # every bar carries its value: no axis to read across two thousand pixels; room on
        # the right for the longest bar's label
        top = max([v for v in data["value"] if pd.notna(v)] + [v * scale for v in (average, target) if v is not None],
                  default=1.0)
        name = alt.Y("name:N", title=None, scale=alt.Scale(domain=order, paddingInner=0.2),
                     axis=alt.Axis(labelFontWeight=bold, ticks=False, grid=False))
        value = alt.X("value:Q", title=None, scale=alt.Scale(domain=[0, top * 1.15], nice=False),
                      axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False))
        label = dict(align="left", baseline="middle", dx=3)
    else:
        # the names lie flat while they fit side by side (about 13 px a character), else slant
        room = 13 * max([len(n) for n in order], default=1) + 10
        name = alt.X("name:N", title=None, scale=alt.Scale(domain=order, paddingInner=0.2),
                     axis=alt.Axis(labelFontWeight=bold, labelAngle=alt.expr(f"width < {room * len(order)} ? -45 : 0"),
                                   labelAlign=alt.expr(f"width < {room * len(order)} ? 'right' : 'center'")))
        value = alt.Y("value:Q", title=unit, axis=alt.Axis(format=".0f" if rate else ".1f", tickMinStep=1 if rate else 0.1))
        label = dict(align="center", baseline="bottom", dy=-3)
    # the page's charts show a tooltip on every mark unless told otherwise: each says what it names
    base = alt.Chart(data).encode(name, value, tooltip=alt.Tooltip("hover:N"))
    layers = [
        base.mark_bar().encode(
            color=alt.Color(f"{SERIES}:N", legend=alt.Legend(orient=side), scale=alt.Scale(domain=present, range=[colours[s] for s in present])),
            opacity=alt.Opacity("opacity:Q", scale=None)),
        base.mark_text(color="#444", **label).encode(text="label:N"),
    ]
    lines = []
    if average is not None:
        lines.append((f"{average_label} {fmt.value(code, average, with_unit=False)}", average * scale, PROVINCE_COLOUR,
                      [4, 3]))
    if target is not None:
        lines.append((f"目标 {fmt.value(code, target, with_unit=False)}", target * scale, TARGET_COLOUR, [1, 0]))
    if lines:
        layers.append(_reference(lines, many, None if many else unit, side))
    chart = alt.layer(*layers).resolve_scale(color="independent", strokeDash="independent")
    # the two legends (colours, lines) side by side where the chart is wide enough, else one
    # above the other (Vega does not wrap one legend after another)
    wide = sum(text_px(t) + 40 for t in present + [n for n, *_ in lines])
    layout = f"{{offset: 18, {side}: {{anchor: 'start', direction: width < {wide} ? 'vertical' : 'horizontal'}}}}"
    return finish(chart, fmt.name(code), 150 + BAR_ROW_PX * len(order) if many else 380).configure_legend(
        **LOOK["legend"], layout=alt.expr(layout))


def day(value) -> str:
    """A date for Vega: an ISO day, read as UTC midnight and drawn on a UTC scale, so that no
    browser's time zone moves it (a pandas timestamp reaches the browser as a date-time
    without a zone, read as local time: 8 hours early in Beijing)."""
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def utc_day(value) -> alt.DateTime:
    """A day as a Vega-Lite date-time in UTC, for a UTC scale's axis values and domain."""
    when = pd.Timestamp(value)
    return alt.DateTime(year=when.year, month=when.month, date=when.day, utc=True)


def text_px(text: str) -> int:
    """About how wide a label is drawn at 12 px: a Chinese character 12 px, others 7."""
    return sum(12 if ord(c) > 0x2E80 else 7 for c in text)


def _spread(values: pd.Series) -> pd.Series:
    """How many standard deviations each point lies from the mean (0 when all are alike)."""
    spread = values.std()
    return (values - values.mean()).abs() / spread if spread else pd.Series(0.0, index=values.index)


def _outliers(names: pd.Series, x: pd.Series, y: pd.Series, most: int, kept: pd.Series) -> pd.Series:
    """Points more than two standard deviations from the mean on either axis, the `most` farthest
    of them whose names do not overlap a name already drawn (those of `kept` first): among a
    country's 2,850 units some hundreds are that far out, and the farthest lie together in one
    tail; as many names drawn are a block of ink (the tooltip names every point)."""
    far = pd.concat([_spread(x), _spread(y)], axis=1).max(axis=1)
    # where each name would be drawn, in pixels of a plot SCATTER_PX wide and high (centred on
    # its point, LABEL_PX high): the chart's own size is known only in the browser
    px = (x - x.min()) / ((x.max() - x.min()) or 1.0) * SCATTER_PX[0]
    py = (y - y.min()) / ((y.max() - y.min()) or 1.0) * SCATTER_PX[1]

    def label(i):
        return px[i], py[i], text_px(names[i])

    placed = [label(i) for i in x.index[kept.to_numpy()]]
    chosen = []
    for i in far[far > 2].sort_values(ascending=False, kind="stable").index:
        lx, ly, w = label(i)
        if all(abs(lx - qx) >= (w + qw) / 2 or abs(ly - qy) >= LABEL_PX for qx, qy, qw in placed):
            placed.append((lx, ly, w))
            chosen.append(i)
            if len(chosen) == most:
                break
    return pd.Series(x.index.isin(chosen), index=x.index)


def capacity_use(frame: pd.DataFrame, focus: str | None = None) -> alt.LayerChart:
    """Capacity (托位/千人) against use (平均托收率): a unit with empty places is not the same
    problem as a unit with too few; the dotted line is the standard's 平均托收率
    (review.standard_bar). Names are written beside the points up to MANY_UNITS units; above
    that only beside the selected unit and at most MOST_NAMED outliers, the farthest whose names
    do not overlap (the tooltip names the rest).
    frame: code, name, slots_per_1000, occupancy_mean."""
    data = frame.dropna(subset=["slots_per_1000", "occupancy_mean"])
    x, y = data["slots_per_1000"].astype(float), data["occupancy_mean"].astype(float) * 100
    is_focus = data["code"] == focus
    named = (pd.Series(True, index=data.index) if len(data) <= MANY_UNITS
             else _outliers(data["name"], x, y, MOST_NAMED, is_focus) | is_focus)
    points = pd.DataFrame({
        SERIES: "单位", "code": data["code"], "name": data["name"], "slots_per_1000": x, "occupancy": y,
        "label": [n if k else "" for n, k in zip(data["name"], named)],
        # a circle's size is its area: 16 and 11 px across
        "size": [16 ** 2 if f else 11 ** 2 for f in is_focus],
        "colour": [TARGET_COLOUR if f else REGION_COLOUR for f in is_focus],
        "托位": [f"{v:.2f} 个/千人" for v in x], "平均托收率": [f"{v:.1f}%" for v in y],
    })
    bar = round(review.standard_bar("occupancy_mean") * 100, 1)
    line = pd.DataFrame({SERIES: [f"托收率 {bar:g}%"], "occupancy": [bar]})
    # room around the points (pixels) for their names and the line's label below it
    use = alt.Y("occupancy:Q", title="平均托收率（%）", scale=alt.Scale(zero=False, padding=24))
    capacity = alt.X("slots_per_1000:Q", title="每千人口托位数（个）", scale=alt.Scale(zero=False, padding=16))
    tooltip = [alt.Tooltip("name:N", title="名称"), alt.Tooltip("托位:N"), alt.Tooltip("平均托收率:N")]
    base = alt.Chart(points).encode(capacity, use, tooltip=tooltip)
    chart = alt.layer(
        alt.Chart(line).mark_rule(color=TARGET_COLOUR, strokeDash=[2, 3], strokeWidth=2, tooltip=None).encode(use),
        alt.Chart(line).mark_text(align="right", baseline="top", dy=4, color="#444", tooltip=None).encode(
            use, x=alt.value("width"), text=f"{SERIES}:N"),
        # see-through as Plotly drew them (its default for points of several sizes): overlaps show
        base.mark_circle(opacity=0.7).encode(
            size=alt.Size("size:Q", scale=None), color=alt.Color("colour:N", scale=None)),
        base.transform_filter("datum.label != ''").mark_text(baseline="bottom", dy=-8, color="#444").encode(
            text="label:N"),
    )
    return finish(chart, "托位供给与使用：供给少还是空置多", 380)
