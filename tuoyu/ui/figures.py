"""The pages' charts and styled tables for one selection, drawn once per server and replayed
for every session.

Each function draws where the page calls it, inside st.cache_resource: Streamlit keeps the
elements drawn on the first call (the chart's JSON, the table's cells and styles) and
replays them, as they were, on every later call with the same arguments. What that saves
per run: a chart is built and turned into its Vega-Lite JSON (总览's trend: about 75 and 50 ms of
CPU on this machine); a styled table (a pandas Styler) is computed, translated and converted cell by
cell (总览's two, 30–40 ms together). Each function takes the same plain arguments as the
loader of the view it draws, and clear() empties them with the data caches after every
write. A function here draws with st.* inside the current container, never on a container
passed in (a replay could not find it)."""

from datetime import date

import streamlit as st

from .. import charts, comparison, fmt, ledger_charts, maps, review, trend_chart
from .. import ledger as _ledger
from . import display, loaders, styling

FIGURES = dict(max_entries=256, show_spinner=False)
ALL = []   # every function below, for clear()


def _figure(draw):
    """A drawing function cached and replayed (st.cache_resource), and listed for clear()."""
    cached = st.cache_resource(**FIGURES)(draw)
    ALL.append(cached)
    return cached


@_figure
def trend(path: str, plan: str, region: str, quarter: str, counting: str, region_name: str,
          province_name: str | None) -> None:
    """总览's 每千人口托位数 by quarter (trend_chart.trend)."""
    display.chart(trend_chart.trend(loaders.overview_view(path, plan, region, quarter, counting), region_name,
                               province_name))


@_figure
def county_map(path: str, plan: str, region: str, quarter: str, counting: str, focus: str | None,
               mode: str) -> tuple[bool, str | None]:
    """The units of `region` on a map, coloured by `mode` (maps.county_map): (drawn, notice)."""
    figure, notice = maps.county_map(loaders.comparison_view(path, plan, region, quarter, counting, focus), mode)
    if figure is not None:
        display.chart(figure)
    return figure is not None, notice


@_figure
def unit_bars(path: str, plan: str, region: str, quarter: str, counting: str, focus: str | None, code: str) -> None:
    """县区对比's bars for one indicator: 每千人口托位数 against the target and coloured by status
    (or above/below the average where the plan sets no unit target); 入托率 by above/below.
    The caption under them, saying what the colours and lines mean, with them."""
    view = loaders.comparison_view(path, plan, region, quarter, counting, focus)
    units, some = comparison.bar_units(view, code)   # thousands of units: the highest and the lowest
    bars = units.rename(columns={code: "value"})
    if code == "slots_per_1000":
        column, colours = comparison.colouring(view)
        display.chart(charts.unit_bars(bars, code, view.average.get(code), view.year_target, view.average_label,
                                       colours, column, view.focus))
        word = view.units_word
        average = view.average.get(code) is not None
        coloured_by = (f"柱色表示各{word}{view.target_year or ''}年目标的状态（到期按该年第4季度评价，未到期看本期和趋势）"
                       if column == "status" else
                       f"柱色表示是否高于{view.average_label}（本方案未对各{word}设定目标）" if average else
                       f"{_no_average(view)}（本方案未对各{word}设定目标）")
        lines = ([f"虚线为{view.average_label}"] if average else []) \
            + (["实线为年度目标"] if view.year_target is not None else [])
        st.caption(f"从高到低排列；{coloured_by}" + (f"；{'，'.join(lines)}" if lines else "")
                   + f"。{_all_in_table(some)}口径：{fmt.definition('slots_per_1000')}")
    else:
        display.chart(charts.unit_bars(bars, code, view.average.get(code), None, view.average_label,
                                       comparison.ABOVE_COLOURS, "enrolment_status", view.focus))
        coloured_by = f"柱色表示是否高于{view.average_label}" if view.average.get(code) is not None else _no_average(view)
        st.caption(f"{coloured_by}。{_all_in_table(some)}口径：{fmt.definition(code)}")


def _no_average(view) -> str:
    """The caption where the region has no figure to compare its units with (charts.NOT_COMPARED)."""
    return f"{view.average_label}无数据，无从比较高低，柱为灰色"


def _all_in_table(some: str | None) -> str:
    """The caption's sentence when a bar chart draws some units only (comparison.bar_units)."""
    return f"{some}，全部见下方指标对比表。" if some else ""


@_figure
def capacity_use(path: str, plan: str, region: str, quarter: str, counting: str, focus: str | None) -> None:
    """县区对比's 托位 against 托收率 scatter (charts.capacity_use), and how to read it."""
    view = loaders.comparison_view(path, plan, region, quarter, counting, focus)
    display.chart(charts.capacity_use(view.units, view.focus))
    named = (f"名称只标出所选单位和偏离最大的单位（至多{charts.MOST_NAMED}个，挤在一处的只标一个），"
             "其余请把鼠标移到点上查看。")
    st.caption("右下方：托位多但空置；左上方：托位少且满员，需要新增托位。"
               + (named if len(view.units) > charts.MANY_UNITS else ""))


@_figure
def comparison_table(path: str, plan: str, region: str, quarter: str, counting: str, focus: str | None) -> None:
    """县区对比's table of every indicator per unit (comparison.table), cells below the average
    shaded, and the caption on its colours and units."""
    view = loaders.comparison_view(path, plan, region, quarter, counting, focus)
    table = comparison.table(view)
    sorts = display.below_average_table(table, comparison.below_average(view), comparison.indicator_headers())
    gaps = "、".join(g for g, shown in (("距目标", "距目标" in table.columns),
                                          ("与平均之差", f"与{view.average_label}之差" in table.columns)) if shown)
    st.caption(f"黄色底色表示低于{view.average_label}" + ("；点击列名可排序。" if sorts else "。")
               + (f"{gaps}的单位为 个/千人。" if gaps else ""))


@_figure
def what_if_unchanged(path: str, plan: str, region: str, quarter: str, counting: str, focus: str | None) -> None:
    """县区对比's what-if before any 托位 is typed in (every box 0): the table a link opens with.
    What is typed in is drawn afresh by the page (display.what_if_table)."""
    display.what_if_table(loaders.what_if(loaders.comparison_view(path, plan, region, quarter, counting, focus), {}))


@_figure
def department_counts(path: str, plan: str, as_of: str) -> None:
    """任务台账's tasks per 责任单位 as they stood at the end of `as_of` (ISO date), unfiltered."""
    display.chart(ledger_charts.department_counts(_ledger.department_counts(loaders.ledger_tasks(path, plan, as_of))))


LEDGER_TABLE = ["task_id", "status", "title", "due", "late_text", "progress_note", "updated_on",
                "responsible_units", "indicator_text"]
LEDGER_WIDTHS = {"title": "medium", "late_text": "medium", "progress_note": "large", "responsible_units": "medium",
                 "indicator_text": "large"}


@_figure
def ledger_table(path: str, plan: str, region: str, quarter: str, counting: str, as_of: str, unit: str,
                 statuses: tuple[str, ...], phase: str) -> None:
    """任务台账's table of the tasks the filters keep (责任单位, 状态, 阶段), status cells
    coloured; as they stood at the end of `as_of` (ISO date), indicators for the selection."""
    tasks, _ = loaders.ledger_view(path, plan, region, quarter, counting, as_of)
    table = _ledger.display_table(_ledger.filter_tasks(tasks, unit, list(statuses), phase), LEDGER_TABLE)
    display.table(table, "tasks_ledger", 10, colours=styling.TASK_STATUS_COLOURS,
                  column_config={_ledger.HEADERS[c]: st.column_config.TextColumn(width=w)
                                 for c, w in LEDGER_WIDTHS.items()})


@_figure
def ledger_timeline(path: str, plan: str, as_of: str, unit: str, statuses: tuple[str, ...], phase: str) -> None:
    """任务台账's stages and the tasks the filters keep on a timeline (ledger_charts.ledger_timeline)."""
    shown = _ledger.filter_tasks(loaders.ledger_tasks(path, plan, as_of), unit, list(statuses), phase)
    display.chart(ledger_charts.ledger_timeline(loaders.ledger_phases(path, plan), shown, date.fromisoformat(as_of)))


@_figure
def overview_targets(path: str, plan: str, region: str, quarter: str, counting: str) -> None:
    """总览's table of the plan's targets (display.status_table)."""
    display.status_table(loaders.overview_view(path, plan, region, quarter, counting).status, key="overview_targets")


@_figure
def overview_units(path: str, plan: str, region: str, quarter: str, counting: str, focus: str | None) -> None:
    """总览's units in brief beside the map (display.units_table)."""
    display.units_table(loaders.comparison_view(path, plan, region, quarter, counting, focus))


# the verdict and the figure first: on a phone they are what stays on screen
REVIEW_DETAIL = ["verdict", "region_name", "detail"]
REVIEW_CHECKLIST = ["verdict", "value", "indicator_name", "region_name", "requirement", "reading", "judged_at", "detail",
                    "source"]


@_figure
def review_criteria(path: str, plan: str, region: str, quarter: str, counting: str) -> None:
    """评审指标's review criteria (DESIGN §5): the verdicts in one line, the matrix of units by
    criterion, and each criterion in an expander with its text, source and the units' figures."""
    table, _ = loaders.review_view(path, plan, region, quarter, counting)
    if table.empty:
        st.info("所选地区没有可评审的单位。")
        return
    st.markdown(f"**{review.summary(table)}**")
    matrix = review.matrix(table)
    display.table(matrix.reset_index(), "review_matrix", 10, columns=tuple(matrix.columns))
    st.caption("要求所辖每个县区均达标的条款，全市结论已综合所辖县区；展开各条可查看依据数据与条款原文。")
    for number, rows in table.groupby("criterion", sort=True):
        head = rows.iloc[0]
        parent = rows[rows["is_parent"]].iloc[0]
        with st.expander(f"{number}. {head['title']} · {parent['region_name']} {parent['verdict']}"):
            st.markdown(f"> {head['text']}")
            st.caption(f"出处：{head['source']}")
            details = rows[REVIEW_DETAIL].rename(columns=review.CRITERIA_HEADERS)
            display.table(details, f"review_detail_{number}", 10, columns=("结论",))


@_figure
def review_checklist(path: str, plan: str, region: str, quarter: str, counting: str) -> None:
    """评审指标's count-type targets as a checklist, verdict first."""
    _, checklist = loaders.review_view(path, plan, region, quarter, counting)
    if checklist.empty:
        st.info("本方案对所选地区没有数量类目标（示范机构、指导中心、用人单位办托等）。")
        return
    shown = checklist[REVIEW_CHECKLIST].rename(columns=review.CHECKLIST_HEADERS)
    display.table(shown, "review_checklist", 10, columns=("结论",))
    st.caption("到期的目标按该年第4季度的数据评价（达标/未达标）；未到期的看所选报告期的数据和近四个季度的趋势"
               "（已达到（未到期）/预计达标/有风险）。“解读”列写明原文含糊之处的计算口径。")


# what a task update changes: nothing else reads the tasks
LEDGER = (department_counts, ledger_table, ledger_timeline)


def clear(figures=None) -> None:
    """After a write: the figures and tables drawn from what it changed (default: all, after
    an import or an undo; LEDGER after a task update) are drawn again from the new data."""
    for cached in ALL if figures is None else figures:
        cached.clear()
