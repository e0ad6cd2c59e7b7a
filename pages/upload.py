"""数据上报 (being built)."""

import streamlit as st

from tuoyu import app

sel = app.selection()
app.page_header("数据上报", sel)
st.info("建设中")
