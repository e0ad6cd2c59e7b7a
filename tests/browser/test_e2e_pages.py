"""Every page in a real browser, on the sample database, at desktop and phone width: it
draws (title, main chart, no exception box, Chinese glyphs rather than boxes), shows no
English word of Streamlit's or Plotly's own (harness.ENGLISH: Upload, None, Choose an
option, Download, per file …), and at 390 px nothing needs horizontal scrolling. A screenshot of each is written to
test-output/screenshots/ on every run, whatever the outcome."""

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.browser import harness
from tests.browser.harness import PAGES, SCREENSHOTS


@contextmanager
def screenshot_after(page, name):
    """Screenshot the page when the block ends; after a failure, as it is (best effort,
    never hiding the failure)."""
    path = SCREENSHOTS / f"{name}.png"
    try:
        yield
    except BaseException:
        try:
            page.screenshot(path=str(path), timeout=10_000)
        except Exception:
            pass
        raise
    harness.screenshot(page, path)


def open_sample_page(page, server, spec):
    harness.open_page(page, server.url(spec.path, **harness.sample_view(spec)), spec.title)


def check_page_draws(page, spec):
    harness.assert_no_exception(page)
    harness.assert_not_placeholder(page, spec.title)
    expect(page.locator(harness.CAPTION).first).to_contain_text("示例数据")
    if spec.has_chart:
        harness.wait_for_chart(page, every=True)
    harness.assert_no_exception(page)


@pytest.mark.parametrize("spec", PAGES, ids=[s.name for s in PAGES])
def test_page_draws_at_desktop_width(desktop, sample_server, spec):
    with screenshot_after(desktop, f"desktop-{spec.name}"):
        open_sample_page(desktop, sample_server, spec)
        view = harness.sample_view(spec)
        place = "海原县" if view["region"] == "640522" else "中卫市"
        expect(desktop.locator(harness.CAPTION).first).to_contain_text(f"{place} · 2024年第4季度")
        check_page_draws(desktop, spec)
        harness.assert_chinese_renders(desktop)
        harness.assert_no_english(desktop)


@pytest.mark.parametrize("spec", PAGES, ids=[s.name for s in PAGES])
def test_page_fits_a_phone(phone, sample_server, spec):
    with screenshot_after(phone, f"phone-{spec.name}"):
        open_sample_page(phone, sample_server, spec)
        check_page_draws(phone, spec)
        harness.assert_no_english(phone)
        width = phone.viewport_size["width"]
        overflow = harness.horizontal_overflow(phone)
        assert overflow["doc"] <= overflow["inner"] + 1, f"page scrolls sideways: {overflow}"
        assert overflow["main"] <= 1, f"main area scrolls sideways: {overflow}"
        essentials = [phone.locator("h1").first]
        if phone.locator(harness.METRIC).count():
            essentials.append(phone.locator(harness.METRIC).first)
        for element in essentials:
            box = element.bounding_box()
            assert box and box["x"] >= -1 and box["x"] + box["width"] <= width + 1, \
                f"{element} is cut off at {width} px: {box}"
