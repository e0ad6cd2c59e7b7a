"""Everything as of the period (DESIGN §4.3) and the same digits everywhere, on the shipped
sample with today pinned to 2026-11-23 (conftest).

The sample's task updates (data/sample/ledger/task_updates.csv) run to 2026-09-30; the ones
after 2024-12-31 are ZHONGWEI-06's of 2025-11-20 and ZHONGWEI-07's of 2026-09-30. At the end
of 2024 the tasks then stood: 01, 03, 05, 09 已完成; 02, 06, 07, 08 进行中 and 04 未开始, all
due 2023-09-30, so five are late, each by (2024-12-31 − 2023-09-30) = 458 whole days
(366 to 2024-09-30, a leap year, then 92); at 2025-06-30 by 639 (273 more). ZHONGWEI-06's
note at both dates is its 2022-05-18 one (城市社区婴幼儿照护服务点建设纳入……), ZHONGWEI-07's its
2024-03-28 one (新建公办幼儿园均已同步开设托班……)."""

import io
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from tests import pdf_files
from tests.apptest import run_app, table_with
from tests.conftest import FIXTURE
from tuoyu import briefing, db, fmt
from tuoyu.loading.build import build_database

PLAN, CITY = "ZHONGWEI", "640500"
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日|(\d{4})-(\d{2})-(\d{2})")
NOTE_06 = "城市社区婴幼儿照护服务点建设纳入社区服务年度计划"
NOTE_07 = "新建公办幼儿园均已同步开设托班"
LATER_NOTES = ("社区照护服务点已覆盖沙坡头区", "城镇老旧小区改造已确定3个照护设施点位")


def dates_in(text: str) -> list[date]:
    out = []
    for m in DATE.finditer(text):
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        out.append(date(int(y), int(mo), int(d)))
    return out


def docx_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def made(sample_db_path, tmp_path_factory):
    """The 2024Q3 and 2024Q4 briefings of 中卫市 as Word, PDF and Excel."""
    out = {}
    con = db.connect(sample_db_path)
    try:
        for quarter in ("2024Q3", "2024Q4"):
            files = briefing.generate(con, PLAN, CITY, quarter, formats=(".docx", ".pdf", ".xlsx"))
            pdf = tmp_path_factory.mktemp(quarter) / "b.pdf"
            pdf.write_bytes(files.pdf)
            text = pdf_files.text(pdf)
            out[quarter] = (Document(io.BytesIO(files.docx)), text, load_workbook(io.BytesIO(files.xlsx)))
    finally:
        con.close()
    return out


# ------------------------------------------------------------------ as of the period

def test_no_date_after_the_period_in_the_2024q4_briefing(made):
    document, pdf_text, _ = made["2024Q4"]
    for text in (docx_text(document), pdf_text):
        found = dates_in(text)
        assert found and max(found) == date(2024, 12, 31), sorted(set(found))[-3:]


def test_overdue_days_are_whole_days_to_the_periods_end(made):
    document, _, book = made["2024Q4"]
    section = [p.text for p in document.paragraphs]
    assert "截至2024年12月31日，方案9项任务中有5项逾期未完成，涉及牵头单位：市政府办（1项）、市税务局（1项）、" \
           "市民政局（1项）、市自然资源局（1项）、市卫生健康委（1项）。" in section
    tasks = next(t for t in document.tables if t.rows[0].cells[-1].text == "逾期")
    assert [row.cells[-1].text for row in tasks.rows[1:]] == ["458天"] * 5
    values = list(book["任务台账"].values)
    sheet = [dict(zip(values[0], row)) for row in values[1:]]
    late = [r for r in sheet if r["是否逾期"] == "是"]
    assert [r["逾期天数"] for r in late] == [458] * 5 and all(isinstance(r["逾期天数"], int) for r in late)


def test_no_note_written_after_the_period(made):
    document, pdf_text, book = made["2024Q4"]
    text = docx_text(document)
    assert NOTE_06 in text and NOTE_07 in text
    assert not any(note in text or note in compact(pdf_text) for note in LATER_NOTES)
    values = list(book["任务台账"].values)
    updated = [row[values[0].index("进展日期")] for row in values[1:] if row[values[0].index("进展日期")]]
    assert max(updated).date() == date(2024, 4, 15)       # ZHONGWEI-03 已完成, the last update of 2024


def test_ledger_page_for_2025q2(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/tasks.py", plan=PLAN, region=CITY, period="2025Q2")
    assert any("（截至2025年6月30日；" in m.value for m in at.markdown)
    table = table_with(at, "任务编号").set_index("任务编号")
    assert table.loc["ZHONGWEI-02", "逾期情况"] == "逾期639天（自2023年10月1日起）"
    assert table.loc["ZHONGWEI-06", "最新进展"].startswith(NOTE_06)
    assert table.loc["ZHONGWEI-07", "最新进展"].startswith(NOTE_07)
    assert max(d for d in table["进展日期"] if d) <= "2025-06-30"


# ------------------------------------------------------------------ the same digits

HEADLINE = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "filing_rate", "puhui_slot_share")


def number(text: str) -> str:
    """The figure in a shown value: '1.34个' → '1.34', '+0.6个百分点' → '+0.6'."""
    return re.search(r"[-+]?\d+(?:\.\d+)?", text).group(0)


@pytest.mark.parametrize("quarter", ["2024Q3", "2024Q4"])
def test_page_briefing_and_excel_show_the_same_digits(monkeypatch, sample_db_path, made, quarter):
    at = run_app(monkeypatch, sample_db_path, plan=PLAN, region=CITY, period=quarter)
    cards = {m.label: (number(m.value), number(m.delta)) for m in at.metric if m.delta}
    document, pdf_text, book = made[quarter]
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "指标")
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    values = list(book["总体进展"].values)
    sheet = {row[0]: dict(zip(values[0], row)) for row in values[1:]}
    cells = {row[0].value: row for row in book["总体进展"].iter_rows(min_row=2)}
    for code in HEADLINE:
        label = fmt.short(code)
        value, change = cards[label]
        # Word: the table's row; PDF: the same row as printed text
        assert (number(rows[label][1]), number(rows[label][2])) == (value, change), (quarter, label)
        assert compact(f"{label}{rows[label][1]}{rows[label][2]}") in compact(pdf_text), (quarter, label)
        # Excel: the number shown with the cell's own format is the page's digits
        row = sheet[fmt.name(code)]
        shown = cells[fmt.name(code)][2].number_format
        decimals = len(shown.split(".")[1]) if "." in shown else 0
        assert f"{row['本期']:.{decimals}f}" == value, (quarter, label)
        shown_change = f"{row['变化']:+.{decimals}f}"
        if float(shown_change) == 0:
            shown_change = shown_change[1:]        # no sign on a change that rounds to nothing
        assert shown_change == change, (quarter, label)
    # the first sentence says the 托位 change in the same digits
    headline = next(p.text for p in document.paragraphs if p.text.startswith("截至"))
    change = cards["每千人口托位数"][1]
    assert f"较上季度{'增加' if change.startswith('+') else '减少'}{change.lstrip('+-')}个" in headline


# ------------------------------------------------------------------ 期号

def test_issue_numbers_follow_the_plan_and_stay(tmp_path):
    path = tmp_path / "issues.duckdb"
    build_database(path, [FIXTURE])          # a database no briefing has been made from
    con = db.connect(path)
    try:
        first = briefing.assemble(con, "TESTPLAN", "990100", "2024Q3").issue_label
        again = briefing.assemble(con, "TESTPLAN", "990100", "2024Q3").issue_label
        county = briefing.assemble(con, "TESTPLAN", "990101", "2024Q3").issue_label
        earlier = briefing.assemble(con, "TESTPLAN", "990100", "2024Q2").issue_label
        other_plan = briefing.assemble(con, "TESTWIDE", "990100", "2024Q3").issue_label
    finally:
        con.close()
    assert (first, again, county, earlier, other_plan) == ("第1期", "第1期", "第2期", "第3期", "第1期")
