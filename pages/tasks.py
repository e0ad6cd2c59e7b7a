"""任务台账: the plan's tasks with their owners and deadlines — which are late, since when,
what was last reported — the stages on a timeline, and progress updates with their history."""

import streamlit as st

from tuoyu import ledger, periods
from tuoyu.markup import literal
from tuoyu.ui import access, display, figures, loaders, selection, tasks_page

LATE_LISTED = 8

sel = selection.current()
selection.page_header("任务台账", sel)
flash = st.session_state.pop("tasks_flash", None)
if flash:
    st.success(literal(flash), icon=":material/check_circle:")

# as of the period's last day (DESIGN §4.3); today on request, or while the period runs
today, as_of = periods.today(), periods.as_of(sel.quarter)
if as_of < today and st.toggle(f"查看今天（{ledger.date_zh(today)}）的台账", key="tasks_today",
                               help=f"默认显示{periods.label(sel.quarter)}末的台账：此后记录的状态和进展不显示。"):
    as_of = today
tasks, links = loaders.ledger_view(sel.path, sel.plan, sel.region, sel.quarter, sel.counting, as_of.isoformat())
if tasks.empty:
    st.info("所选方案没有列入任务台账的任务。")
    st.stop()
phases = loaders.ledger_phases(sel.path, sel.plan)

left, middle, right = st.columns(3)
unit = left.selectbox("责任单位", [ledger.ALL] + ledger.departments(tasks), key="tasks_unit",
                      help="列出该单位牵头或参与的全部任务。")
statuses = middle.multiselect("状态", ledger.STATUSES, key="tasks_statuses", placeholder="全部状态")
phase = right.selectbox("阶段（按完成时限所在阶段）", [ledger.ALL] + phases["phase"].tolist(),
                        key="tasks_phase", disabled=phases.empty)
shown = ledger.filter_tasks(tasks, unit, statuses, phase)

st.markdown(f"**{literal(ledger.summary(shown, unit))}**（截至{ledger.date_zh(as_of)}；超过完成时限仍未完成的任务自动列为滞后）")
late = ledger.late_lines(shown)
if late:
    with st.container(border=True):
        st.markdown(":red[**⚠ 滞后任务**]（逾期最久的在前）")
        for line in late[:LATE_LISTED]:
            st.markdown(f"- {line}")
        if len(late) > LATE_LISTED:
            st.caption(f"另有{len(late) - LATE_LISTED}项滞后任务，见下表；可按责任单位筛选。")

filters = (as_of.isoformat(), unit, tuple(statuses), phase)   # the table and the timeline, drawn once each
figures.ledger_table(sel.path, sel.plan, sel.region, sel.quarter, sel.counting, *filters)
label = loaders.dataset_label(sel.path)
subtitle = (f"截至{ledger.date_zh(as_of)} · 关联指标：{sel.region_name}{periods.label(sel.quarter)}"
            + (f" · {label}" if label else ""))
st.download_button("导出 Excel（按责任单位分组）", key="tasks_export", on_click="ignore",
                   data=lambda: ledger.to_excel(shown, None if unit == ledger.ALL else [unit],   # written on a press
                                                f"{sel.plan_title} 任务台账", subtitle),
                   file_name=f"任务台账_{sel.plan}_{as_of:%Y%m%d}.xlsx", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

counts_col, timeline_col = st.columns([2, 3])
with counts_col:
    figures.department_counts(sel.path, sel.plan, as_of.isoformat())
    st.caption("全部任务，不受上方筛选影响；一项任务由几个单位负责，就计入每个单位。")
with timeline_col:
    figures.ledger_timeline(sel.path, sel.plan, *filters)

st.subheader("任务详情与进展更新")
if shown.empty:
    st.info("没有符合筛选条件的任务。")
    st.stop()
titles = dict(zip(shown["task_id"], shown["title"]))
pick = st.selectbox("选择任务", list(titles), key="tasks_pick", format_func=lambda t: f"{t} {titles[t]}")
task = shown.set_index("task_id").loc[pick]
info, form_col = st.columns([3, 2])
with info:
    st.markdown(f"**{literal(task['title'])}**（{literal(task['section'])}，出处 {literal(loaders.cite(task['source']))}）")
    st.markdown(f"责任单位：**{literal(task['lead_unit'])}**（牵头）" + "".join(f"、{literal(u)}" for u in task["units"][1:]))
    st.markdown(f"完成时限：{ledger.date_zh(task['due']) or '未规定'} · 状态：**{task['status']}** {task['late_text']}")
    st.markdown(f"最新进展（{ledger.date_zh(task['updated_on']) or '—'}）：{literal(task['progress_note'] or '尚无进展报告')}")
    mine = links[links["indicator"].isin(ledger.units_of(task["indicators"]))]
    for r in mine.to_dict("records"):
        st.caption(f"{r['name']}：{r['value_text']}，{r['detail'] or ledger.NO_TARGET}")
user, refusal = access.write_access()
with form_col:
    if as_of < today:  # the form starts from the task as it is now, never from a past state
        st.info(f"上表为{ledger.date_zh(as_of)}的台账。更新任务请打开上方的“查看今天的台账”。",
                icon=":material/history:")
    else:
        tasks_page.task_form(pick, task, user, refusal)

changes = ledger.history_table(tasks_page.ledger_history(sel.path, sel.plan, as_of.isoformat()), pick)
with st.expander(f"{literal(pick)} 的更新记录（{len(changes)}条）", expanded=True):
    if changes.empty:
        st.caption("尚无更新记录。")
    else:
        display.table(changes, "tasks_history", 10, columns=())
