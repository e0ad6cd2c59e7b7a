"""The real-browser harness shared by the browser tests and scripts/refresh_screenshots.py:
a `streamlit run dashboard.py` server on a free loopback port, Debian's Chromium driven by
Playwright (its own browser download is never used), and the waits and checks a page needs.

Streamlit draws everything after the page has loaded, over a websocket, so every wait here
is for a condition in the page (the script has finished, a text has appeared), never a
fixed sleep."""

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}

HEALTH_TIMEOUT_S = 60
RUN_TIMEOUT_MS = 60_000      # one script run, including a cold cache on a fresh server
expect.set_options(timeout=30_000)

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
CHART = ".vega-embed"           # a Vega-Lite chart (tuoyu.charts), drawn as SVG by Streamlit
METRIC = '[data-testid="stMetric"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
# a table as a grid (st.dataframe) or drawn whole and static (tuoyu.ui.display.static_table)
TABLE = '[data-testid="stDataFrame"], .table-box'
CAPTION = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'   # the page's, not the sidebar's


@dataclass(frozen=True)
class PageSpec:
    """A page as the navigation names it, and what it must show once drawn."""
    name: str            # URL path and screenshot name
    title: str           # st.title
    has_chart: bool      # draws at least one chart

    @property
    def path(self) -> str:
        return "/" if self.name == "overview" else f"/{self.name}"


PAGES = [
    PageSpec("overview", "总览", True),
    PageSpec("counties", "县区对比", True),
    PageSpec("review", "评审指标", False),
    PageSpec("institutions", "机构明细", False),
    PageSpec("tasks", "任务台账", True),            # DESIGN §7.5: the timeline chart
    PageSpec("upload", "数据上报", False),
    PageSpec("briefing", "简报导出", False),
]
PLACEHOLDER = "建设中"   # what a page shows before it is built

# The view the screenshots show (README and test-output): the sample's Zhongwei plan for
# the city at 2024Q4; 机构明细 for one county (海原县), where a list is readable.
SAMPLE_VIEW = {"plan": "ZHONGWEI", "region": "640500", "period": "2024Q4"}
SAMPLE_VIEW_BY_PAGE = {"institutions": {"region": "640522"}}


def sample_view(spec: PageSpec) -> dict:
    return SAMPLE_VIEW | SAMPLE_VIEW_BY_PAGE.get(spec.name, {})


# ------------------------------------------------------------------ the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Run as the server's first step, then exec streamlit: the kernel sends the server SIGTERM
# when the test process dies (a CI timeout kills pytest before any finally can run), so a
# killed run leaves no server behind. Linux only; elsewhere stop() is the only cleanup.
_DIE_WITH_PARENT = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
except AttributeError:
    pass
if os.getppid() != int(sys.argv[1]):             # the parent died before prctl
    sys.exit(1)
os.execv(sys.argv[2], sys.argv[2:])
"""


class Server:
    """`streamlit run dashboard.py` against a database file, in its own process group so
    that stop() ends it and anything it started. The database is opened read-write by the
    server: pass a copy."""

    def __init__(self, db_path: Path, log_path: Path):
        self.db_path, self.log_path = Path(db_path), Path(log_path)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", **params) -> str:
        return self.base + path + (f"?{urlencode(params)}" if params else "")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def start(self) -> "Server":
        # Another process may take the free port between our check and Streamlit's bind:
        # then Streamlit exits at once and we try another port.
        for _ in range(3):
            self.port = free_port()
            self._spawn()
            if self._wait_healthy():
                return self
            self.stop()
            if "is not available" not in self.log():
                break
        raise RuntimeError(f"streamlit did not become healthy on port {self.port} within "
                           f"{HEALTH_TIMEOUT_S}s; its log:\n{self.log()[-4000:]}")

    def _spawn(self) -> None:
        env = dict(os.environ, TUOYU_DB=str(self.db_path), PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()),
               sys.executable, "-m", "streamlit", "run", "dashboard.py",
               "--server.address=127.0.0.1", f"--server.port={self.port}", "--server.headless=true",
               "--server.fileWatcherType=none", "--server.runOnSave=false",
               "--browser.gatherUsageStats=false"]
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/_stcore/health", timeout=2) as r:
                    # our process, still alive, answering (not some other server on the port)
                    if r.status == 200 and self.proc.poll() is None:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def server_on_copy(db_file: Path, workdir: Path, name: str) -> Server:
    """A server (not yet started) on a copy of db_file in workdir: the server writes to its
    database, and the session's database files are shared with other tests."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"{name}.duckdb"
    shutil.copyfile(db_file, copy)
    return Server(copy, workdir / f"{name}-streamlit.log")


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium (see .ci/run)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# ------------------------------------------------------------------ waiting and checking

def wait_idle(page: Page) -> None:
    """The script run that the last navigation or widget change started has finished."""
    page.wait_for_selector(IDLE, timeout=RUN_TIMEOUT_MS)


def wait_drawn(page: Page) -> None:
    """The script has finished and every element has drawn: Streamlit shows a skeleton
    while a lazily loaded element (a table, a download button) is still loading, so one
    that never loads fails here."""
    wait_idle(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                           timeout=RUN_TIMEOUT_MS)


def open_page(page: Page, url: str, title: str) -> None:
    """Go to url and wait until the page's title is drawn and its script has finished.
    An exception box fails at once, with its text (an import error shows no title)."""
    page.goto(url)
    page.locator(f"h1, {EXCEPTION}").first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_drawn(page)
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text(title)


def assert_no_exception(page: Page) -> None:
    boxes = page.locator(EXCEPTION)
    if boxes.count():
        raise AssertionError(f"Streamlit exception on {page.url}:\n" + "\n---\n".join(boxes.all_inner_texts()))


def assert_not_placeholder(page: Page, title: str) -> None:
    main = page.locator('[data-testid="stMain"]')
    if PLACEHOLDER in main.inner_text():
        raise AssertionError(f"{title}（{page.url}）仍是占位页面“{PLACEHOLDER}”：the page has not landed yet")


def wait_for_chart(page: Page, every: bool = False) -> None:
    """A chart (or, with every=True, each chart on the page) has drawn its SVG with marks in
    it, not just an empty frame."""
    expect(page.locator(CHART).first).to_be_visible()
    page.wait_for_function(
        """([sel, every]) => {
             const drawn = [...document.querySelectorAll(sel)].map(chart =>
               !!chart.querySelector('svg .role-mark path, svg .role-mark text'));
             return drawn.length > 0 && (every ? drawn.every(Boolean) : drawn.some(Boolean));
           }""",
        arg=[CHART, every], timeout=RUN_TIMEOUT_MS)


def metric_value(page: Page, label: str):
    return page.locator(METRIC).filter(has_text=label).first.locator(METRIC_VALUE)


def select_option(page: Page, label: str, option: str, within=None) -> None:
    """Open the selectbox labelled `label` (inside `within`, default the whole page) and
    click the option whose visible text contains `option` (options may be indented with
    full-width spaces). The listbox opens outside the widget, so options are looked up in
    the page."""
    combobox = (within or page).get_by_role("combobox", name=label, exact=True)
    combobox.click()
    # A click that lands while the page settles can focus the box without opening it;
    # the list is then opened from the keyboard, as a person would.
    try:
        expect(combobox).to_have_attribute("aria-expanded", "true", timeout=3_000)
    except AssertionError:
        combobox.press("ArrowDown")
        expect(combobox).to_have_attribute("aria-expanded", "true")
    page.get_by_role("listbox").get_by_role("option").filter(has_text=option).first.click()


def chart_text(page: Page, index: int = 0) -> str:
    """All text drawn in a chart's SVG (axis ticks, labels, legend)."""
    return page.locator(f"{CHART} svg").nth(index).evaluate("e => e.textContent")


# Missing CJK glyphs are drawn as the same box whatever the character: draw each character
# of the sample on a canvas in the page's own font stack and compare with a private-use
# character that no font has.
_GLYPHS_JS = """([chars, selector]) => {
  const font = getComputedStyle(document.querySelector(selector)).fontFamily;
  const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d');
  const draw = ch => { ctx.clearRect(0, 0, 64, 64); ctx.font = '40px ' + font; ctx.fillText(ch, 4, 48);
                       return canvas.toDataURL(); };
  const tofu = draw('\\u{10FFFD}');
  return [...chars].filter(ch => draw(ch) === tofu);
}"""


def assert_chinese_renders(page: Page, sample: str = "托育示范城市每千人口位数县区") -> None:
    boxed = page.evaluate(_GLYPHS_JS, [sample, "h1"])
    assert not boxed, f"these characters render as boxes (no CJK font?): {''.join(boxed)}"


# Words of Streamlit's and its charts' own English that must never reach a page (DESIGN §7:
# all visible text in Chinese); matched case-sensitively as whole words.
ENGLISH = ("Upload", "None", "Choose an option", "Choose options", "Download", "per file", "Drag and drop",
           "Browse files", "No results", "Fullscreen", "nan", "NaN", "No data", "Add files", "Show/hide columns")

# The text a person sees: text nodes that are drawn (not display:none, not visually-hidden
# screen-reader labels, not icon ligatures such as 'download' in a Material icon), the
# cells a table draws on its canvas (its accessible copy holds the cells on screen), and
# what the input boxes show (a value, else the placeholder).
_VISIBLE_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('[data-testid="stIconMaterial"], script, style, noscript, [data-testid="stDataFrame"]')) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    out.push(node.textContent);
  }
  for (const cell of document.querySelectorAll('[data-testid="stDataFrame"] table th, [data-testid="stDataFrame"] table td'))
    out.push(cell.textContent);
  for (const box of document.querySelectorAll('input, textarea'))   // an empty select shows its placeholder
    if (box.checkVisibility()) out.push(box.value || box.placeholder || '');
  return out.join('\\n');
}"""


def visible_text(page: Page) -> str:
    return page.evaluate(_VISIBLE_TEXT_JS)


def assert_no_english(page: Page) -> None:
    import re
    text = visible_text(page)
    found = [w for w in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]
    assert not found, f"English words on {page.url}: {found}"


def horizontal_overflow(page: Page) -> dict:
    return page.evaluate("""() => {
      const main = document.querySelector('[data-testid="stMain"]');
      return {doc: document.documentElement.scrollWidth, main: main ? main.scrollWidth - main.clientWidth : 0,
              inner: window.innerWidth};
    }""")


def screenshot(page: Page, path: Path, full: bool = True) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its own main container, so
    full_page alone shows one screen; the viewport is made as tall as the content first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    if full:
        height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                          return Math.ceil(m ? m.scrollHeight : document.body.scrollHeight); }""")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 12_000))})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        wait_drawn(page)
    page.screenshot(path=str(path), full_page=full)
    if full:
        page.set_viewport_size(size)
    return path


def printed(page: Page, path: Path) -> Path:
    """The page as Chromium prints it (its print stylesheet) to A4 PDF at path."""
    page.emulate_media(media="print")
    page.pdf(path=str(path), format="A4")
    page.emulate_media(media="screen")
    return path


# ------------------------------------------------------------------ acting as a person

def sign_in(page: Page, username: str, password: str, display_name: str) -> None:
    """Sign in from the sidebar's 登录 expander. Each step waits for the page to take it
    (the expander open, each box holding what was typed) before the next, so that a click
    landing while the page is still drawing cannot lose a keystroke."""
    wait_drawn(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    name_box = sidebar.get_by_role("textbox", name="用户名", exact=True)
    if not name_box.is_visible():
        sidebar.locator('[data-testid="stExpander"]').filter(has_text="登录").locator("summary").click()
    expect(name_box).to_be_visible()
    name_box.fill(username)
    expect(name_box).to_have_value(username)
    password_box = sidebar.get_by_label("密码", exact=True)
    password_box.fill(password)
    expect(password_box).to_have_value(password)
    sidebar.get_by_role("button", name="登录").click()
    signed_in = sidebar.get_by_text(f"已登录：{display_name}")
    try:
        expect(signed_in).to_be_visible(timeout=15_000)
    except AssertionError:
        # Seen only in full runs on a loaded 2-core machine: the form came back empty, no
        # message, as if the submit was lost. A person clicks again; so does the test, once,
        # and a second failure is a failure.
        wait_drawn(page)
        if not signed_in.is_visible():
            if not name_box.is_visible():
                sidebar.locator('[data-testid="stExpander"]').filter(has_text="登录").locator("summary").click()
            name_box.fill(username)
            password_box.fill(password)
            sidebar.get_by_role("button", name="登录").click()
    expect(sidebar).to_contain_text(f"已登录：{display_name}")
    wait_drawn(page)


def go_to(page: Page, title: str) -> None:
    """Follow the sidebar's link to a page and wait until it has drawn."""
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).click()
    expect(page.locator("h1").first).to_have_text(title)
    wait_drawn(page)
    assert_no_exception(page)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def upload(page: Page, name: str, data: bytes) -> None:
    """Choose one file in the page's uploader, as the file dialog does, and wait until the
    page has run with it (a button pressed before that run finds no file)."""
    wait_drawn(page)
    uploader = page.locator('[data-testid="stFileUploader"]')
    # set on the input itself, found when set: a file dialog opened just before a rerun
    # redraws the uploader hands its file to an input no longer on the page
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    expect(uploader).to_contain_text(name[-10:], timeout=RUN_TIMEOUT_MS)  # a long name is shortened in the middle
    wait_drawn(page)
