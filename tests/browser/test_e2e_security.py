"""Issue 16 in a real browser, on a server of its own over a copy of the fixture database:
what people type is shown as typed, never as Markdown (item 5).

The payload is a Markdown image and a Markdown link to a port nothing listens on; a
browser that renders them fetches the image (an <img>) or offers the link (an <a>). Each
place is drawn with the payload and the page must hold neither, nor have asked for the
address, while the text itself is on the page."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser import harness
from tuoyu import auth, db

TRAP = "127.0.0.1:9999"
PAYLOAD = f"![t](http://{TRAP}/x.png)[点此](http://{TRAP}/y)"
SHOWN = ("![t](http", "[点此](http")   # the payload's text as it must appear (no colon: see tuoyu.markup)
ADMIN = {"username": "sec-admin", "password": "sec-Passw0rd!", "display_name": f"管理员{PAYLOAD}"}
TESTPLAN_Q3 = {"plan": "TESTPLAN", "region": "990100", "period": "2024Q3"}
B1_Q3 = ["B1", "2024Q3", "50", "5", "15", "20", "8", "6", "是"]
REPORT_HEADER = ["机构编码", "报告期", "托位数", "乳儿班在托", "托小班在托", "托大班在托", "保育人员数",
                 "持证保育人员数", "是否达标"]


@pytest.fixture(scope="module")
def server(fixture_db_path, tmp_path_factory):
    server = harness.server_on_copy(fixture_db_path, tmp_path_factory.mktemp("browser-security"), "security")
    con = db.connect(server.db_path)
    try:
        auth.add_user(con, ADMIN["username"], ADMIN["display_name"], ADMIN["password"], "管理员")
    finally:
        con.close()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def watched(desktop):
    """The page, and every address it asked for."""
    asked = []
    desktop.on("request", lambda request: asked.append(request.url))
    return desktop, asked


def today_s_ledger(page):
    """The 2024Q3 ledger stands at 2024-09-30 and takes no update; today's (the pinned
    2026-11-23) does."""
    page.get_by_text("查看今天（2026年11月23日）的台账").click()
    harness.wait_drawn(page)


def markdown_found(page, asked, where) -> list[str]:
    """What the page made of the payload at this point, beyond its text: an image, a link,
    a request to the address; or the text missing."""
    harness.wait_drawn(page)
    harness.assert_no_exception(page)
    found = []
    if page.locator(f"img[src*='{TRAP}']").count():
        found.append(f"{where}: an image")
    if page.locator(f"a[href*='{TRAP}']").count():
        found.append(f"{where}: a link")
    if [url for url in asked if TRAP in url]:
        found.append(f"{where}: the address was fetched")
    text = page.locator('[data-testid="stApp"]').inner_text()
    found += [f"{where}: {shown!r} not shown" for shown in SHOWN if shown not in text]
    return found


def test_typed_text_is_never_markdown(watched, server):
    page, asked = watched
    found = []
    # a value from a link, in the app's own warning
    page.goto(server.url("/") + "?" + urlencode({**TESTPLAN_Q3, "period": PAYLOAD}))
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="链接中的报告期")).to_be_visible()
    found += markdown_found(page, asked, "URL value")

    # a display name, in the sidebar
    harness.sign_in(page, ADMIN["username"], ADMIN["password"], "管理员")
    found += markdown_found(page, asked, "display name")

    # a file name, in the import's result and in the import history
    harness.go_to(page, "数据上报")
    harness.upload(page, f"reports{PAYLOAD}.csv", harness.csv_bytes(REPORT_HEADER, [B1_Q3]))
    page.get_by_role("button", name="检查并导入").click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="导入成功")).to_contain_text("第1批")
    expect(page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="新增1行").last).to_be_visible()
    found += markdown_found(page, asked, "import result and history")

    # a task note, in the saved notice, the late-task list and the task's details
    harness.go_to(page, "任务台账")
    today_s_ledger(page)
    form = page.locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="最新进展", exact=True).fill(f"附件见{PAYLOAD}")
    form.get_by_role("button", name="保存更新").click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="已记录 T-1 的更新")).to_be_visible()
    found += markdown_found(page, asked, "task saved, late list and details")

    # a user name typed by an administrator, in the page's answer
    harness.go_to(page, "账号与审计")
    add = page.locator('[data-testid="stForm"]').filter(has_text="新建账号")
    add.get_by_role("textbox", name="用户名", exact=True).fill(f"u{PAYLOAD}")
    add.get_by_label("初始密码", exact=True).fill("a-long-password")
    add.get_by_role("button", name="创建").click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="已创建账号")).to_be_visible()
    found += markdown_found(page, asked, "account created")
    assert found == []


def test_a_file_over_20_mb_is_refused_in_chinese(desktop, server):
    page = desktop
    harness.open_page(page, server.url("/upload", **TESTPLAN_Q3), "数据上报")
    harness.sign_in(page, ADMIN["username"], ADMIN["password"], "管理员")
    big = harness.csv_bytes(REPORT_HEADER, [B1_Q3]) + b"\n" * (21 * 1024 * 1024)
    harness.upload(page, "机构报表.csv", big)
    expect(page.locator('[data-testid="stAlert"]')).to_contain_text(
        "机构报表.csv：文件大小21.0MB，超过20MB上限，请分成几个文件上报")
    expect(page.get_by_role("button", name="检查并导入")).to_be_disabled()
    assert "File must be" not in page.locator('[data-testid="stApp"]').inner_html()


def test_nothing_is_fetched_from_another_host(desktop, server):
    """Page icons included: Streamlit fetches a ':material/…:' favicon from
    fonts.gstatic.com, while the icons beside the page names come from the Material
    Symbols font it serves itself."""
    page, asked = desktop, []
    page.on("request", lambda request: asked.append(request.url))
    harness.open_page(page, server.url("/", **TESTPLAN_Q3), "总览")
    for spec in harness.PAGES[1:]:
        harness.go_to(page, spec.title)
    expect(page.locator('[data-testid="stSidebarNav"] [data-testid="stIconMaterial"]').first).to_be_visible()
    outside = {url.split("/")[2] for url in asked if url.startswith(("http:", "https:"))} - {server.base.split("/")[2]}
    assert outside == set()
    assert any("/media/" in url and url.endswith(".png") for url in asked)     # the page icon, served here


def test_a_visitor_never_sees_the_admin_entry_not_even_first_on_a_fresh_server(browser, fixture_db_path, tmp_path):
    """A fresh server's first answer lists the files of pages/ (Streamlit's older
    multipage path) before st.navigation replaces the list; whether the browser draws
    that list depends on timing, so what the server sends is read instead."""
    fresh = harness.server_on_copy(fixture_db_path, tmp_path, "fresh-admin")
    con = db.connect(fresh.db_path)
    try:
        auth.add_user(con, "boss", "管理员", "boss-Passw0rd!", "管理员")
    finally:
        con.close()
    context = browser.new_context(viewport=harness.DESKTOP)
    received = []
    try:
        fresh.start()
        page = context.new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(
            frame if isinstance(frame, bytes) else frame.encode("utf-8"))))
        harness.open_page(page, fresh.url("/", **TESTPLAN_Q3), "总览")
        assert received and not [f for f in received if b"admin" in f or "账号与审计".encode() in f]
        expect(page.locator('[data-testid="stSidebarNavLink"]')).to_have_count(len(harness.PAGES))
        page.goto(fresh.url("/admin", **TESTPLAN_Q3))
        harness.wait_drawn(page)
        assert "账号与审计" not in page.locator('[data-testid="stApp"]').inner_text()
    finally:
        context.close()
        fresh.stop()


def test_init_is_refused_under_a_running_dashboard_which_keeps_what_it_writes(browser, fixture_db_path, tmp_path,
                                                                               capsys):
    """Item 1 as it was found: `init` on the file a dashboard serves, then a task update on
    the page (said 已记录), then the dashboard stops."""
    from tests.conftest import FIXTURE
    from tuoyu import cli

    dashboard = harness.server_on_copy(fixture_db_path, tmp_path, "held")
    context = browser.new_context(viewport=harness.DESKTOP)
    try:
        dashboard.start()
        page = context.new_page()
        harness.open_page(page, dashboard.url("/tasks", **TESTPLAN_Q3), "任务台账")   # its first session opens the file
        assert cli.main(["--db", str(dashboard.db_path), "init", "--data", str(FIXTURE)]) == 5
        assert f"正被进程 {dashboard.proc.pid} 使用（如正在运行的看板），未重建" in capsys.readouterr().err
        today_s_ledger(page)
        form = page.locator('[data-testid="stForm"]')
        form.get_by_role("textbox", name="记录人", exact=True).fill("张三")
        form.get_by_role("textbox", name="最新进展", exact=True).fill("重建被拒之后的进展")
        form.get_by_role("button", name="保存更新").click()
        expect(page.locator('[data-testid="stAlert"]').filter(has_text="已记录 T-1 的更新")).to_be_visible()
    finally:
        context.close()
        dashboard.stop()
    con = db.connect(dashboard.db_path)
    try:
        assert con.execute("select new_note from task_history").fetchall() == [("重建被拒之后的进展",)]
    finally:
        con.close()
    assert not [p for p in tmp_path.iterdir() if ".building-" in p.name]
