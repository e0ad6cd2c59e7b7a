"""One word everywhere (DESIGN §4.2): on the shipped sample, the same target at the same
quarter carries the same status on 总览, 县区对比, 评审指标, in the briefing's text, in the Excel
workbook and from the CLI.

The words themselves are the sample's story (data/sample/README.md), read off its figures:
at 2024Q4 中卫市 counts 1.34 托位 per 1,000 against its 2024 target of 1.2 (达标) and 海原县
1.00 against the same (未达标: 1.2 × its population needs 66 more 托位), while 沙坡头区 1.70
and 中宁县 1.25 meet it; the 2025 target of 1.5 is not due, so it is never 未达标 there. At
2024Q2 中卫市 is at 1.00 and its line over the last four quarters reaches only 1.12 by
2024Q4: 有风险."""

import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.apptest import run_app, table_with, target_table
from tuoyu import briefing, cli, db, review

PLAN, CITY, HAIYUAN = "ZHONGWEI", "640500", "640522"
SLOTS_2024 = "≥ 1.20 个/千人（2024年）"


@pytest.fixture(scope="module")
def documents(sample_db_path):
    con = db.connect(sample_db_path)
    try:
        files = briefing.generate(con, PLAN, CITY, "2024Q4", formats=(".docx", ".xlsx"))
    finally:
        con.close()
    return Document(io.BytesIO(files.docx)), load_workbook(io.BytesIO(files.xlsx))


def test_overview(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, plan=PLAN, region=CITY, period="2024Q4")
    table = target_table(at)
    slots = table[(table["指标"] == "每千人口托位数") & (table["要求"] == SLOTS_2024)].set_index("地区")["状态"]
    assert slots.to_dict() == {"中卫市": "达标", "沙坡头区": "达标", "中宁县": "达标", "海原县": "未达标"}
    later = table[table["要求"].str.endswith("（2025年）")]["状态"]
    assert not later.empty and "未达标" not in set(later)
    lines = [m.value for m in at.markdown]
    assert any(line.startswith("**2024年每千人口托位数目标≥ 1.20 个/千人：达标。") for line in lines)
    assert "未达标或有风险的县区：海原县（未达标，尚需托位约66个）。" in lines
    # the review criterion that the city's own figure meets, said on the same screen
    assert any(line.startswith("评审指标第1条要求中卫市及所辖县区均达到：中卫市自身达标，但海原县未达标") for line in lines)


def test_overview_before_the_year_is_over(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, plan=PLAN, region=CITY, period="2024Q2")
    first = next(m.value for m in at.markdown if m.value.startswith("**2024年每千人口托位数目标"))
    assert first.startswith("**2024年每千人口托位数目标≥ 1.20 个/千人：有风险。本期1.00 个/千人；按近四个季度趋势预计2024年第4季度1.12")


def test_county_comparison(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", plan=PLAN, region=CITY, period="2024Q4")
    table = table_with(at, "县区").set_index("县区")
    assert table["状态"].to_dict() == {"沙坡头区": "达标", "中宁县": "达标", "海原县": "未达标"}
    assert table.loc["海原县", "尚需托位"] == 66


def test_review_criteria_match_the_target_rows(monkeypatch, sample_db_path):
    """Criterion 3 (达标率 > 85%) is also a target row of 2024: the same word at 2024Q2 and at
    2024Q4, on 评审指标 and on 总览."""
    for quarter, word in (("2024Q2", "已达到（未到期）"), ("2024Q4", "达标")):
        review_page = run_app(monkeypatch, sample_db_path, "pages/review.py", plan=PLAN, region=CITY, period=quarter)
        matrix = table_with(review_page, "评审指标").set_index("评审指标")
        assert matrix.loc["3. 机构达标率高于85%", "中卫市"] == word
        overview = run_app(monkeypatch, sample_db_path, plan=PLAN, region=CITY, period=quarter)
        table = target_table(overview)
        row = table[(table["地区"] == "中卫市") & (table["指标"] == "达标率")]
        assert row["状态"].tolist() == [word]
    # criterion 1 for 海原县 asks for more than (>) 1.2: 1.00 is not, at the quarter the target row is judged
    con = db.connect(sample_db_path)
    try:
        table = review.criteria_table(con, PLAN, CITY, "2024Q4")
    finally:
        con.close()
    first = table[table["criterion"] == 1].set_index("region_name")["verdict"].to_dict()
    assert first == {"中卫市": "未达标", "沙坡头区": "达标", "中宁县": "达标", "海原县": "未达标"}


def test_briefing_text(documents):
    document, _ = documents
    lines = [p.text for p in document.paragraphs]
    headline = lines[lines.index("一、总体进展") + 1]
    assert "2024年每千人口托位数目标≥ 1.20 个/千人：达标。" in headline
    assert "2025年每千人口托位数目标≥ 1.50 个/千人：未达标" not in headline
    assert any(line.startswith("所辖3个县区对照2024年度目标，") and "海原县未达标，合计尚需新增托位约66个" in line
               for line in lines)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "排名")
    ranking = {row.cells[1].text: row.cells[-1].text for row in table.rows[1:]}
    assert ranking == {"沙坡头区": "达标", "中宁县": "达标", "海原县": "未达标"}


def test_excel(documents):
    _, book = documents
    values = list(book["目标完成情况"].values)
    rows = [dict(zip(values[0], row)) for row in values[1:]]
    slots = {r["地区"]: r["状态"] for r in rows if r["指标"] == "每千人口托位数" and r["要求"] == SLOTS_2024}
    assert slots == {"中卫市": "达标", "沙坡头区": "达标", "中宁县": "达标", "海原县": "未达标"}
    assert all(r["评价期"] == "2024年第4季度" for r in rows if r["年份"] == 2024)


def test_cli(sample_db_path, capsys):
    assert cli.main(["--db", str(sample_db_path), "indicators", "--region", HAIYUAN, "--period", "2024Q4",
                     "--plan", PLAN, "--json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    year = snap["year_target"]
    assert (year["year"], year["status"], year["judged_at"], year["slots_needed"]) == (2024, "未达标", "2024Q4", 66)
    assert {(t["year"], t["status"]) for t in snap["targets"] if t["indicator"] == "slots_per_1000"} >= \
        {(2024, "未达标")}
