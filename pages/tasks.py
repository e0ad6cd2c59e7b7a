"""任务台账 (being built)."""

import streamlit as st

from tuoyu import app

sel = app.selection()
app.page_header("任务台账", sel)
st.info("建设中")
