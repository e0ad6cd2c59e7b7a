"""任务台账's charts (tuoyu.ledger): the plan's stages and the tasks on a timeline, and the tasks
per 责任单位, in the common look of tuoyu.charts."""

from datetime import date

import altair as alt
import pandas as pd

from . import fmt, tasks
from .charts import PROVINCE_COLOUR, REGION_COLOUR, SERIES, TARGET_COLOUR, day, finish, utc_day

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
        data.append({SERIES: PHASE, "行": label, "起": day(p["drawn_starts_on"]), "止": day(p["ends_on"]),
                     "标注": f"{p['ends_on']:%Y-%m-%d}",
                     "说明": f"{p['phase']}：{start}，{fmt.date_zh(p['ends_on'])}前完成"})
    dated = tasks[tasks["due"].notna()].sort_values("task_id")
    labels = {r["task_id"]: f"{r['task_id']} {r['title'][:12]}{'…' if len(r['title']) > 12 else ''}"
              for r in dated.to_dict("records")}
    rows += list(labels.values())
    for r in dated.to_dict("records"):
        if pd.notna(r["late_since"]):
            data.append({SERIES: OVERDUE, "行": labels[r["task_id"]], "起": day(r["due"]), "止": day(today)})
    for r in dated.to_dict("records"):
        data.append({SERIES: r["status"], "行": labels[r["task_id"]], "起": day(r["due"]), "任务": r["title"],
                     "责任单位": r["responsible_units"], "完成时限": fmt.date_zh(r["due"]),
                     "状态": f"{r['status']} {r['late_text'] or ''}".strip()})
    data.append({SERIES: TODAY, "起": day(today), "标注": f"截至 {today:%Y-%m-%d}"})
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
    now = pd.Timestamp(today)
    lo, hi = (min(dates) - pd.Timedelta(days=60), max(max(dates), now) + pd.Timedelta(days=120)) if dates else \
        (now - pd.Timedelta(days=183), now + pd.Timedelta(days=183))   # a year: one July
    # each year named at its middle, as one names a span of time: "2021年" over 2021's part
    middles = [utc_day(date(y, 7, 1)) for y in range(lo.year, hi.year + 1) if lo <= pd.Timestamp(y, 7, 1) <= hi]

    def x(field):
        return alt.X(f"{field}:T", title=None, scale=alt.Scale(type="utc", domain=[day(lo), day(hi)]),
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
