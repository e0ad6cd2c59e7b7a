"""Servers and the browser for the real-browser tests: one Chromium for the session, one
`streamlit run dashboard.py` on a copy of the sample database and one on a copy of the
hand-made fixture database, each started once and stopped at the end (also when a test or
the start itself fails). Tests that write (upload, task updates) get their own server so
that a failure half-way cannot move the figures another test expects.

The servers inherit tests/conftest.py's environment: "today" pinned, and reading without
sign-in (the fixture is not the sample)."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser import harness
from tuoyu import auth, db

# An administrator in the writable server's database: imports and task updates are writes.
EDITOR = {"username": "e2e", "display_name": "浏览器测试", "password": "e2e-Passw0rd!"}


def pytest_collection_modifyitems(session, config, items):
    """Run the browser tests after all the others: the session's servers and browser are
    started when first needed, so they then live only while these tests run (and the
    quick tests report first)."""
    here = Path(__file__).parent
    items.sort(key=lambda item: item.path.is_relative_to(here))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = harness.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _serve(db_file, tmp_path_factory, name, prepare=None):
    server = harness.server_on_copy(db_file, tmp_path_factory.mktemp(f"browser-{name}"), name)
    if prepare:
        prepare(server.db_path)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sample_server(sample_db_path, tmp_path_factory):
    yield from _serve(sample_db_path, tmp_path_factory, "sample")


@pytest.fixture(scope="session")
def fixture_server(fixture_db_path, tmp_path_factory):
    yield from _serve(fixture_db_path, tmp_path_factory, "fixture")


@pytest.fixture(scope="session")
def writable_server(fixture_db_path, tmp_path_factory):
    """The fixture database, with an administrator account, for the tests that import
    data or update tasks."""
    yield from _serve(fixture_db_path, tmp_path_factory, "writable", _add_editor)


def _add_editor(path):
    con = db.connect(path)
    try:
        auth.add_user(con, EDITOR["username"], EDITOR["display_name"], EDITOR["password"], "管理员")
    finally:
        con.close()


@pytest.fixture
def editor():
    return EDITOR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


def _page(browser, request, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  accept_downloads=True, **options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
        if request.node.stash.get(_FAILED, False):
            _screenshot_failure(page, request.node.name)
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _screenshot_failure(page, test_name):
    """What the page showed when the test failed, for whoever reads the CI log."""
    name = "".join(c if c.isalnum() or c in "-_[]" else "_" for c in test_name)
    try:
        page.screenshot(path=str(harness.SCREENSHOTS / "failed" / f"{name}.png"), timeout=10_000)
    except Exception as exc:  # never hide the failure itself
        print(f"no failure screenshot for {test_name}: {exc}")


@pytest.fixture
def desktop(browser, request):
    """A fresh browser context (so a fresh Streamlit session) at 1400 × 900."""
    yield from _page(browser, request, harness.DESKTOP)


@pytest.fixture
def phone(browser, request):
    """A fresh browser context at a phone's 390 × 844, touch and mobile layout."""
    yield from _page(browser, request, harness.PHONE, is_mobile=True, has_touch=True)
