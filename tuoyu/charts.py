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


def marked(name: str, code: str, focus: str | None) -> str:
    """A unit's name as a chart shows it: the selected one in bold."""
    return f"<b>{name}</b>" if code == focus else name


def _reference(fig: go.Figure, value: float, name: str, line: dict, horizontal: bool) -> None:
    """A reference value (target, average) as a line across the bars, named in the legend
    rather than by a label on the chart: two labels beside close lines overlap."""
    if horizontal:
        fig.add_vline(x=value, line=line)
    else:
        fig.add_hline(y=value, line=line)
    fig.add_scatter(x=[None], y=[None], mode="lines", line=line, name=name, hoverinfo="skip")


def unit_bars(frame: pd.DataFrame, code: str, average: float | None, target: float | None,
              average_label: str, colours: dict | None = None, colour_by: str = "status",
              focus: str | None = None) -> go.Figure:
    """One bar per unit, highest first, coloured and named by `colour_by` (the target
    statuses of DESIGN §4.2, or the given colours by word) with the target and average as
    lines named in the legend; horizontal with full names above MANY_UNITS units; the
    focus unit (code) in bold, the others lighter. frame: code, name, value, <colour_by>."""
    colours = STATUS_BAR_COLOURS if colours is None else colours
    rate = fmt.value(code, 0.5).endswith("%")
    scale = 100 if rate else 1
    many = len(frame) > MANY_UNITS
    frame = frame.assign(_colour=frame[colour_by].fillna(NO_TARGET if colours is STATUS_BAR_COLOURS else ""),
                         _value=pd.to_numeric(frame["value"]).astype(float) * scale)
    frame = frame.sort_values("_value", ascending=False, na_position="last", kind="stable")
    frame = frame.assign(_name=[marked(n, c, focus) for n, c in zip(frame["name"], frame["code"])])
    fig = go.Figure()
    for status, colour in colours.items():
        part = frame[frame["_colour"] == status]
        if part.empty:
            continue
        values, names = part["_value"], part["_name"]
        fig.add_bar(x=values if many else names, y=names if many else values, orientation="h" if many else "v",
                    name=status, marker_color=colour,
                    marker_opacity=[1 if focus in (None, c) else 0.45 for c in part["code"]],
                    text=[fmt.value(code, v, with_unit=False) for v in part["value"]], textposition="outside",
                    textfont=dict(size=12), cliponaxis=False,
                    hovertemplate="%{" + ("y" if many else "x") + "}：%{text}<extra>" + status + "</extra>")
    if average is not None:
        _reference(fig, average * scale, f"{average_label} {fmt.value(code, average, with_unit=False)}",
                   dict(color=PROVINCE_COLOUR, dash="dash", width=2), many)
    if target is not None:
        _reference(fig, target * scale, f"目标 {fmt.value(code, target, with_unit=False)}",
                   dict(color=TARGET_COLOUR, width=2), many)
    unit = "%" if rate else fmt.value(code, 0).split(" ")[-1]
    height = 150 + BAR_ROW_PX * len(frame) if many else 380
    fig = _layout(fig, fmt.name(code), "" if many else unit, height=height,
                  tickformat=None if many else ".0f" if rate else ".1f")
    fig.update_layout(barmode="overlay", hovermode="closest")
    order = frame["_name"].tolist()
    if many:
        fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", gridcolor="rgba(0,0,0,0)",
                         rangemode="normal")
        # every bar carries its value: no axis to read across two thousand pixels; room on
        # the right for the longest bar's label
        top = max([v for v in frame["_value"] if pd.notna(v)] + [v * scale for v in (average, target) if v is not None],
                  default=1.0)
        fig.update_xaxes(range=[0, top * 1.15], showticklabels=False)
        fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), margin=dict(t=120))
    else:
        fig.update_xaxes(categoryorder="array", categoryarray=order)
    return fig


def _outliers(values: pd.Series) -> pd.Series:
    """Points more than two standard deviations from the mean."""
    spread = values.std()
    return (values - values.mean()).abs() > 2 * spread if spread else pd.Series(False, index=values.index)


def capacity_use(frame: pd.DataFrame, focus: str | None = None) -> go.Figure:
    """Capacity (托位/千人) against use (平均托收率): a unit with empty places is not the same
    problem as a unit with too few; the dotted line is the standard's 平均托收率
    (review.standard_bar). Names are written beside the points up to MANY_UNITS units; above
    that only beside the selected unit and the outliers (hover names the rest).
    frame: code, name, slots_per_1000, occupancy_mean."""
    data = frame.dropna(subset=["slots_per_1000", "occupancy_mean"])
    x, y = data["slots_per_1000"].astype(float), data["occupancy_mean"].astype(float) * 100
    named = (pd.Series(True, index=data.index) if len(data) <= MANY_UNITS
             else _outliers(x) | _outliers(y) | (data["code"] == focus))
    fig = go.Figure()
    fig.add_scatter(x=x, y=y, mode="markers+text", text=[n if k else "" for n, k in zip(data["name"], named)],
                    customdata=data["name"], textposition="top center",
                    marker=dict(size=[16 if c == focus else 11 for c in data["code"]],
                                color=[TARGET_COLOUR if c == focus else REGION_COLOUR for c in data["code"]]),
                    hovertemplate="%{customdata}<br>托位 %{x:.2f} 个/千人<br>平均托收率 %{y:.1f}%<extra></extra>")
    bar = round(review.standard_bar("occupancy_mean") * 100, 1)
    fig.add_hline(y=bar, line=dict(color=TARGET_COLOUR, dash="dot"), annotation_text=f"托收率 {bar:g}%",
                  annotation_position="bottom right")
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(title="每千人口托位数（个）")
    fig = _layout(fig, "托位供给与使用：供给少还是空置多", "平均托收率（%）", height=380)
    return fig.update_yaxes(rangemode="normal")


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
