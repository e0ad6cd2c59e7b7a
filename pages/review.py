"""评审指标: the plan's review criteria for the city and each county (DESIGN §5), and every
plan's count-type targets as a checklist."""

import streamlit as st

from tuoyu import review
from tuoyu.ui import loaders, selection, styling

# the verdict and the figure first: on a phone they are what stays on screen
DETAIL_SHOWN = ["verdict", "region_name", "detail"]
CHECKLIST_SHOWN = ["verdict", "value", "indicator_name", "region_name", "requirement", "reading", "judged_at", "detail",
                   "source"]

sel = selection.current()
selection.page_header("评审指标", sel)
table, checklist = loaders.review_view(sel.path, sel.plan, sel.region, sel.quarter, sel.counting)

if review.has_criteria(sel.plan):
    st.subheader("评审规范")
    if table.empty:
        st.info("所选地区没有可评审的单位。")
    else:
        st.markdown(f"**{review.summary(table)}**")
        matrix = review.matrix(table)
        st.dataframe(styling.style_status(matrix, tuple(matrix.columns)), width="stretch")
        st.caption("要求所辖每个县区均达标的条款，全市结论已综合所辖县区；展开各条可查看依据数据与条款原文。")
        for number, rows in table.groupby("criterion", sort=True):
            head = rows.iloc[0]
            parent = rows[rows["is_parent"]].iloc[0]
            with st.expander(f"{number}. {head['title']} · {parent['region_name']} {parent['verdict']}"):
                st.markdown(f"> {head['text']}")
                st.caption(f"出处：{head['source']}")
                details = rows[DETAIL_SHOWN].rename(columns=review.CRITERIA_HEADERS)
                st.dataframe(styling.style_status(details, ("结论",)), hide_index=True, width="stretch")

st.subheader("数量类目标清单")
if checklist.empty:
    st.info("本方案对所选地区没有数量类目标（示范机构、指导中心、用人单位办托等）。")
else:
    shown = checklist[CHECKLIST_SHOWN].rename(columns=review.CHECKLIST_HEADERS)
    st.dataframe(styling.style_status(shown, ("结论",)), hide_index=True, width="stretch")
    st.caption("到期的目标按该年第4季度的数据评价（达标/未达标）；未到期的看所选报告期的数据和近四个季度的趋势"
               "（已达到（未到期）/预计达标/有风险）。“解读”列写明原文含糊之处的计算口径。")
