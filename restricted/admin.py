"""账号与审计 (administrators only): accounts, and who did what."""

import streamlit as st

from tuoyu import auth
from tuoyu.markup import literal
from tuoyu.ui import access, loaders

user = access.current_user()
st.title("账号与审计")
if user is None or not user.is_admin:
    st.error("只有管理员可以查看本页。")
    st.stop()

st.subheader("账号")
st.dataframe(access.users_table(), hide_index=True, width="stretch")

with st.form("admin_add_user", clear_on_submit=True):
    st.markdown("**新建账号**")
    left, right = st.columns(2)
    username = left.text_input("用户名")
    name = right.text_input("显示名")
    role = left.selectbox("角色", auth.ROLES)
    password = right.text_input("初始密码", type="password")
    regions = left.text_input("负责区划代码（县区填报，逗号分隔）")
    department = right.text_input("所在单位（责任单位，如 市教育局）")
    if st.form_submit_button("创建"):
        access.run_admin_action(lambda: auth.add_user(loaders.con(), username, name, password, role,
                                                   tuple(filter(None, regions.split(","))), department or None,
                                                   actor=user), f"已创建账号 {literal(username)}")

with st.form("admin_manage_user"):
    st.markdown("**停用 / 启用 / 重设密码**")
    target = st.text_input("用户名", key="admin_target")
    new_password = st.text_input("新密码（重设时填写）", type="password", key="admin_new_password")
    c1, c2, c3 = st.columns(3)
    if c1.form_submit_button("停用"):
        access.run_admin_action(lambda: auth.set_disabled(loaders.con(), target, True, actor=user), f"已停用 {literal(target)}")
    if c2.form_submit_button("启用"):
        access.run_admin_action(lambda: auth.set_disabled(loaders.con(), target, False, actor=user), f"已启用 {literal(target)}")
    if c3.form_submit_button("重设密码"):
        access.run_admin_action(lambda: auth.set_password(loaders.con(), target, new_password, actor=user),
                             f"已重设 {literal(target)} 的密码")

st.subheader("审计日志")
st.dataframe(access.audit_table(), hide_index=True, width="stretch")
