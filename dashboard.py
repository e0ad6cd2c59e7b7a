"""托育示范城市创建监测 — entry: page config, navigation, the shared sidebar."""

from pathlib import Path

import streamlit as st

from tuoyu.ui import access, display, selection

# A local file: Streamlit fetches a ":material/…:" page icon from fonts.gstatic.com.
ICON = Path(__file__).parent / "assets" / "icon.png"
st.set_page_config(page_title="托育示范城市创建监测", page_icon=str(ICON), layout="wide")
display.style()

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/counties.py", title="县区对比", icon=":material/bar_chart:"),
    st.Page("pages/review.py", title="评审指标", icon=":material/fact_check:"),
    st.Page("pages/institutions.py", title="机构明细", icon=":material/list_alt:"),
    st.Page("pages/tasks.py", title="任务台账", icon=":material/task_alt:"),
    st.Page("pages/upload.py", title="数据上报", icon=":material/upload_file:"),
    st.Page("pages/briefing.py", title="简报导出", icon=":material/description:"),
]

user = access.current_user()
access.sign_out_notice()
if user is None and access.sign_in_required():
    st.title("托育示范城市创建监测")
    st.caption("请登录后查看。")
    access.sign_in_form("sign_in")
    st.stop()
if user is not None and user.is_admin:
    # Outside pages/: a fresh server lists that folder's files to whoever asks first.
    PAGES.append(st.Page("restricted/admin.py", title="账号与审计", icon=":material/admin_panel_settings:",
                         url_path="admin"))

page = st.navigation(PAGES)
st.sidebar.markdown("### 托育示范城市创建监测")
access.account_sidebar(user)
chosen = selection.sidebar()
if chosen is None:
    st.stop()
st.session_state["selection"] = chosen
page.run()
