"""简报导出 (being built)."""

import streamlit as st

from tuoyu import app

sel = app.selection()
app.page_header("简报导出", sel)
st.info("建设中")
