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


def trend(view, region_name: str, province_name: str | None) -> go.Figure:
    """每千人口托位数 by quarter, with the plan's target staircase (each step labelled with its
    year and figure), the provincial average, the projection dashed with its value, and the
    national target and published series — on the chart where they fit its scale, else in
    a note "above this chart" (NATIONAL_FITS)."""
    t = view.trend
    labels = [periods.label(q) for q in t["quarter"]]
    fig = go.Figure()
    fig.add_scatter(x=t["quarter_end"], y=t["region"], name=region_name, mode="lines+markers",
                    line=dict(color=REGION_COLOUR, width=3), customdata=labels,
                    hovertemplate="%{customdata}：%{y:.2f}<extra>" + region_name + "</extra>")
    if province_name and t["province"].notna().any():
        average = fmt.average_label(province_name, named=True)   # the legend's name, and the hover's
        fig.add_scatter(x=t["quarter_end"], y=t["province"], name=average, mode="lines",
                        line=dict(color=PROVINCE_COLOUR, width=2),
                        hovertemplate="%{y:.2f}<extra>" + average + "</extra>")
    for i, (year, target) in enumerate(view.staircase):
        fig.add_scatter(x=[date(year, 1, 1), date(year, 12, 31)], y=[target, target], mode="lines",
                        line=dict(color=TARGET_COLOUR, width=2, shape="hv"), name="方案年度目标",
                        legendgroup="steps", showlegend=i == 0,
                        hovertemplate=f"{year}年目标 {target:g}<extra></extra>")
        fig.add_annotation(x=date(year, 1, 1), y=target, text=f"{year}年目标 {target:g}", showarrow=False,
                           xanchor="left", yanchor="bottom", bgcolor="rgba(255,255,255,0.8)",
                           font=dict(color=TARGET_COLOUR, size=12))
    local = [v for v in list(t["region"]) + list(t["province"]) if v is not None and pd.notna(v)]
    local += [target for _, target in view.staircase]
    if view.projection:
        local.append(view.projection[1][1])
    top = max(local, default=None)
    _national(fig, view, top)
    if view.projection:
        (x0, y0), (x1, y1) = view.projection
        due = f"{x1.year}年第4季度" if x1.month == 12 else f"{x1:%Y年%-m月}"
        fig.add_scatter(x=[x0, x1], y=[y0, y1], name="按近四个季度趋势预计", mode="lines+markers+text",
                        line=dict(color=REGION_COLOUR, dash="dash", width=2), marker=dict(symbol="circle-open"),
                        text=["", f"预计 {y1:.2f}"], textposition="middle right",
                        textfont=dict(color=REGION_COLOUR), cliponaxis=False,
                        hovertemplate=f"预计{due} %{{y:.2f}}<extra></extra>")
    if not t.empty:
        ends = [date(int(t["quarter"].iloc[-1][:4]), 12, 31)] + [date(y, 12, 31) for y, _ in view.staircase]
        if view.projection:
            ends.append(view.projection[1][0])
        # room on the right for the projection's label
        fig.update_xaxes(range=[t["quarter_end"].min() - pd.Timedelta(days=45), max(ends) + pd.Timedelta(days=240)])
    return _date_axis(_layout(fig, "每千人口拥有3岁以下婴幼儿托位数（个）", "个/千人", tickformat=".1f"))


def _national(fig: go.Figure, view, top: float | None) -> None:
    """The national target(s) and the published national series: as lines where they fit
    the local scale (up to NATIONAL_FITS × its top), else as one note at the top of the chart
    and the y-axis kept to the local figures."""
    ns = view.national_series
    targets = view.national_targets.to_dict("records")
    values = [r["target"] for r in targets] + list(ns["value"])
    if not values:
        return
    if top is None or max(values) <= top * NATIONAL_FITS:
        for row in targets:
            fig.add_hline(y=row["target"], line=dict(color=NATIONAL_COLOUR, dash="dot", width=1.5),
                          annotation_text=f"国家目标 {row['target']:g}（{row['year']}年）",
                          annotation_position="top left", annotation_font_color=NATIONAL_COLOUR)
        if not ns.empty:
            fig.add_scatter(x=ns["period_end"], y=ns["value"], name="全国（公开数据）", mode="lines+markers",
                            line=dict(color=NATIONAL_COLOUR, width=1.5, dash="dot"), marker=dict(symbol="diamond"),
                            hovertemplate="%{y:.2f}<extra>全国（公开数据）</extra>")
        return
    parts = [f"国家目标 {r['target']:g}（{r['year']}年）" for r in targets]
    if not ns.empty:
        last = ns.iloc[-1]
        when = periods.label(last['quarter']) if isinstance(last['quarter'], str) else last['period']
        parts.append(f"全国 {last['value']:.2f}（{when}，公开数据）")
    fig.add_annotation(xref="paper", yref="paper", x=0.01, y=0.99, xanchor="left", yanchor="top", showarrow=False,
                       align="left", bgcolor="rgba(255,255,255,0.85)", font=dict(color=NATIONAL_COLOUR, size=12),
                       text="↑ 高于本图范围：" + "；".join(parts))
    fig.update_yaxes(range=[0, top * 1.2])


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


def ledger_timeline(phases: pd.DataFrame, tasks: pd.DataFrame, today: date) -> go.Figure:
    """The plan's stages as bars up to their deadlines (a start the document does not give
    is drawn from the day after the stage before), each task at its due date marked and
    named by status, a late task's overdue stretch up to `today` (the day the ledger is
    shown at: DESIGN §4.3), and that day's line.
    phases: seq, phase, drawn_starts_on, ends_on, is_start_assumed; tasks: the ledger (tuoyu.ledger)."""
    fig = go.Figure()
    rows = []
    for p in phases.to_dict("records"):
        label = f"阶段{p['seq']}：{p['phase']}"
        rows.append(label)
        start = "（开始日期原文未写明）" if p["is_start_assumed"] else f"{p['drawn_starts_on']:%Y-%m-%d} 起"
        fig.add_scatter(x=[p["drawn_starts_on"], p["ends_on"]], y=[label, label], mode="lines",
                        line=dict(color=PHASE_COLOUR, width=16), showlegend=False,
                        hovertemplate=f"{p['phase']}：{start}，{p['ends_on']:%Y-%m-%d} 前完成<extra></extra>")
        fig.add_scatter(x=[p["ends_on"]], y=[label], mode="markers+text", showlegend=False,
                        marker=dict(symbol="triangle-left", size=11, color=REGION_COLOUR),
                        text=[f"{p['ends_on']:%Y-%m-%d}"], textposition="middle right", hoverinfo="skip")
    dated = tasks[tasks["due"].notna()].sort_values("task_id")
    labels = {r["task_id"]: f"{r['task_id']} {r['title'][:12]}{'…' if len(r['title']) > 12 else ''}"
              for r in dated.to_dict("records")}
    rows += list(labels.values())
    late = dated[dated["late_since"].notna()]
    if not late.empty:
        xs, ys = [], []
        for r in late.to_dict("records"):
            xs += [r["due"], today, None]
            ys += [labels[r["task_id"]]] * 2 + [None]
        fig.add_scatter(x=xs, y=ys, mode="lines", name="逾期", hoverinfo="skip",
                        line=dict(color=TASK_STATUS_COLOURS["滞后"], width=2, dash="dot"))
    for status, colour in TASK_STATUS_COLOURS.items():
        part = dated[dated["status"] == status]
        if part.empty:
            continue
        fig.add_scatter(x=part["due"], y=[labels[t] for t in part["task_id"]], mode="markers", name=status,
                        marker=dict(symbol=TASK_STATUS_SYMBOLS[status], size=12, color=colour,
                                    line=dict(width=2, color=colour)),
                        customdata=list(zip(part["title"], part["responsible_units"], part["late_text"])),
                        hovertemplate="%{customdata[0]}<br>责任单位：%{customdata[1]}<br>完成时限 %{x|%Y-%m-%d}"
                                      f" · {status} %{{customdata[2]}}<extra></extra>")
    fig.add_shape(type="line", x0=today, x1=today, yref="paper", y0=0, y1=1,
                  line=dict(color=TARGET_COLOUR, width=2, dash="dash"))
    fig.add_annotation(x=today, y=1, yref="paper", yanchor="bottom", xanchor="right", showarrow=False,
                       text=f"截至 {today:%Y-%m-%d}", font=dict(color=TARGET_COLOUR))
    dates = [d for d in list(phases.get("drawn_starts_on", [])) + list(dated["due"]) if d is not None]
    if dates:
        fig.update_xaxes(range=[min(dates) - pd.Timedelta(days=60), max(max(dates), today) + pd.Timedelta(days=120)])
    fig = _date_axis(_layout(fig, "进度安排与任务完成时限", "", height=140 + 34 * max(len(rows), 3)))
    fig.update_yaxes(categoryorder="array", categoryarray=rows, autorange="reversed", rangemode="normal")
    return fig.update_layout(hovermode="closest", legend=dict(y=-0.06 - 40 / (140 + 34 * max(len(rows), 3))))


def department_counts(counts: pd.DataFrame) -> go.Figure:
    """Per 责任单位: tasks shared, done and late, most late at the top.
    counts: department, n_tasks, n_done, n_late (tuoyu.ledger.department_counts)."""
    fig = go.Figure()
    for column, name, colour in (("n_tasks", "任务数", PROVINCE_COLOUR), ("n_done", tasks.DONE, TASK_STATUS_COLOURS[tasks.DONE]),
                                 ("n_late", tasks.LATE, TASK_STATUS_COLOURS[tasks.LATE])):
        fig.add_bar(y=counts["department"], x=counts[column], name=name, orientation="h", marker_color=colour,
                    text=counts[column], textposition="outside",
                    hovertemplate="%{y}：" + name + " %{x} 项<extra></extra>")
    fig = _layout(fig, "各责任单位任务情况（项）", "", height=90 + 30 * max(len(counts), 3))
    fig.update_yaxes(categoryorder="array", categoryarray=counts["department"].tolist(), autorange="reversed",
                     gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(dtick=1 if counts["n_tasks"].max() <= 6 else None, rangemode="tozero")
    return fig.update_layout(barmode="group", hovermode="closest", bargap=0.25)
