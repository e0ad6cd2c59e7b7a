"""Sign-in glue: the signed-in user kept in the session, the sign-in form (username and
password, or the deployment's identity provider), the account in the sidebar, who may
write, and the account tables of 账号与审计. The rules are tuoyu.auth's."""

import os

import pandas as pd
import streamlit as st

from .. import auth
from ..markup import literal
from . import loaders
from .loaders import con


def current_user() -> auth.User | None:
    """The signed-in user as the account stands now, or None: signs out after
    SESSION_TIMEOUT_MINUTES idle, and at once when the account was disabled or given a new
    password since sign-in (auth.current)."""
    user = st.session_state.get("user")
    if user is None:
        return None
    if auth.session_expired(st.session_state.get("user_last_seen")):
        sign_out("长时间未操作，已自动退出登录，请重新登录。")
        return None
    try:
        user = auth.current(con(), user, "session")
    except auth.SessionEnded as ended:
        sign_out(str(ended))
        return None
    st.session_state["user"] = user
    st.session_state["user_last_seen"] = auth.now()
    return user


def sign_out(reason: str | None = None) -> None:
    st.session_state.pop("user", None)
    st.session_state.pop("user_last_seen", None)
    if reason:
        st.session_state["sign_out_reason"] = reason


def sign_out_notice() -> None:
    """Why this session was signed out (idle, account disabled, password changed), once,
    where it is seen whatever the page."""
    reason = st.session_state.pop("sign_out_reason", None)
    if reason:
        st.warning(reason, icon=":material/logout:")


def as_signed_in(write):
    """Run a write made for the signed-in user; when the account has ended the session
    meanwhile (auth.SessionEnded), sign out with its notice and draw the page again."""
    try:
        return write()
    except auth.SessionEnded as ended:
        sign_out(str(ended))
        st.rerun()


def client_address() -> str | None:
    """Where a sign-in comes from, for the back-off by client: the connection's address,
    or the header a reverse proxy sets when TUOYU_CLIENT_HEADER names it (behind a proxy
    every connection comes from the proxy)."""
    header = os.environ.get("TUOYU_CLIENT_HEADER")
    if header and st.context.headers.get(header):
        return st.context.headers.get(header).split(",")[0].strip()
    return st.context.ip_address


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in_form(key: str) -> None:
    """Username and password (or the deployment's identity provider, when configured)."""
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            _sign_in_oidc()
        else:
            st.button("使用统一身份认证登录", key=f"{key}_oidc", on_click=st.login)
    with st.form(key):
        username = st.text_input("用户名", key=f"{key}_user")
        password = st.text_input("密码", type="password", key=f"{key}_password")
        if st.form_submit_button("登录", type="primary"):
            try:
                st.session_state["user"] = auth.sign_in(con(), username, password, client=client_address())
                st.session_state["user_last_seen"] = auth.now()
                st.rerun()
            except auth.AuthError as exc:
                st.error(literal(exc))


def _sign_in_oidc() -> None:
    """Map the identity provider's e-mail to an account of the same user name."""
    email = st.user.get("email")
    try:
        user = auth.get_user(con(), email)
    except auth.AuthError:
        st.error(f"{literal(email)} 尚未开通账号，请联系管理员。")
        return
    auth.audit(con(), user, "sign_in", "统一身份认证")
    st.session_state["user"] = user
    st.session_state["user_last_seen"] = auth.now()
    st.rerun()


def account_sidebar(user: auth.User | None) -> None:
    if user is None:
        with st.sidebar.expander("登录（上报数据、更新任务需登录）"):
            sign_in_form("side_sign_in")
        return
    st.sidebar.caption(f"已登录：{literal(user.label())}")
    if st.sidebar.button("退出登录", key="sign_out"):
        auth.audit(con(), user, "sign_out")
        sign_out()
        st.rerun()


def users_table() -> pd.DataFrame:
    return auth.list_users(con()).rename(columns={
        "username": "用户名", "display_name": "显示名", "role": "角色", "region_codes": "负责区划",
        "department": "所在单位", "is_disabled": "已停用", "failed_attempts": "连续失败次数",
        "created_at": "创建时间", "password_changed_at": "改密时间"})


def audit_table() -> pd.DataFrame:
    return auth.audit_events(con()).rename(columns={
        "event_id": "序号", "event_at": "时间", "username": "用户", "action": "操作", "detail": "内容", "ok": "成功"})


def run_admin_action(action, success: str) -> None:
    try:
        as_signed_in(action)
        st.success(success)
    except auth.AuthError as exc:
        st.error(literal(exc))


OPEN_WRITES_NOTICE = ("尚未开通任何账号，任何人填写姓名即可写入。管理员开通账号后，"
                      "只有有权限的账号登录后才能上报数据、更新任务。")


def write_access() -> tuple[auth.User | None, str | None]:
    """(signed-in user, refusal). With accounts in the database, writing needs sign-in;
    without any (a demonstration database) it is open: (None, None)."""
    user = current_user()
    if user is not None or not auth.accounts_exist(con()):
        return user, None
    return None, "写入数据需要登录：请先在左侧“登录”中输入账号和密码。"


def sign_in_required() -> bool:
    # every run asks: the label is cached (loaders.dataset_label), not read from the database each time
    return auth.sign_in_required_for(loaders.dataset_label(loaders.database_path()))
