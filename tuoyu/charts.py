"""The charts shared by the pages and the briefing, as Vega-Lite specifications built with
Altair: the page draws one in the browser (st.altair_chart), the briefing the same one to an
image (tuoyu.briefing.images, vl-convert: no browser). Each takes data already computed
elsewhere and only draws it.

Every chart's data is in long form, its legend's entries in a column called 系列 (SERIES),
so that a chart's figures can be read back by name (tests/apptest.py chart_rows)."""

from datetime import date

import altair as alt
import pandas as pd
import plotly.graph_objects as go

from . import fmt, periods, review, tasks, verdicts

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
STATUS_BAR_COLOURS = verdicts.colours("colour") | {NO_TARGET: NO_TARGET_COLOUR}
# How the pages show a figure: no tool bar (its buttons are English, and on a phone it sits
# over the data), no zooming (a finger dragging the page would zoom the chart instead);
# hovering, or tapping, still shows each value.
CONFIG = {"displayModeBar": False, "scrollZoom": False, "doubleClick": False, "locale": "zh-CN"}


def _layout(fig: go.Figure, title: str, y_title: str, height: int = 420, tickformat: str | None = None) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=16)), font=dict(family=FONT, size=13),
        height=height, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), hovermode="x unified", dragmode=False,
    )
    # one tick format per axis ("0.0, 0.5, 1.0", not "0, 0.5, 1"); the title stands off the ticks
    fig.update_yaxes(title=dict(text=y_title, standoff=8), gridcolor="#e5e7eb", rangemode="tozero",
                     automargin=True, tickformat=tickformat, fixedrange=True)
    fig.update_xaxes(gridcolor="#f1f3f5", fixedrange=True)
    return fig


layout = _layout   # the common look, also for tuoyu.maps


def finish(chart: alt.TopLevelMixin, title: str, height: int = 420) -> alt.TopLevelMixin:
    """The common look (LOOK) on a built chart: its title, its height, the container's width."""
    return chart.properties(title=title, height=height, width="container").configure(**LOOK)


def _date_axis(fig: go.Figure) -> go.Figure:
    """Dates as a Chinese report writes them (2024年1月), not Plotly's English months."""
    fig.update_xaxes(tickformat="%Y年", dtick="M12", ticklabelmode="period", hoverformat="%Y年%-m月%-d日")
    return fig


# The national figures (4.5 by 2025, the published series) are drawn on a local chart only
# when they lie within this multiple of the local scale; above it they would squash the
# local line into the bottom of the chart, so they are named in a note at its top instead.
NATIONAL_FITS = 1.25


def trend(view, region_name: str, province_name: str | None) -> alt.LayerChart:
    """每千人口托位数 by quarter, with the plan's target staircase (each step labelled with its
    year and figure), the provincial average, the projection dashed with its value, and the
    national target and published series — on the chart where they fit its scale, else in
    a note "above this chart" (NATIONAL_FITS). Each point's tooltip says its quarter and value."""
    t = view.trend
    region = pd.to_numeric(t["region"], errors="coerce")
    province = pd.to_numeric(t["province"], errors="coerce")
    labels = [periods.label(q) for q in t["quarter"]]
    ends = pd.to_datetime(t["quarter_end"])
    # (legend entry, colour, dash, line width): the legend lists them in this order
    styles = [(region_name, REGION_COLOUR, [1, 0], 3)]
    rows = [(region_name, when, value, f"{label}：{value:.2f}") for when, value, label in zip(ends, region, labels)]
    if province_name and province.notna().any():
        average = fmt.average_label(province_name, named=True)
        styles.append((average, PROVINCE_COLOUR, [1, 0], 2))
        rows += [(average, when, value, f"{label}：{value:.2f}") for when, value, label in zip(ends, province, labels)]
    if view.staircase:
        styles.append(("方案年度目标", TARGET_COLOUR, [1, 0], 2))
    local = [v for v in list(region) + list(province) if pd.notna(v)] + [target for _, target in view.staircase]
    if view.projection:
        local.append(view.projection[1][1])
        styles.append(("按近四个季度趋势预计", REGION_COLOUR, [6, 4], 2))
        (x0, y0), (x1, y1) = view.projection
        due = f"{x1.year}年第4季度" if x1.month == 12 else f"{x1:%Y年%-m月}"
        # its start is the last quarter's point, whose own tooltip says it
        rows += [("按近四个季度趋势预计", pd.Timestamp(x0), y0, None),
                 ("按近四个季度趋势预计", pd.Timestamp(x1), y1, f"预计{due} {y1:.2f}")]
    top = max(local, default=None)
    national, references, note = _national(view, top)
    if not national.empty:
        styles.append(("全国（公开数据）", NATIONAL_COLOUR, [2, 3], 1.5))
        rows += list(national.itertuples(index=False, name=None))
    lines = pd.DataFrame(rows, columns=[SERIES, "日期", "值", "提示"]).dropna(subset=["值"])
    names, colours, dashes, widths = (list(column) for column in zip(*styles))
    span = _trend_span(view, ends)
    # a year's label in the middle of its year, the grid at the years' bounds (as a report's
    # table of years reads; a label on 1 January would leave the first, partial year unnamed);
    # a label the chart's right edge would cut is left out (labelBound)
    years = range(span[0].year, span[1].year + 1) if span else range(0)
    domain = [_utc_day(d) for d in span] if span else None
    x = alt.X("日期:T", title=None, scale=alt.Scale(type="utc", domain=domain),
              axis=alt.Axis(format="%Y年", values=[_utc_day(pd.Timestamp(y, 7, 2)) for y in years
                                                   if span[0] <= pd.Timestamp(y, 7, 2) <= span[1]],
                            ticks=False, grid=False, labelFlush=False, labelBound=True, labelPadding=6))
    peak = max(local + list(national["值"]) + list(references["值"]), default=0)
    # room above the highest line for its label (a national target's sits on top of it)
    y = alt.Y("值:Q", title="个/千人",
              scale=alt.Scale(domain=[0, top * 1.2], nice=False) if note
              else alt.Scale(domain=[0, peak * 1.06], nice=False) if peak else alt.Scale(zero=True),
              axis=alt.Axis(format=".1f", titlePadding=8, tickCount=5))
    colour = alt.Color(f"{SERIES}:N", scale=alt.Scale(domain=names, range=colours),
                       legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5, symbolSize=300,
                                         columns=_legend_columns(names)))
    tooltip = [alt.Tooltip(f"{SERIES}:N", title="系列"), alt.Tooltip("提示:N", title="数值")]
    # The scales, axes and legend are set once, on the lines; the other layers share them by
    # field name. Repeating them in every layer made the specification three times the size and
    # each page run that draws it (Altair building it, Streamlit validating it) three times slower.
    xs, ys = alt.X("日期:T", title=None), alt.Y("值:Q", title="个/千人")
    base = alt.Chart(lines).encode(x=xs, y=ys)
    bounds = pd.DataFrame({"日期": [pd.Timestamp(y, 1, 1) for y in years if span[0] < pd.Timestamp(y, 1, 1)]})
    layers = [
        alt.Chart(bounds).mark_rule(color="#e5e7eb", strokeWidth=1, tooltip=None).encode(x=xs),
        alt.Chart(lines).mark_line(clip=True, tooltip=None).encode(
            x=x, y=y, color=colour,
            strokeDash=alt.StrokeDash(f"{SERIES}:N", scale=alt.Scale(domain=names, range=dashes), legend=None),
            strokeWidth=alt.StrokeWidth(f"{SERIES}:N", scale=alt.Scale(domain=names, range=widths), legend=None)),
        # the quarters' points, the national figures' diamonds, the projection's open circles
        *[base.mark_point(filled=True, size=size, opacity=1, shape=shape, color=colour_, clip=True, tooltip=None)
              .transform_filter(alt.FieldEqualPredicate(field=SERIES, equal=name))
          for name, shape, size, colour_ in ((region_name, "circle", 36, REGION_COLOUR),
                                             ("全国（公开数据）", "diamond", 44, NATIONAL_COLOUR))],
        base.mark_point(filled=False, fill="white", color=REGION_COLOUR, size=36, strokeWidth=1.5, clip=True,
                        tooltip=None)
            .transform_filter(alt.FieldEqualPredicate(field=SERIES, equal="按近四个季度趋势预计")),
    ]
    if view.staircase:
        steps = pd.DataFrame([("方案年度目标", pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31), target,
                               f"{year}年目标 {target:g}") for year, target in view.staircase],
                             columns=[SERIES, "日期", "止", "值", "提示"])
        step = alt.Chart(steps).encode(x=xs, y=ys)
        layers += [step.mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(x2="止:T",
                                                                            tooltip=alt.Tooltip("提示:N")),
                   *_halo_text(step, "提示", TARGET_COLOUR, align="left", baseline="bottom", dy=-2)]
    if view.projection:
        (x1, y1) = view.projection[1]
        end = pd.DataFrame({"日期": [pd.Timestamp(x1)], "值": [y1], "标签": [f"预计 {y1:.2f}"]})
        layers += _halo_text(alt.Chart(end).encode(x=xs, y=ys), "标签", REGION_COLOUR, align="left", dx=8,
                            baseline="middle")
    if not references.empty:
        line = alt.Chart(references).encode(y=ys)
        layers += [line.mark_rule(color=NATIONAL_COLOUR, strokeDash=[2, 3], strokeWidth=1.5).encode(
                       tooltip=alt.Tooltip("标签:N")),
                   *_halo_text(line.encode(x=alt.XValue(4)), "标签", NATIONAL_COLOUR, align="left",
                              baseline="bottom", dy=-2)]
    # hovering anywhere near a point, the lines' included, shows its quarter and value
    layers.append(base.mark_point(size=160, opacity=0, clip=True).encode(tooltip=tooltip)
                  .transform_filter("isValid(datum['提示'])"))
    if note:
        at_top = alt.Chart(pd.DataFrame({"标签": [note]})).encode(x=alt.XValue(6), y=alt.YValue(4))
        layers += _halo_text(at_top, "标签", NATIONAL_COLOUR, align="left", baseline="top", lineBreak="\n")
    return finish(alt.layer(*layers), "每千人口拥有3岁以下婴幼儿托位数（个）")


def _trend_span(view, ends: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The x-axis from 45 days before the first quarter's end to 240 days after the last year
    drawn (the data's, a step's, the projection's): room on the right for the projection's label."""
    if ends.empty:
        return None
    last = [date(int(view.trend["quarter"].iloc[-1][:4]), 12, 31)] + [date(y, 12, 31) for y, _ in view.staircase]
    if view.projection:
        last.append(view.projection[1][0])
    return ends.min() - pd.Timedelta(days=45), pd.Timestamp(max(last)) + pd.Timedelta(days=240)


def _legend_columns(names: list[str]) -> dict:
    """The legend in one row where it fits the chart's width, else in two columns (Vega's legend
    does not wrap by itself; a phone is narrower than five entries in a row)."""
    row = sum(12 * len(name) + 40 for name in names)   # a CJK character ~ 12 px, the symbol and gap
    return {"expr": f"width < {row} ? 2 : {len(names)}"}


def _utc_day(when: pd.Timestamp) -> alt.DateTime:
    return alt.DateTime(year=when.year, month=when.month, date=when.day, utc=True)


def _halo_text(chart: alt.Chart, field: str, colour: str, **text) -> list[alt.Chart]:
    """A text in `colour` over a white halo, readable where it crosses a line."""
    return [chart.mark_text(stroke="white", strokeWidth=4, strokeOpacity=0.85, strokeJoin="round", tooltip=None,
                            **text).encode(text=f"{field}:N"),
            chart.mark_text(color=colour, tooltip=None, **text).encode(text=f"{field}:N")]


def _national(view, top: float | None) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """The national target(s) and the published national series: drawn where they fit the
    local scale (up to NATIONAL_FITS × its top) — (the series' rows, the targets' lines, no
    note) —, else one note for the top of the chart, whose y-axis keeps to the local figures."""
    ns = view.national_series
    targets = view.national_targets.to_dict("records")
    values = [r["target"] for r in targets] + list(ns["value"])
    none = pd.DataFrame(columns=[SERIES, "日期", "值", "提示"]), pd.DataFrame(columns=["值", "标签"])
    if not values:
        return *none, None
    when = [periods.label(q) if isinstance(q, str) else p for q, p in zip(ns["quarter"], ns["period"])]
    if top is None or max(values) <= top * NATIONAL_FITS:
        series = pd.DataFrame({SERIES: "全国（公开数据）", "日期": pd.to_datetime(ns["period_end"]),
                               "值": ns["value"].astype(float),
                               "提示": [f"{w}：{v:.2f}" for w, v in zip(when, ns["value"])]})
        lines = pd.DataFrame({"值": [float(r["target"]) for r in targets],
                              "标签": [f"国家目标 {r['target']:g}（{r['year']}年）" for r in targets]})
        return series, lines, None
    parts = [f"国家目标 {r['target']:g}（{r['year']}年）" for r in targets]
    if not ns.empty:
        parts.append(f"全国 {ns['value'].iloc[-1]:.2f}（{when[-1]}，公开数据）")
    # one part a line: the whole note in one line runs off a phone's chart
    return *none, "↑ 高于本图范围：" + "；\n".join(parts)


# Above this many units, bars lie horizontally with full names, one line each.
MANY_UNITS = 12
BAR_ROW_PX = 24
FADED = 0.45   # the other units' bars beside the selected one


def marked(name: str, code: str, focus: str | None) -> str:
    """The weight a chart writes a unit's name in: the selected one bold (a Vega-Lite chart
    has no markup: the weight goes to a text mark from the data, or to an axis's labels)."""
    return "bold" if code == focus else "normal"


def _bold_labels(names: list[str]) -> dict:
    """An axis's labels: those names bold (Vega-Lite's condition on each label's value)."""
    import json

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
    rate = fmt.value(code, 0.5).endswith("%")
    scale = 100 if rate else 1
    many = len(frame) > MANY_UNITS
    data = pd.DataFrame({
        "code": frame["code"], "name": frame["name"],
        SERIES: frame[colour_by].fillna(NO_TARGET if colours is STATUS_BAR_COLOURS else ""),
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
    wide = sum(_text_px(t) + 40 for t in present + [n for n, *_ in lines])
    layout = f"{{offset: 18, {side}: {{anchor: 'start', direction: width < {wide} ? 'vertical' : 'horizontal'}}}}"
    return finish(chart, fmt.name(code), 150 + BAR_ROW_PX * len(order) if many else 380).configure_legend(
        **LOOK["legend"], layout=alt.expr(layout))


def _text_px(text: str) -> int:
    """About how wide a label is drawn at 12 px: a Chinese character 12 px, others 7."""
    return sum(12 if ord(c) > 0x2E80 else 7 for c in text)


def _outliers(values: pd.Series) -> pd.Series:
    """Points more than two standard deviations from the mean."""
    spread = values.std()
    return (values - values.mean()).abs() > 2 * spread if spread else pd.Series(False, index=values.index)


def capacity_use(frame: pd.DataFrame, focus: str | None = None) -> alt.LayerChart:
    """Capacity (托位/千人) against use (平均托收率): a unit with empty places is not the same
    problem as a unit with too few; the dotted line is the standard's 平均托收率
    (review.standard_bar). Names are written beside the points up to MANY_UNITS units; above
    that only beside the selected unit and the outliers (the tooltip names the rest).
    frame: code, name, slots_per_1000, occupancy_mean."""
    data = frame.dropna(subset=["slots_per_1000", "occupancy_mean"])
    x, y = data["slots_per_1000"].astype(float), data["occupancy_mean"].astype(float) * 100
    named = (pd.Series(True, index=data.index) if len(data) <= MANY_UNITS
             else _outliers(x) | _outliers(y) | (data["code"] == focus))
    is_focus = data["code"] == focus
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


# ------------------------------------------------------------------ 任务台账 (tuoyu.ledger)

TASK_STATUS_COLOURS = tasks.styles("colour")
TASK_STATUS_SYMBOLS = tasks.styles("symbol")
PHASE_COLOUR = "#a9c1e0"


# Vega's marks for tasks.STATUS_STYLE's symbols: a thick ✕ (Vega's "cross" is a +) as an SVG
# path in Vega's unit square; "-open" only the outline.
_X_SHAPE = "M-1,-0.6L-0.6,-1L0,-0.4L0.6,-1L1,-0.6L0.4,0L1,0.6L0.6,1L0,0.4L-0.6,1L-1,0.6L-0.4,0Z"
_SHAPES = {"x": _X_SHAPE, "circle": "circle", "circle-open": "circle", "diamond": "diamond"}
OVERDUE, PHASE, TODAY = "逾期", "阶段", "今天"
OVERDUE_STATUS = tasks.LATE   # the overdue stretch in its colour
# A phone, or a narrow column (the page's columns stand side by side down to 640 px): the rows'
# names cut short (each task's tooltip names it in full) so that the dates keep some width, the
# legend in rows. Vega reads the container's width in the browser; an image has none (0).
NARROW = "containerSize()[0] > 0 && containerSize()[0] < 500"


def _day(value) -> str:
    """A date for Vega: an ISO day, read as UTC midnight and drawn on a UTC scale, so that no
    browser's time zone moves it to the day before."""
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def ledger_timeline(phases: pd.DataFrame, tasks: pd.DataFrame, today: date) -> alt.LayerChart:
    """The plan's stages as bars up to their deadlines (a start the document does not give
    is drawn from the day after the stage before), each task at its due date marked and
    named by status, a late task's overdue stretch up to `today` (the day the ledger is
    shown at: DESIGN §4.3), and that day's line.
    phases: seq, phase, drawn_starts_on, ends_on, is_start_assumed; tasks: the ledger (tuoyu.ledger).
    Its rows (column 系列): 阶段 (one per stage), 逾期 (one per late task), each status (one
    per dated task) and 今天; the row each is drawn on in 行, from 起 to 止."""
    rows, data = [], []
    for p in phases.to_dict("records"):
        label = f"阶段{p['seq']}：{p['phase']}"
        rows.append(label)
        start = "（开始日期原文未写明）" if p["is_start_assumed"] else f"{fmt.date_zh(p['drawn_starts_on'])}起"
        data.append({SERIES: PHASE, "行": label, "起": _day(p["drawn_starts_on"]), "止": _day(p["ends_on"]),
                     "标注": f"{p['ends_on']:%Y-%m-%d}",
                     "说明": f"{p['phase']}：{start}，{fmt.date_zh(p['ends_on'])}前完成"})
    dated = tasks[tasks["due"].notna()].sort_values("task_id")
    labels = {r["task_id"]: f"{r['task_id']} {r['title'][:12]}{'…' if len(r['title']) > 12 else ''}"
              for r in dated.to_dict("records")}
    rows += list(labels.values())
    for r in dated.to_dict("records"):
        if pd.notna(r["late_since"]):
            data.append({SERIES: OVERDUE, "行": labels[r["task_id"]], "起": _day(r["due"]), "止": _day(today)})
    for r in dated.to_dict("records"):
        data.append({SERIES: r["status"], "行": labels[r["task_id"]], "起": _day(r["due"]), "任务": r["title"],
                     "责任单位": r["responsible_units"], "完成时限": fmt.date_zh(r["due"]),
                     "状态": f"{r['status']} {r['late_text'] or ''}".strip()})
    data.append({SERIES: TODAY, "起": _day(today), "标注": f"截至 {today:%Y-%m-%d}"})
    frame = pd.DataFrame(data)

    # the legend as now: the overdue line first, then the statuses shown, in the ledger's order
    shown = set(dated["status"])
    legend = ([OVERDUE] if (frame[SERIES] == OVERDUE).any() else []) + [s for s in TASK_STATUS_COLOURS if s in shown]
    colours = [TASK_STATUS_COLOURS[OVERDUE_STATUS] if s == OVERDUE else TASK_STATUS_COLOURS[s] for s in legend]
    fills = ["transparent" if s == OVERDUE or TASK_STATUS_SYMBOLS[s].endswith("-open") else c
             for s, c in zip(legend, colours)]
    shapes = ["stroke" if s == OVERDUE else _SHAPES[TASK_STATUS_SYMBOLS[s]] for s in legend]
    # the overdue entry's line dotted like the line itself, the markers' outlines solid
    dash = alt.StrokeDash(f"{SERIES}:N", title=None, scale=alt.Scale(
        domain=legend, range=[[2, 3] if s == OVERDUE else [1, 0] for s in legend]))
    stroke = alt.Stroke(f"{SERIES}:N", scale=alt.Scale(domain=legend, range=colours), title=None,
                        legend=alt.Legend(columns=alt.ExprRef(f"{NARROW} ? 3 : 0")))
    fill = alt.Fill(f"{SERIES}:N", scale=alt.Scale(domain=legend, range=fills), title=None)
    shape = alt.Shape(f"{SERIES}:N", scale=alt.Scale(domain=legend, range=shapes), title=None)

    dates = [pd.Timestamp(d) for d in list(phases.get("drawn_starts_on", [])) + list(dated["due"]) if d is not None]
    day = pd.Timestamp(today)
    lo, hi = (min(dates) - pd.Timedelta(days=60), max(max(dates), day) + pd.Timedelta(days=120)) if dates else \
        (day - pd.Timedelta(days=183), day + pd.Timedelta(days=183))   # a year: one July
    # each year named at its middle, as one names a span of time: "2021年" over 2021's part
    middles = [alt.DateTime(year=y, month=7, date=1, utc=True) for y in range(lo.year, hi.year + 1)
               if lo <= pd.Timestamp(y, 7, 1) <= hi]

    def x(field):
        return alt.X(f"{field}:T", title=None, scale=alt.Scale(type="utc", domain=[_day(lo), _day(hi)]),
                     axis=alt.Axis(format="%Y年", values=middles, ticks=False, grid=False))

    y = alt.Y("行:N", title=None, sort=rows, axis=alt.Axis(grid=True, ticks=False, domain=False, labelPadding=6,
                                                         labelLimit=alt.ExprRef(f"{NARROW} ? 130 : 0")))
    base = alt.Chart(frame)

    def of(*series):
        return base.transform_filter(alt.FieldOneOfPredicate(field=SERIES, oneOf=list(series)))

    stages = of(PHASE).mark_bar(size=16, color=PHASE_COLOUR).encode(x=x("起"), x2="止:T", y=y, tooltip="说明:N")
    stage_ends = of(PHASE).mark_point(shape="triangle-left", size=110, filled=True, color=REGION_COLOUR,
                                      opacity=1).encode(x=x("止"), y=y)
    # a stage's end date right of its marker, or left of it where it would run off the chart
    near_edge = "scale('x', datum['止']) + 80 > width"
    stage_dates = of(PHASE).mark_text(
        align=alt.ExprRef(f"{near_edge} ? 'right' : 'left'"), dx=alt.ExprRef(f"{near_edge} ? -9 : 9"),
        color="#333").encode(x=x("止"), y=y, text="标注:N")
    overdue = of(OVERDUE).mark_rule(strokeWidth=2).encode(x=x("起"), x2="止:T", y=y, stroke=stroke, strokeDash=dash)
    marks = of(*TASK_STATUS_COLOURS).mark_point(size=150, strokeWidth=2, opacity=1).encode(
        x=x("起"), y=y, stroke=stroke, fill=fill, shape=shape, strokeDash=dash,
        tooltip=[alt.Tooltip("任务:N"), alt.Tooltip("责任单位:N"), alt.Tooltip("完成时限:N"), alt.Tooltip("状态:N")])
    line = of(TODAY).mark_rule(color=TARGET_COLOUR, strokeWidth=2, strokeDash=[6, 4]).encode(x=x("起"))
    day_label = of(TODAY).mark_text(align="right", baseline="bottom", dy=-4, color=TARGET_COLOUR).encode(
        x=x("起"), y=alt.value(0), text="标注:N")
    # no task shown: no legend either (an empty one would leave Vega no height to draw in)
    layers = [stages, stage_ends, stage_dates] + ([overdue, marks] if legend else []) + [line, day_label]
    chart = alt.layer(*layers)
    return finish(chart, "进度安排与任务完成时限", height=140 + 34 * max(len(rows), 3))


def department_counts(counts: pd.DataFrame) -> alt.LayerChart:
    """Per 责任单位: tasks shared, done and late, most late at the top (the order given).
    counts: department, n_tasks, n_done, n_late (tuoyu.ledger.department_counts).
    Its rows: 责任单位, 系列 (任务数, 已完成 or 滞后), 项."""
    series = {"n_tasks": "任务数", "n_done": tasks.DONE, "n_late": tasks.LATE}
    colours = [PROVINCE_COLOUR, TASK_STATUS_COLOURS[tasks.DONE], TASK_STATUS_COLOURS[tasks.LATE]]
    frame = (counts.rename(columns={"department": "责任单位"})
             .melt(id_vars="责任单位", value_vars=list(series), var_name=SERIES, value_name="项"))
    frame[SERIES] = frame[SERIES].map(series)
    frame["说明"] = frame["责任单位"] + "：" + frame[SERIES] + " " + frame["项"].astype(str) + " 项"
    order = list(series.values())
    # whole tasks: a tick at each count while they are few, else Vega's own whole steps
    most = int(counts["n_tasks"].max()) if len(counts) else 0
    ticks = list(range(most + 1)) if most <= 6 else alt.Undefined
    y = alt.Y("责任单位:N", title=None, sort=counts["department"].tolist(), axis=alt.Axis(ticks=False, domain=False))
    offset = alt.YOffset(f"{SERIES}:N", sort=order)
    base = alt.Chart(frame).encode(
        y=y, yOffset=offset,
        x=alt.X("项:Q", title=None, axis=alt.Axis(values=ticks, format="d", tickMinStep=1)),
        tooltip="说明:N")
    bars = base.mark_bar().encode(color=alt.Color(f"{SERIES}:N", sort=order, title=None,
                                                  scale=alt.Scale(domain=order, range=colours)))
    # each count beside its bar, small enough to stay within the bar's 9 px row
    values = base.mark_text(align="left", baseline="middle", dx=2, fontSize=9, color="#555").encode(text="项:Q")
    chart = alt.layer(bars, values)
    return finish(chart, "各责任单位任务情况（项）", height=90 + 30 * max(len(counts), 3))
