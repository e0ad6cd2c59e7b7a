"""县区对比: which county lags, by how many 托位, and is it below the provincial average; a
county or township among its peers, with its gaps as numbers."""

import streamlit as st

from tuoyu import comparison, maps
from tuoyu.markup import literal
from tuoyu.ui import display, figures, loaders, selection, styling

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

slots_col, enrol_col = st.columns(2)
with slots_col:
    figures.unit_bars(*key, "slots_per_1000")
with enrol_col:
    figures.unit_bars(*key, "enrolment_rate")


@st.fragment   # the map's colouring reruns the map alone, not the page
def map_section(key: tuple, view) -> None:
    labels = {m: maps.mode_label(view, m) for m in maps.MODES}   # once each: the radio asks more than once a run
    mode = st.radio("地图着色", list(maps.MODES), horizontal=True, key="county_map_mode", format_func=labels.get)
    drawn, notice = figures.county_map(*key, mode)
    if drawn:
        st.caption(maps.caption(view, mode))
    if notice:
        st.info(notice, icon=":material/map:")


map_col, use_col = st.columns(2)
with map_col:
    map_section(key, view)
with use_col:
    figures.capacity_use(*key)

with st.container(key="print_wide_comparison"):   # on paper a page of its own, turned sideways
    st.subheader("指标对比表")
    figures.comparison_table(*key)

st.subheader("假如新增托位")


@st.fragment   # a number typed in reruns the what-if alone, not the charts and tables above it
def what_if_section(key: tuple, view) -> None:
    word = view.units_word
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
    if any(extra.values()):
        display.what_if_table(loaders.what_if(view, extra))
    else:
        figures.what_if_unchanged(*key)   # nothing added: the same table for everyone


what_if_section(key, view)
