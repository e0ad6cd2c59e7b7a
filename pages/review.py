"""评审指标: the plan's review criteria for the city and each county (DESIGN §5), and every
plan's count-type targets as a checklist."""

import streamlit as st

from tuoyu import review
from tuoyu.ui import figures, selection

sel = selection.current()
selection.page_header("评审指标", sel)
args = (sel.path, sel.plan, sel.region, sel.quarter, sel.counting)   # the selection's tables, drawn once each

if review.has_criteria(sel.plan):
    st.subheader("评审规范")
    figures.review_criteria(*args)

st.subheader("数量类目标清单")
figures.review_checklist(*args)
