"""总览: will we make this year's target, who lags, and where every target of the plan stands."""

import streamlit as st

from tuoyu import fmt, maps
from tuoyu.ui import display, figures, loaders, selection, styling

sel = selection.current()
selection.page_header("总览", sel)
view = loaders.overview_view(sel.path, sel.plan, sel.region, sel.quarter, sel.counting)
snap = view.snapshot

with st.container(border=True):
    styling.status_badge(st, view.headline_status)
    first, *rest = view.headline
    st.markdown(f"**{first}**")
    for line in rest:
        st.markdown(line)

for notice in view.notices:
    st.info(notice, icon=":material/schedule:")

cols = st.columns(len(view.metrics))
for col, m in zip(cols, view.metrics):
    col.metric(m.label, m.value, m.delta, delta_color="off", delta_arrow="off" if m.flat else "auto",
               help=m.help, border=True)
    styling.status_badge(col, m.status, m.status_label)
    if m.targets:
        col.caption(m.targets)
st.caption("变化为与上一季度相比；徽标为该指标本年度（或下一个）目标的状态；把鼠标移到指标名旁的问号上可查看口径说明。")

st.subheader("进度与差距")
left, right = st.columns([3, 1])
with left:
    province = snap["provincial_average"]
    province_name = loaders.region_name(sel.path, province["region_code"]) if province else None
    figures.trend(sel.path, sel.plan, sel.region, sel.quarter, sel.counting, sel.region_name, province_name)
with right:
    target = snap["year_target"]
    st.metric(f"距{target['year']}年目标尚需托位" if target else "距年度目标尚需托位",
              "无数据" if snap["slots_needed"] is None else f"{snap['slots_needed']} 个",
              help=fmt.definition("slots_needed"), border=True)
    if target is None:
        st.caption("本方案未对该地区设定每千人口托位数目标。")


@st.fragment   # the map's colouring reruns this part alone, not the whole page
def units_section(key: tuple, peers) -> None:
    with st.container(key="screen_only_overview_map_mode"):
        mode = st.radio("地图着色", list(maps.MODES), horizontal=True, key="overview_map_mode",
                        format_func=lambda m: maps.mode_label(peers, m))
    map_col, list_col = st.columns(2)
    with map_col:
        drawn, notice = figures.county_map(*key, mode)
        if drawn:
            st.caption(maps.caption(peers, mode) + "详见“县区对比”。")
        if notice:
            st.info(notice, icon=":material/map:")
    with list_col, st.container(key="screen_only_overview_units"):   # on paper the target table has them
        figures.overview_units(*key)


key = loaders.peers_key(sel)   # the comparison beside the map, and the map's own key
peers = loaders.comparison_view(*key) if key else None
if peers is not None and not peers.units.empty:
    with st.container(key="print_together_units"):   # on paper the heading does not end a page alone
        st.subheader(f"各{peers.units_word}情况")
        units_section(key, peers)

st.subheader("方案目标完成情况")
if view.status.empty:
    st.info("所选方案对该地区没有设定目标。")
else:
    st.caption("按状态排列：未达标、有风险在前。到期的目标按该年第4季度的数值评价，未到期的看本期数值和趋势。")
    figures.overview_targets(sel.path, sel.plan, sel.region, sel.quarter, sel.counting)
if not view.references.empty:
    st.caption("参考目标（上级地区的目标，不对本地区作评价）")
    display.table(view.references, "overview_references", 10)
