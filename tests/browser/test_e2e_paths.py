"""The paths a person clicks, in a real browser, on the hand-made fixture database so that
every expected figure is known by hand (tests/test_indicators.py docstring):
测试市 990100 2024Q3 每千人口托位数 160 / 150,000 × 1000 = 1.07; 甲县 990101 160 / 100,000 × 1000
= 1.60; 测试市 2024Q2 (A1 100 + A3 30 + B1 50) / 150,000 × 1000 = 1.20."""

import re

from playwright.sync_api import expect

from tests.browser import harness

TESTPLAN_Q3 = {"plan": "TESTPLAN", "region": "990100", "period": "2024Q3"}
HEADLINE = "每千人口托位数"


def test_region_and_period_in_the_sidebar_change_the_headline(desktop, fixture_server):
    page = desktop
    harness.open_page(page, fixture_server.url("/", **TESTPLAN_Q3), "总览")
    headline = harness.metric_value(page, HEADLINE)
    expect(headline).to_have_text("1.07个")
    harness.wait_for_chart(page)

    harness.select_option(page, "地区", "甲县（990101）")
    expect(headline).to_have_text("1.60个")
    expect(page.locator(harness.CAPTION).first).to_contain_text("甲县 · 2024年第3季度")
    expect(page).to_have_url(re.compile(r"region=990101"))

    harness.select_option(page, "地区", "测试市（990100）")
    expect(headline).to_have_text("1.07个")
    harness.select_option(page, "报告期", "2024年第2季度")
    expect(headline).to_have_text("1.20个")
    expect(page).to_have_url(re.compile(r"period=2024Q2"))
    harness.wait_drawn(page)
    harness.assert_no_exception(page)


def test_counting_rule_radio_changes_the_headline(desktop, fixture_server):
    # all active institutions: A4 (never filed) adds its 10 slots: 170 / 150,000 × 1000 = 1.13
    page = desktop
    harness.open_page(page, fixture_server.url("/", **TESTPLAN_Q3), "总览")
    page.get_by_text("全部在营机构", exact=True).click()
    expect(harness.metric_value(page, HEADLINE)).to_have_text("1.13个")
    expect(page).to_have_url(re.compile(r"counting=all"))
    harness.assert_no_exception(page)


def test_deep_link_opens_the_county_comparison(desktop, fixture_server):
    page = desktop
    harness.open_page(page, fixture_server.url("/counties", **TESTPLAN_Q3), "县区对比")
    expect(page.locator(harness.CAPTION).first).to_contain_text("测试市 · 2024年第3季度")
    harness.wait_for_chart(page)
    bars = harness.chart_text(page, 0)
    assert "甲县" in bars and "乙县" in bars, bars
    assert "1.60" in bars, bars                       # 甲县's bar label
    expect(page.get_by_role("combobox", name="地区")).to_have_value(re.compile("测试市（990100）"))
    harness.assert_no_exception(page)


def test_navigation_keeps_the_selection(desktop, fixture_server):
    # 乙县 at 2024Q3: B1 (no Q3 report) and B2 active and filed → 2 在营, 1 本期已报
    page = desktop
    harness.open_page(page, fixture_server.url("/", **TESTPLAN_Q3), "总览")
    harness.select_option(page, "地区", "乙县（990102）")
    expect(harness.metric_value(page, "距2024年目标尚需托位")).to_have_text("75 个")  # ⌈1.5 × 50⌉ − 0
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="机构明细").click()
    expect(page.locator("h1").first).to_have_text("机构明细")
    expect(page.locator(harness.CAPTION).first).to_contain_text("乙县 · 2024年第3季度")
    expect(harness.metric_value(page, "在营机构")).to_have_text("2 家")
    expect(harness.metric_value(page, "本期已报")).to_have_text("1 家")
    expect(page).to_have_url(re.compile(r"/institutions\?.*region=990102"))

    page.locator('[data-testid="stMultiSelect"]').filter(has_text="问题标记").first.click()
    page.locator('[role="option"]').filter(has_text="本期未报").first.click()
    expect(page.locator(harness.CAPTION).filter(has_text="显示")).to_contain_text("显示 1 家 / 共 2 家")
    harness.wait_drawn(page)
    harness.assert_no_exception(page)


def test_first_request_to_a_fresh_server_can_be_a_deep_link(browser, fixture_db_path, tmp_path):
    """A fresh server whose very first page request is /review?… (not /) must run the
    entry script with its sidebar, not the page alone (tuoyu.ui.selection.current)."""
    server = harness.server_on_copy(fixture_db_path, tmp_path, "fresh")
    context = browser.new_context(viewport=harness.DESKTOP)
    try:
        server.start()
        page = context.new_page()
        harness.open_page(page, server.url("/review", plan="TESTPLAN", region="990102", period="2024Q3"),
                          "评审指标")
        expect(page.locator(harness.CAPTION).first).to_contain_text("乙县 · 2024年第3季度")
        expect(page.get_by_role("combobox", name="地区")).to_have_value(re.compile("乙县（990102）"))
        expect(page.locator('[data-testid="stSidebarNavLink"]')).to_have_count(len(harness.PAGES))
        expect(page).to_have_url(re.compile(r"/review\?.*region=990102"))
        harness.assert_no_exception(page)
    finally:
        context.close()
        server.stop()


def test_bare_address_puts_the_default_view_in_the_url(desktop, sample_server):
    page = desktop
    harness.open_page(page, sample_server.url("/"), "总览")
    for part in ("plan=ZHONGWEI", "region=640500", "period=2026Q3"):   # latest period with data
        expect(page).to_have_url(re.compile(part))
    harness.assert_no_exception(page)


def test_phone_sidebar_opens_and_changes_the_region(phone, fixture_server):
    page = phone
    harness.open_page(page, fixture_server.url("/", **TESTPLAN_Q3), "总览")
    region = page.locator('[data-testid="stSelectbox"]').filter(has_text="地区")
    expect(region).not_to_be_in_viewport()                # collapsed on a phone
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(region).to_be_in_viewport(ratio=1)
    harness.select_option(page, "地区", "甲县（990101）")
    expect(harness.metric_value(page, HEADLINE)).to_have_text("1.60个")
    harness.assert_no_exception(page)
