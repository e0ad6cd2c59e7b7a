"""县区对比: which county lags, by how many 托位, and is it below the provincial average; a
county or township among its peers, with its gaps as numbers."""

import streamlit as st

from tuoyu import charts, comparison, fmt, maps
from tuoyu.markup import literal
from tuoyu.ui import figures, loaders, selection, styling

sel = selection.current()
selection.page_header("县区对比", sel)
scopes = loaders.comparison_scopes(sel.path, sel.region, sel.plan_region)
if not scopes:
    st.info(f"{literal(sel.region_name)}没有下级地区可对比。请在左侧选择市、县区或乡镇（街道）。")
    st.stop()
pick = 0
if len(scopes) > 1:
    pick = st.radio("对比范围", range(len(scopes)), format_func=lambda i: scopes[i].label, horizontal=True,
                    key="county_scope")
scope = scopes[pick]
key = (sel.path, sel.plan, scope.region, sel.quarter, sel.counting, scope.focus)   # the view and its charts
view = loaders.comparison_view(*key)
word = view.units_word

mine = comparison.focus_summary(view)
if mine:
    st.subheader(scope.label)
    value, gap, needed, average = st.columns(4)
    value.metric(mine["value_label"], mine["value"], border=True)
    styling.status_badge(value, mine["status"])
    gap.metric(mine["gap_label"], mine["gap"], border=True)
    needed.metric(mine["slots_label"], mine["slots_needed"], border=True)
    average.metric(mine["average_label"], mine["to_average"], border=True)
    st.caption("；".join(t for t in (mine["rank"], mine["detail"]) if t) + "。")

column, _ = comparison.colouring(view)   # what the bars are coloured by, for the caption
slots_col, enrol_col = st.columns(2)
with slots_col:
    figures.unit_bars(*key, "slots_per_1000")
    coloured_by = (f"各{word}{view.target_year or ''}年目标的状态（到期按该年第4季度评价，未到期看本期和趋势）"
                   if column == "status" else f"是否高于{view.average_label}（本方案未对各{word}设定目标）")
    st.caption(f"从高到低排列；柱色表示{coloured_by}；虚线为{view.average_label}"
               + ("，实线为年度目标" if view.year_target is not None else "")
               + f"。口径：{fmt.definition('slots_per_1000')}")
with enrol_col:
    figures.unit_bars(*key, "enrolment_rate")
    st.caption(f"柱色表示是否高于{view.average_label}。口径：{fmt.definition('enrolment_rate')}")

map_col, use_col = st.columns(2)
with map_col:
    mode = st.radio("地图着色", list(maps.MODES), horizontal=True, key="county_map_mode",
                    format_func=lambda m: maps.mode_label(view, m))
    drawn, notice = figures.county_map(*key, mode)
    if drawn:
        st.caption(maps.caption(view, mode))
    if notice:
        st.info(notice, icon=":material/map:")
with use_col:
    figures.capacity_use(*key)
    st.caption("右下方：托位多但空置；左上方：托位少且满员，需要新增托位。"
               + ("名称只标出所选单位和偏离较大的单位，其余请把鼠标移到点上查看。" if len(view.units) > charts.MANY_UNITS else ""))

st.subheader("指标对比表")
table = comparison.table(view)
st.dataframe(styling.style_below_average(table, comparison.below_average(view), comparison.indicator_headers()),
             hide_index=True, width="stretch")
st.caption(f"黄色底色表示低于{view.average_label}；点击列名可排序。"
           f"{'距目标、' if '距目标' in table.columns else ''}与平均之差的单位为 个/千人。")

st.subheader("假如新增托位")
names = dict(zip(view.units["code"], view.units["name"]))
needed = dict(zip(view.units["code"], view.units["slots_needed"]))
offered = comparison.what_if_choices(view)
if len(names) > comparison.WHAT_IF_ALL:
    offered = st.multiselect(f"测算哪些{word}", list(names), default=offered, format_func=names.get,
                             key="county_whatif_units", placeholder=f"选择{word}")
st.caption(f"填入各{word}计划新增的托位数，即可看到新增后各{word}和{view.parent.get('name', '')}的数字。")
extra = {}
boxes = st.columns(3)
for i, code in enumerate(offered):
    hint = f"（尚需{needed[code]}个）" if needed[code] else ""
    extra[code] = boxes[i % 3].number_input(f"{names[code]}新增托位{hint}", min_value=0, step=10, value=0,
                                            key=f"county_whatif_{code}")
result = loaders.what_if(view, extra)
st.dataframe(styling.style_status(result, ("新增后能否达到目标",), comparison.REACH_COLOURS, blank=("年度目标",)),
             hide_index=True, width="stretch")
