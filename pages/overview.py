"""总览: are we on track for this year's target, and which targets are met."""

import streamlit as st

from tuoyu import app, charts

sel = app.selection()
app.page_header("总览", sel)
view = app.overview_view(sel.path, sel.plan, sel.region, sel.quarter, sel.counting)
snap = view.snapshot

for notice in view.notices:
    st.info(notice, icon=":material/schedule:")

cols = st.columns(len(view.metrics))
for col, m in zip(cols, view.metrics):
    col.metric(m.label, m.value, m.delta, help=m.help, border=True)
    if m.targets:
        col.caption(m.targets)
st.caption("变化为与上一季度相比；把鼠标移到指标名旁的问号上可查看口径说明。")

st.subheader("进度与差距")
left, right = st.columns([3, 1])
with left:
    province = snap["provincial_average"]
    province_name = app.region_name(sel.path, province["region_code"]) if province else None
    st.plotly_chart(charts.trend(view, sel.region_name, province_name), width="stretch")
with right:
    st.metric("距年度目标尚需托位", "无数据" if snap["slots_needed"] is None else f"{snap['slots_needed']} 个",
              help=app.definition("slots_needed"), border=True)
    st.markdown(view.gap_sentence)

st.subheader("方案目标完成情况")
if view.status.empty:
    st.info("所选方案对该地区没有设定目标。")
else:
    st.dataframe(app.style_status(view.status), hide_index=True, width="stretch",
                 height=35 * (len(view.status) + 1) + 3)
