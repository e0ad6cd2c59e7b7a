"""账号与审计 (restricted/admin.py) under AppTest, signed in through the dashboard's sidebar
on a copy of the fixture database holding two accounts made here: an administrator sees
them listed, creates a third that appears in the list and the audit log; a clerk is refused."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import ENTRY, run_app
from tuoyu import auth, db

ADMIN_PAGE = "restricted/admin.py"
ADMIN_FILE = str(ENTRY.parent / ADMIN_PAGE)


@pytest.fixture
def accounts(db_copy):
    con = db.connect(db_copy)
    try:
        admin = auth.add_user(con, "admin1", "管理员甲", "admin-password", "管理员")
        clerk = auth.add_user(con, "yixian", "乙县填报员", "clerk-password", "县区填报", ("990102",))
    finally:
        con.close()
    return db_copy, admin, clerk


def signed_in(monkeypatch, path, username: str, password: str) -> AppTest:
    at = run_app(monkeypatch, path, plan="TESTPLAN", region="990100", period="2024Q3")
    at.text_input(key="side_sign_in_user").input(username)
    at.text_input(key="side_sign_in_password").input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tables(at: AppTest):
    """The page's two tables: accounts, then the audit log."""
    return at.dataframe[0].value, at.dataframe[1].value


def text_input(at: AppTest, label: str):
    return next(t for t in at.text_input if t.label == label)   # the first: the new-account form's


def test_an_administrator_sees_the_accounts_and_creates_one(monkeypatch, accounts):
    path, _, _ = accounts
    at = signed_in(monkeypatch, path, "admin1", "admin-password")
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "账号与审计"
    users, audit = tables(at)
    listed = users.set_index("用户名")
    assert sorted(listed.index) == ["admin1", "yixian"]
    assert listed.loc["admin1", "角色"] == "管理员" and listed.loc["admin1", "显示名"] == "管理员甲"
    assert listed.loc["yixian", "角色"] == "县区填报" and "990102" in str(listed.loc["yixian", "负责区划"])
    assert "sign_in" in audit["操作"].tolist()                    # admin1's own sign-in just now
    # the two accounts made above, with no one signed in (the command line's "cli")
    assert audit.loc[audit["操作"] == "user_add", "用户"].tolist() == ["cli", "cli"]

    text_input(at, "用户名").input("jiaxian")
    text_input(at, "显示名").input("甲县填报员")
    next(s for s in at.selectbox if s.label == "角色").select("县区填报")
    text_input(at, "初始密码").input("jiaxian-password")
    text_input(at, "负责区划代码（县区填报，逗号分隔）").input("990101")
    next(b for b in at.button if b.label == "创建").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["已创建账号 jiaxian"]
    at.run()                                                      # the tables drawn after the write
    users, audit = tables(at)
    listed = users.set_index("用户名")
    assert sorted(listed.index) == ["admin1", "jiaxian", "yixian"]
    assert listed.loc["jiaxian", "显示名"] == "甲县填报员" and listed.loc["jiaxian", "角色"] == "县区填报"
    added = audit[audit["操作"] == "user_add"]
    assert len(added) == 3
    assert added[added["内容"] == "jiaxian（县区填报）"]["用户"].tolist() == ["admin1"]

    con = db.connect(path)
    try:
        assert auth.sign_in(con, "jiaxian", "jiaxian-password").region_codes == ("990101",)
    finally:
        con.close()


def test_a_clerk_is_refused(monkeypatch, accounts):
    path, _, clerk = accounts
    at = signed_in(monkeypatch, path, "yixian", "clerk-password")
    assert any("已登录：乙县填报员" in c.value for c in at.sidebar.caption)
    # the dashboard does not offer the page to a clerk; run on its own, it refuses
    page = AppTest.from_file(ADMIN_FILE, default_timeout=60)
    monkeypatch.setenv("TUOYU_DB", str(path))
    page.session_state["user"] = clerk
    page.session_state["user_last_seen"] = auth.now()
    page.run()
    assert not page.exception
    assert [e.value for e in page.error] == ["只有管理员可以查看本页。"]
    assert not page.dataframe and not page.text_input


def test_signed_out_is_refused(monkeypatch, accounts):
    path, _, _ = accounts
    monkeypatch.setenv("TUOYU_DB", str(path))
    page = AppTest.from_file(ADMIN_FILE, default_timeout=60)
    page.run()
    assert [e.value for e in page.error] == ["只有管理员可以查看本页。"] and not page.dataframe
