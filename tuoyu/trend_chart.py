"""总览's and the briefing's 每千人口托位数 by quarter (trend), in the common look of tuoyu.charts."""

from datetime import date

import altair as alt
import pandas as pd

from . import fmt, periods
from .charts import NATIONAL_COLOUR, PROVINCE_COLOUR, REGION_COLOUR, SERIES, TARGET_COLOUR, day, finish, text_px, utc_day


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
    rows = [(region_name, day(when), value, f"{label}：{value:.2f}") for when, value, label in zip(ends, region, labels)]
    if province_name and province.notna().any():
        average = fmt.average_label(province_name, named=True)
        styles.append((average, PROVINCE_COLOUR, [1, 0], 2))
        rows += [(average, day(when), value, f"{label}：{value:.2f}") for when, value, label in zip(ends, province, labels)]
    if view.staircase:
        styles.append(("方案年度目标", TARGET_COLOUR, [1, 0], 2))
    local = [v for v in list(region) + list(province) if pd.notna(v)] + [target for _, target in view.staircase]
    if view.projection:
        local.append(view.projection[1][1])
        styles.append(("按近四个季度趋势预计", REGION_COLOUR, [6, 4], 2))
        (x0, y0), (x1, y1) = view.projection
        due = f"{x1.year}年第4季度" if x1.month == 12 else f"{x1:%Y年%-m月}"
        # its start is the last quarter's point, whose own tooltip says it
        rows += [("按近四个季度趋势预计", day(x0), y0, None),
                 ("按近四个季度趋势预计", day(x1), y1, f"预计{due} {y1:.2f}")]
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
    domain = [utc_day(d) for d in span] if span else None
    x = alt.X("日期:T", title=None, scale=alt.Scale(type="utc", domain=domain),
              axis=alt.Axis(format="%Y年", values=[utc_day(pd.Timestamp(y, 7, 2)) for y in years
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
    bounds = pd.DataFrame({"日期": [day(pd.Timestamp(y, 1, 1)) for y in years if span[0] < pd.Timestamp(y, 1, 1)]})
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
        steps = pd.DataFrame([("方案年度目标", day(pd.Timestamp(year, 1, 1)), day(pd.Timestamp(year, 12, 31)), target,
                               f"{year}年目标 {target:g}") for year, target in view.staircase],
                             columns=[SERIES, "日期", "止", "值", "提示"])
        step = alt.Chart(steps).encode(x=xs, y=ys)
        layers += [step.mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(x2="止:T",
                                                                            tooltip=alt.Tooltip("提示:N")),
                   *_halo_text(step, "提示", TARGET_COLOUR, align="left", baseline="bottom", dy=-2)]
    if view.projection:
        (x1, y1) = view.projection[1]
        end = pd.DataFrame({"日期": [day(x1)], "值": [y1], "标签": [f"预计 {y1:.2f}"]})
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
    row = sum(text_px(name) + 40 for name in names)   # each name, its symbol and the gap
    return {"expr": f"width < {row} ? 2 : {len(names)}"}


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
        series = pd.DataFrame({SERIES: "全国（公开数据）", "日期": [day(d) for d in ns["period_end"]],
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
