"""The writing paths in a real browser — 数据上报 (template → upload → batch → figure moves →
undo → figure back; a bad file's Chinese problem list), 简报导出 (Word and PDF downloads) and
任务台账 (an update shows in the task's history) — on their own server over a copy of the
fixture database, signed in as an administrator (so the account is the 记录人: the pages
ask for a name only while no account exists).

Figures by hand (tests/test_indicators.py): 测试市 990100 at 2024Q3 counts 160 slots for
150,000 people → 1.07. A 2024Q3 report for B1 (乙县, filed, 普惠, no Q3 report yet) with 50
slots adds 50: 210 / 150,000 × 1000 = 1.40."""

import csv
import io
import re
import zipfile

from playwright.sync_api import expect

from tests.browser import harness

TESTPLAN_Q3 = {"plan": "TESTPLAN", "region": "990100", "period": "2024Q3"}
HEADLINE = "每千人口托位数"
B1_Q3 = ["B1", "2024Q3", "50", "5", "15", "20", "8", "6", "是"]
BAD_ROWS = [["Z9", "2024Q3", "10", "0", "0", "5", "2", "1", "是"],       # not in 机构名录
            ["B1", "2024Q3", "10", "0", "10", "10", "2", "3", "是"]]      # 20 > 150% of 10; 3 certified > 2


def sign_in(page, editor):
    harness.sign_in(page, editor["username"], editor["password"], editor["display_name"])


def test_upload_moves_the_figure_and_undo_moves_it_back(desktop, writable_server, editor, tmp_path):
    page = desktop
    harness.open_page(page, writable_server.url("/", **TESTPLAN_Q3), "总览")
    expect(harness.metric_value(page, HEADLINE)).to_have_text("1.07个")
    sign_in(page, editor)
    harness.go_to(page, "数据上报")
    harness.assert_not_placeholder(page, "数据上报")

    # 1. the template, as a person downloads it (the default table is 机构报表)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV 模板").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    header = next(csv.reader(io.StringIO(template.read_bytes().decode("utf-8-sig"))))
    assert header[:3] == ["机构编码", "报告期", "托位数"], header

    # 2. filled in and sent
    harness.upload(page, "乙县2024Q3报表.csv", harness.csv_bytes(header, [B1_Q3]))
    page.get_by_role("button", name="检查并导入").click()       # signed in: the account is the 记录人
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="导入成功")).to_contain_text("第1批")
    harness.wait_drawn(page)
    harness.assert_no_exception(page)

    harness.go_to(page, "总览")
    expect(harness.metric_value(page, HEADLINE)).to_have_text("1.40个")

    # 3. undone from the import history
    harness.go_to(page, "数据上报")
    batch_line = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="乙县2024Q3报表.csv").first
    expect(batch_line).to_contain_text("第1批")                   # the import history
    page.locator('[data-testid="stPopover"]').filter(has_text="撤销").first.click()
    page.get_by_role("button", name="确认撤销第1批").click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="已撤销第1批")).to_be_visible()
    harness.wait_drawn(page)
    harness.assert_no_exception(page)

    harness.go_to(page, "总览")
    expect(harness.metric_value(page, HEADLINE)).to_have_text("1.07个")


def test_bad_file_lists_its_problems_in_chinese_and_writes_nothing(desktop, writable_server, editor):
    page = desktop
    harness.open_page(page, writable_server.url("/upload", **TESTPLAN_Q3), "数据上报")
    harness.assert_not_placeholder(page, "数据上报")
    sign_in(page, editor)
    header = ["机构编码", "报告期", "托位数", "乳儿班在托", "托小班在托", "托大班在托", "保育人员数",
              "持证保育人员数", "是否达标"]
    harness.upload(page, "有错误的报表.csv", harness.csv_bytes(header, BAD_ROWS))
    page.get_by_role("button", name="检查并导入").click()
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="未写入任何数据")
    expect(alert).to_contain_text("问题")
    harness.wait_drawn(page)
    problems = page.locator('[data-testid="stDataFrame"]').first
    expect(problems).to_contain_text("Z9")
    expect(problems).to_contain_text("机构名录中没有")
    expect(problems).to_contain_text("150%")
    harness.assert_no_exception(page)

    harness.go_to(page, "总览")
    expect(harness.metric_value(page, HEADLINE)).to_have_text("1.07个")


def test_briefing_downloads_word_and_pdf(desktop, writable_server, tmp_path):
    page = desktop
    harness.open_page(page, writable_server.url("/briefing", **TESTPLAN_Q3), "简报导出")
    harness.assert_not_placeholder(page, "简报导出")
    page.get_by_role("button", name="生成简报").click()
    expect(page.get_by_role("button", name=re.compile("下载 Word"))).to_be_visible(timeout=180_000)
    harness.wait_drawn(page)
    harness.assert_no_exception(page)

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("下载 Word")).click()
    docx = tmp_path / download.value.suggested_filename
    download.value.save_as(docx)
    assert docx.suffix == ".docx", docx.name
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "测试市" in body and "1.07" in body

    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.suffix == ".pdf" and pdf.read_bytes()[:5] == b"%PDF-", pdf.name


def test_task_update_shows_in_its_history(desktop, writable_server, editor):
    # T-1 (TESTPLAN): stored 进行中, due 2024-12-31. The 2024Q3 ledger stands at 2024-09-30 and
    # offers no form; today's (the pinned 2026-11-23) shows T-1 滞后 and takes the update
    page = desktop
    harness.open_page(page, writable_server.url("/tasks", **TESTPLAN_Q3), "任务台账")
    harness.assert_not_placeholder(page, "任务台账")
    sign_in(page, editor)
    harness.wait_for_chart(page)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="更新任务请打开上方的“查看今天的台账”")).to_be_visible()
    page.get_by_text("查看今天（2026年11月23日）的台账").click()
    harness.wait_drawn(page)
    form = page.locator('[data-testid="stForm"]')
    harness.select_option(page, "状态", "已完成", within=form)
    form.get_by_role("textbox", name="最新进展", exact=True).fill("新增托位已全部验收（浏览器测试）")
    form.get_by_role("button", name="保存更新").click()

    expect(page.locator('[data-testid="stAlert"]').filter(has_text="已记录 T-1 的更新")).to_be_visible()
    history = page.locator('[data-testid="stExpander"]').filter(has_text="T-1 的更新记录（1条）")
    expect(history).to_be_visible()
    harness.wait_drawn(page)
    expect(history.locator(harness.TABLE)).to_contain_text("进行中 → 已完成")
    expect(history.locator(harness.TABLE)).to_contain_text(editor["display_name"])
    harness.assert_no_exception(page)
