"""简报导出 on the hand-made fixture (plan TESTPLAN, 测试市 990100, 2024Q3): the Word file's
sentences, tables and images, its reproducibility, the PDF, the Excel workbook, the CLI
and the page. Expected figures are worked out by hand below from tests/fixture (see the
docstring of tests/test_indicators.py), never by calling the code under test.

测试市 at 2024Q3 counts A1 (120 slots), A2 (40), B1 (filed, no Q3 report) and B2 (0):
  每千人口托位数 160 / 150,000 × 1000 = 1.0667 → 1.07
  2024Q2 it counted A1 100, A3 30 (closed only on 2024-09-30), B1 50 → 180 → 1.20
  change: 1.0667 − 1.20 = −0.1333 → 较上季度减少0.13个
  2024 target 1.0 (fixture 2), due at 2024Q4: 1.0667 ≥ 1.0 now → 已达到（未到期）; but of the
  four quarters 2023Q4–2024Q3 only Q2 and Q3 have reports, and the line through (Q2, 1.20)
  and (Q3, 1.0667) falls 0.1333 a quarter → Q4 0.9333 → 将降至0.93
  2025 target 2.0, due at 2025Q4, five quarters on: 1.0667 − 5 × 0.1333 = 0.40 → 有风险;
  ⌈2.0 × 150,000 ÷ 1000⌉ = 300 − 160 = 140 托位 still needed, ⌈140 / 5⌉ = 28 a quarter
Counties (each_child target 1.5 in 2024, fixture 4), none due before 2024Q4:
  甲县 A1 120 + A2 40 = 160 / 100,000 → 1.60 ≥ 1.5 已达到（未到期）, needs 0; 入托率 134/2,000 =
       6.7%, 平均托收率 (99/120 + 35/40) / 2 = 85.0%; at Q2 A1 100 + A3 30 = 130 → 1.30, one
       quarter of data, below: 有风险 then
  乙县 B2 0 / 50,000 → 0.00 < 1.5, 1.00 at Q2: 有风险 (then too), ⌈1.5 × 50,000 ÷ 1000⌉ = 75
       needed; 入托率 0/1,000 = 0.0%, 托收率 无数据 (B2 has 0 slots); B1 本期未报
  测试省 average: A1 120 + A2 40 + B2 0 + C1 60 = 220 / 200,000 × 1000 = 1.10;
       乙县 0.00 is below it, 甲县 1.60 is not
Newly filed in 2024Q3: B2 乙县新苗托育园 (2024-07-20), then A2 甲县第一幼儿园托班 (2024-08-15).
The briefing stands at 2024-09-30, the period's last day (DESIGN §4.3), whatever today is:
task T-1 (due 2024-12-31, 进行中) is not late then. In a 2025Q1 briefing (as of 2025-03-31) it
is: 31 + 28 + 31 = 90 days overdue.
"""

import io
import re
import subprocess
import zipfile
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from tests import pdf_files
from tests.apptest import run_app
from tuoyu import briefing, cli, db, review
from tuoyu.briefing.content import tasks_of
from tuoyu.briefing.model import Table

PLAN, REGION, PERIOD = "TESTPLAN", "990100", "2024Q3"
TODAY = date(2026, 11, 23)  # as pinned in conftest (TUOYU_TODAY)
HEADLINE = ("截至2024年第3季度，全市每千人口拥有3岁以下婴幼儿托位数1.07个，较上季度减少0.13个。"
            "2024年每千人口托位数目标≥ 1.00 个/千人：已达到（未到期）。本期1.07 个/千人，已达到要求≥ 1.00 个/千人"
            "（2024年第4季度评价），但按近四个季度趋势预计2024年第4季度将降至0.93 个/千人。"
            "2025年每千人口托位数目标≥ 2.00 个/千人：有风险。本期1.07 个/千人；按近四个季度趋势预计2025年第4季度0.40 个/千人，"
            "达不到要求≥ 2.00 个/千人；尚需托位约140个，到期前5个季度每季度约28个。")


@pytest.fixture(scope="module")
def outputs(fixture_db_path, tmp_path_factory):
    """One CLI run writing .docx, .pdf and .xlsx (the charts and the PDF take seconds)."""
    folder = tmp_path_factory.mktemp("briefing")
    paths = {s: folder / f"brief{s}" for s in (".docx", ".pdf", ".xlsx")}
    argv = ["--db", str(fixture_db_path), "briefing", "--plan", PLAN, "--region", REGION, "--period", PERIOD]
    for path in paths.values():
        argv += ["-o", str(path)]
    assert cli.main(argv) == 0
    return paths


@pytest.fixture(scope="module")
def document(outputs):
    return Document(str(outputs[".docx"]))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ Word: the content

def test_title_period_and_dataset_marker(document):
    lines = texts(document)
    assert lines[0] == "测试市婴幼儿照护服务示范城市创建工作简报"
    assert lines[1] == "（2024年第3季度）"
    assert re.fullmatch(r"第\d+期", lines[2])
    # 编印单位 defaults to the plan's issuer; 印发日期 to the as-of day
    assert lines[3] == "测试市人民政府编\t2024年9月30日"     # a right tab stop puts the date at the margin
    assert "数据截至2024年9月30日" in lines[4]
    assert any(line.startswith("【测试数据】") for line in lines[:7])   # tests/fixture/dataset.csv label
    # 版记: 报送/抄送 (data/briefing.toml [document] defaults)
    assert lines[-2:] == ["报送：测试市人民政府", "抄送：创建工作领导小组各成员单位"]


def test_sections_in_briefing_order(document):
    headings = [p.text for p in document.paragraphs if p.style.name == "简报一级标题"]
    # TESTPLAN has no review criteria: that section is left out, not announced empty
    assert headings == ["一、总体进展", "二、县区情况", "三、重点任务", "四、变化情况", "附：口径说明"]


def test_headline_sentence_with_hand_computed_figures(document):
    lines = texts(document)
    assert lines[lines.index("一、总体进展") + 1] == HEADLINE


def test_counties_below_target_and_average_by_name(document):
    lines = texts(document)
    assert ("所辖2个县区对照2024年度目标，甲县已达到（未到期），乙县有风险，合计尚需新增托位约75个（乙县75个）。"
            in lines)
    assert "乙县每千人口托位数低于测试省平均（1.10个）。" in lines
    assert "乙县有1家机构本期未报送报表，相关数字可能偏低。" in lines


def test_headline_figures_table(document):
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["指标", "本期", "较上季度", "测试省平均"]
    # 1.0667 − 1.20 = −0.1333; 入托率 134/3,000 = 4.47% against 140/3,000 = 4.67% at Q2: −0.2 points
    assert rows[1] == ["每千人口托位数", "1.07 个/千人", "-0.13", "1.10 个/千人"]
    assert rows[2] == ["入托率", "4.5%", "-0.2个百分点", "4.5%"]


def test_ranking_table(document):
    table = document.tables[1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["排名", "县区", "每千人口托位数（个）", "年度目标（个）", "尚需托位（个）", "入托率", "平均托收率", "状态"]
    assert rows[1] == ["1", "甲县", "1.60", "1.5", "0", "6.7%", "85.0%", "已达到（未到期）"]
    assert rows[2] == ["2", "乙县", "0.00", "1.5", "75", "0.0%", "无数据", "有风险"]


def test_plan_without_review_criteria_leaves_the_section_out(document):
    assert not any("评审指标" in p.text for p in document.paragraphs if p.style.name == "简报一级标题")


def test_tasks_as_of_the_periods_last_day(document):
    lines = texts(document)
    assert "截至2024年9月30日，方案1项任务均已完成或未到完成时限。" in lines


def test_late_task_with_responsible_units(fixture_db_path):
    con = db.connect(fixture_db_path)
    try:
        content = briefing.assemble(con, PLAN, REGION, "2025Q1", today=TODAY)
    finally:
        con.close()
    section = next(s for s in content.sections if s.heading.endswith("重点任务"))
    assert section.blocks[0].text == "截至2025年3月31日，方案1项任务中有1项逾期未完成，涉及牵头单位：测试市卫生健康委（1项）。"
    table = section.blocks[1]
    assert table.columns[:3] == ["序号", "任务", "责任单位（牵头单位在前）"]
    assert table.rows == [["1", "增加托位", "测试市卫生健康委、测试市教育局", "2024年12月31日", "进行中", "90天"]]


def test_changes_since_previous_quarter(document):
    lines = texts(document)
    assert "与2024年第2季度相比，全市计入托位由180个减至160个，净减20个。" in lines
    assert any("县区年度目标状态的变化：甲县由有风险转为已达到（未到期）。" in line for line in lines)
    assert "本季度新备案托育机构2家：乙县新苗托育园（乙县）、甲县第一幼儿园托班（甲县）。" in lines


def test_definitions_at_the_end(document):
    lines = texts(document)
    notes = lines[lines.index("附：口径说明") + 1:]
    assert any("每千人口拥有3岁以下婴幼儿托位数：" in n for n in notes)
    assert any("测试省平均：按省（自治区）合计数计算的比率" in n for n in notes)


def test_charts_are_inline_images(outputs, document):
    assert len(document.inline_shapes) == 2                     # trend, county bars
    captions = [t for t in texts(document) if t.startswith("图")]
    assert captions == ["图1　测试市每千人口托位数变化趋势", "图2　各县区每千人口托位数与目标、测试省平均"]
    with zipfile.ZipFile(outputs[".docx"]) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(images) == 2 and all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in images)


# ------------------------------------------------------------------ Word: the layout

def test_a4_fonts_and_page_numbers(outputs, document):
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    fonts = {name: document.styles[name].element.rPr.rFonts.get(east_asia)
             for name in ("Normal", "简报标题", "简报一级标题")}
    assert fonts == {"Normal": "仿宋_GB2312", "简报标题": "方正小标宋简体", "简报一级标题": "黑体"}
    with zipfile.ZipFile(outputs[".docx"]) as z:
        footer = z.read("word/footer1.xml").decode("utf-8")
    assert "PAGE" in footer and "fldChar" in footer


def test_same_data_gives_identical_document(fixture_db_path, outputs):
    con = db.connect(fixture_db_path)
    try:
        again = briefing.generate(con, PLAN, REGION, PERIOD, formats=(".docx",), today=TODAY).docx
    finally:
        con.close()
    with zipfile.ZipFile(outputs[".docx"]) as first, zipfile.ZipFile(io.BytesIO(again)) as second:
        for part in ("word/document.xml", "word/styles.xml", "docProps/core.xml"):
            assert first.read(part) == second.read(part), part
        core = first.read("docProps/core.xml").decode("utf-8")
    assert "2024-09-30T00:00:00Z" in core                        # dated by the period, not the clock


# ------------------------------------------------------------------ PDF

def test_pdf_pages_and_chinese_text(outputs):
    pdf = outputs[".pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 2 <= pages <= 8
    text = pdf_files.text(pdf)
    assert compact(HEADLINE) in compact(text)                   # real glyphs with Unicode, not boxes
    assert "二、县区情况" in text and "—1—" in compact(text)                # the page number in the footer


def test_pdf_without_chromium_is_refused_in_chinese_but_word_is_written(monkeypatch, fixture_db_path, tmp_path,
                                                                       capsys):
    monkeypatch.setenv("TUOYU_CHROMIUM", str(tmp_path / "no-such-browser"))
    docx, pdf = tmp_path / "b.docx", tmp_path / "b.pdf"
    code = cli.main(["--db", str(fixture_db_path), "briefing", "--plan", PLAN, "--region", REGION,
                     "--period", PERIOD, "-o", str(docx), "-o", str(pdf)])
    assert code == 3
    assert docx.exists() and not pdf.exists()
    err = capsys.readouterr().err
    assert "未找到 Chromium 浏览器，无法生成 PDF" in err and "图表未能生成" not in err
    # the charts are drawn without a browser (vl-convert): the trend and the counties' bars
    with zipfile.ZipFile(docx) as word:
        assert len([n for n in word.namelist() if n.startswith("word/media/") and n.endswith(".png")]) == 2


# ------------------------------------------------------------------ Excel

def test_excel_has_every_table_with_numbers_as_numbers(outputs):
    book = load_workbook(outputs[".xlsx"])
    assert {"总体进展", "目标完成情况", "季度趋势", "县区对比", "机构明细", "任务台账"} <= set(book.sheetnames)

    def rows(sheet):
        values = list(book[sheet].values)
        return [dict(zip(values[0], row)) for row in values[1:]]

    counties = {r["县区"]: r for r in rows("县区对比")}
    assert isinstance(counties["甲县"]["每千人口托位数（个/千人）"], float)
    assert counties["甲县"]["每千人口托位数（个/千人）"] == pytest.approx(1.6)      # 160 / 100,000 × 1000
    assert counties["乙县"]["尚需托位"] == 75
    headline = {r["指标"]: r for r in rows("总体进展")}
    assert headline["每千人口拥有3岁以下婴幼儿托位数"]["本期"] == pytest.approx(160 / 150)
    assert headline["托育机构备案率"]["本期"] == pytest.approx(80.0)           # 4 of 5, in %
    task = rows("任务台账")[0]
    assert task["完成时限"] == datetime(2024, 12, 31) and task["是否逾期"] == "否" and task["逾期天数"] is None
    assert len(rows("机构明细")) == 5                                           # A1, A2, A4, B1, B2 active


def test_excel_headers_are_the_pages_chinese_headers(outputs):
    # 数量类目标: tuoyu/review.py's checklist columns less the indicator code, each under
    # the header 评审指标 shows it with (依据, 解读 included: never the column's own name)
    book = load_workbook(outputs[".xlsx"])
    assert [c.value for c in book["数量类目标"][1]] == \
        ["区划代码", "地区", "指标", "年份", "要求", "实际", "结论", "判断时点", "依据", "解读", "出处"]
    english = [f"{sheet.title}!{c.coordinate} {c.value}" for sheet in book.worksheets for c in sheet[1]
               if re.fullmatch(r"[A-Za-z_]+", str(c.value))]
    assert english == []


def test_export_excel_command(fixture_db_path, tmp_path):
    out = tmp_path / "tables.xlsx"
    assert cli.main(["--db", str(fixture_db_path), "export-excel", "--plan", PLAN, "--region", REGION,
                     "--period", PERIOD, "-o", str(out)]) == 0
    assert "县区对比" in load_workbook(out).sheetnames


# ------------------------------------------------------------------ review criteria, when the plan has them

def test_review_criteria_section_with_the_ningxia_criteria(monkeypatch, fixture_db_path):
    # The Zhongwei criteria (due at 2024Q4) applied to 测试市 at 2024Q3 (see tests/test_review.py):
    #  1 测试市 1.07 > 1.0 but 乙县 0.00 < 1.5, heading for 0 → 有风险, 乙县 named;
    #  3 达标率 of 测试市: 2/3 at Q2, A1 of A1, A2, B2 = 1/3 at Q3 → 有风险;
    #  6 指导中心: 甲县 none ever, 乙县 B1 → 有风险, 甲县 named;
    #  8 no 重大 incident in 测试市 in the 3 years to 2024-09-30 (A3's lies exactly on the edge) → 已达到.
    zhongwei = review.criteria_for("ZHONGWEI").assign(plan_code=PLAN)
    monkeypatch.setattr(review, "criteria_for", lambda plan: zhongwei if plan == PLAN else zhongwei.iloc[0:0])
    con = db.connect(fixture_db_path)
    try:
        content = briefing.assemble(con, PLAN, REGION, PERIOD, today=TODAY)
    finally:
        con.close()
    section = next(s for s in content.sections if s.heading == "三、评审指标")
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert table.columns == ["序号", "评审指标", "测试市", "依据数据", "未达标或有风险的县区"]
    verdicts = {row[0]: (row[2], row[4]) for row in table.rows}
    assert len(verdicts) == 8
    assert verdicts["1"] == ("有风险", "乙县（有风险）")
    assert verdicts["3"][0] == "有风险"
    assert verdicts["6"] == ("有风险", "甲县（有风险）")
    assert verdicts["8"] == ("已达到（未到期）", "—")
    assert section.blocks[0].text.startswith("对照评审指标，测试市8项中")


def test_tasks_are_read_as_the_ledger_reads_them(con):
    # T-1, due 2024-12-31, 进行中: late by whole days to the day asked (692 to 2026-11-23:
    # 365 in 2025, 304 to the end of October 2026, 23 more), not late on its due day
    row = tasks_of(con, PLAN, TODAY).iloc[0]
    assert (row["task_id"], row["status"], bool(row["is_late"]), row["days_overdue"], row["lead_unit"]) == \
        ("T-1", "进行中", True, 692, "测试市卫生健康委")
    assert not tasks_of(con, PLAN, date(2024, 12, 31))["is_late"].any()   # due today is not late yet


# ------------------------------------------------------------------ the page

def test_page_generates_and_offers_downloads(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, "pages/briefing.py", plan=PLAN, region=REGION, period=PERIOD)
    assert not at.download_button
    at.button(key="brief_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    keys = {b.key for b in at.download_button}
    assert {"brief_docx", "brief_xlsx"} <= keys
    assert "brief_pdf" in keys
    assert any(HEADLINE in m.value for m in at.markdown)
