"""Refresh the screenshots README shows (docs/screenshots/) from the shipped sample, with
the same server, browser and waits as the browser tests (tests/browser/harness.py).

    .venv/bin/python scripts/refresh_screenshots.py

Builds the sample database in a temporary folder, starts `streamlit run dashboard.py` on
it, and photographs every page at 1400 px (whole page) and 总览 at a phone's 390 px (the
first screen), all for 中卫市 (plan ZHONGWEI, region 640500) at 2024Q4; 机构明细 for 海原县
640522. Then the views of EXTRA (海原县 among its peers, 福建省's 83 counties, 县区对比 on a
phone) and 总览 as printed (its first three A4 pages side by side). "Today" is pinned to
the sample's as-of date so that the ledger's overdue days do not change with the calendar.
Needs Debian's Chromium (/usr/bin/chromium), CJK fonts and poppler-utils (pdftoppm)."""

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser import harness  # noqa: E402
from tuoyu import paths  # noqa: E402
from tuoyu.loading.build import build_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PHONE_PAGES = ["overview"]
# (file name, page, view on top of the sample view, phone?)
EXTRA = [
    ("counties-haiyuan", "counties", {"region": "640522"}, False),
    ("counties-fujian", "counties", {"plan": "FUJIAN", "region": "350000"}, False),
    ("phone-counties", "counties", {"region": "640522"}, True),
]
PRINTED_PAGES = 3


def sample_as_of() -> str:
    with open(paths.SAMPLE_DATA / "dataset.csv", encoding="utf-8-sig", newline="") as f:
        return {row["key"]: row["value"] for row in csv.DictReader(f)}["as_of"]


def photograph(page, server, spec, path: Path, full: bool, view: dict | None = None) -> None:
    harness.open_page(page, server.url(spec.path, **(harness.sample_view(spec) | (view or {}))), spec.title)
    if spec.has_chart:
        harness.wait_for_chart(page)
    if spec.name == "briefing":  # show the generated briefing's preview, not the empty page
        page.get_by_role("button", name="生成简报").click()
        expect(page.get_by_role("button", name="下载 Word（.docx）")).to_be_visible(timeout=180_000)
        harness.wait_drawn(page)
    harness.assert_no_exception(page)
    harness.screenshot(page, path, full=full)
    print(path.relative_to(ROOT))


def printed(page, server, path: Path, workdir: Path) -> None:
    """总览 as the browser prints it (the print stylesheet), first pages side by side."""
    from PIL import Image

    spec = harness.PAGES[0]
    harness.open_page(page, server.url(spec.path, **harness.sample_view(spec)), spec.title)
    harness.wait_for_chart(page, every=True)
    pdf = harness.printed(page, workdir / "overview.pdf")
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-l", str(PRINTED_PAGES), str(pdf), str(workdir / "printed")],
                   check=True)
    sheets = [Image.open(p) for p in sorted(workdir.glob("printed*.png"))]
    gap = 16
    out = Image.new("RGB", (sum(s.width for s in sheets) + gap * (len(sheets) + 1), sheets[0].height + 2 * gap),
                    "#d0d4d9")
    x = gap
    for sheet in sheets:
        out.paste(sheet, (x, gap))
        x += sheet.width + gap
    out.save(path)
    print(path.relative_to(ROOT))


def main() -> int:
    os.environ.setdefault("TUOYU_TODAY", sample_as_of())
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tuoyu-screenshots-") as tmp:
        database = Path(tmp) / "sample.duckdb"
        build_database(database, [paths.BASE_DATA, paths.SAMPLE_DATA])
        server = harness.Server(database, Path(tmp) / "streamlit.log")
        try:
            server.start()
            with sync_playwright() as playwright:
                browser = harness.launch_chromium(playwright)
                try:
                    desktop = browser.new_context(viewport=harness.DESKTOP, locale="zh-CN").new_page()
                    for spec in harness.PAGES:
                        photograph(desktop, server, spec, OUT / f"{spec.name}.png", full=True)
                    phone = browser.new_context(viewport=harness.PHONE, device_scale_factor=2, is_mobile=True,
                                                has_touch=True, locale="zh-CN").new_page()
                    for spec in harness.PAGES:
                        if spec.name in PHONE_PAGES:
                            photograph(phone, server, spec, OUT / f"phone-{spec.name}.png", full=False)
                    by_name = {spec.name: spec for spec in harness.PAGES}
                    for name, page_name, view, on_phone in EXTRA:
                        photograph(phone if on_phone else desktop, server, by_name[page_name], OUT / f"{name}.png",
                                   full=not on_phone, view=view)
                    printed(desktop, server, OUT / "overview-print.png", Path(tmp))
                finally:
                    browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
