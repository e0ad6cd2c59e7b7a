"""县区对比: which county lags, by how many 托位, and is it below the provincial average."""

import streamlit as st

from tuoyu import app, charts, comparison
from tuoyu.markup import literal

sel = app.selection()
app.page_header("县区对比", sel)
view = app.comparison_view(sel.path, sel.plan, sel.region, sel.quarter, sel.counting)

if view.units.empty:
    st.info(f"{literal(sel.region_name)}下没有可对比的下级地区，请在左侧选择市或县。")
    st.stop()

bars = view.units.rename(columns={"slots_per_1000": "value"})
st.plotly_chart(charts.unit_bars(bars, "slots_per_1000", view.average.get("slots_per_1000"), view.year_target,
                                 view.average_label), width="stretch")
st.caption(f"柱色表示各单位{view.target_year or ''}年目标的状态（到期按该年第4季度评价，未到期看本期和趋势）；"
           f"虚线为{view.average_label}，实线为年度目标。"
           f"口径：{app.definition('slots_per_1000')}")

left, right = st.columns(2)
with left:
    enrol = view.units.rename(columns={"enrolment_rate": "value", "status": "_", "enrolment_status": "status"})
    st.plotly_chart(charts.unit_bars(enrol, "enrolment_rate", view.average.get("enrolment_rate"), None,
                                     view.average_label, comparison.ABOVE_COLOURS), width="stretch")
    st.caption(f"柱色表示是否高于{view.average_label}。口径：{app.definition('enrolment_rate')}")
with right:
    st.plotly_chart(charts.capacity_use(view.units.rename(columns={"name": "name"})), width="stretch")
    st.caption("右下方：托位多但空置；左上方：托位少且满员，需要新增托位。")

st.subheader("指标对比表")
table = comparison.table(view)
st.dataframe(app.style_below_average(table, comparison.below_average(view), comparison.indicator_headers()),
             hide_index=True, width="stretch")
st.caption(f"黄色底色表示低于{view.average_label}；点击列名可排序。距目标、与平均之差的单位为 个/千人。")

st.subheader("假如新增托位")
st.caption("在“新增托位”列填入各县区计划新增的托位数，即可看到新增后的县区和全市数字。")
plan_input = st.data_editor(
    view.units[["code", "name", "slots_needed"]].assign(extra=0),
    column_config={"code": None, "name": st.column_config.TextColumn("县区", disabled=True),
                   "slots_needed": st.column_config.NumberColumn("尚需托位", disabled=True),
                   "extra": st.column_config.NumberColumn("新增托位", min_value=0, step=10)},
    hide_index=True, key="county_whatif")
result = app.what_if(view, dict(zip(plan_input["code"], plan_input["extra"])))
st.dataframe(app.style_status(result, ("新增后能否达到目标",), comparison.REACH_COLOURS), hide_index=True,
             width="stretch")
