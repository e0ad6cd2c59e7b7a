"""督办通知 on the shipped sample, ZHONGWEI at 2024Q4 (as of 2024-12-31).

By hand, from the sample's story (data/sample/README.md) and tests/test_one_verdict.py: 沙坡头区
(1.70 托位/千人) and 中宁县 (1.25) meet the 2024 target of 1.2, each has a demonstration 普惠
institution, a public kindergarten with a 托班 and a guidance centre, and is on course for
2025 (沙坡头区 already above 1.5, 中宁县 projected above it); every county reported the quarter.
海原县 misses the 2024 target (1.00: 66 托位 short), has no public kindergarten 托班 (2022) and
no guidance centre (2024), and is at risk for 2025. So exactly one notice: 海原县."""

import io

from docx import Document

from tests.apptest import run_app
from tuoyu import cli, db
from tuoyu.briefing import notices


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_cli_writes_a_notice_for_each_county_that_needs_one(sample_db_path, tmp_path, capsys):
    out = tmp_path / "notices"
    assert cli.main(["--db", str(sample_db_path), "notices", "--plan", "ZHONGWEI", "--period", "2024Q4",
                     "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["督办通知_海原县_2024Q4.docx"]
    text = text_of((out / "督办通知_海原县_2024Q4.docx").read_bytes())
    assert text.startswith("关于海原县婴幼儿照护服务示范城市创建工作的督办通知（2024年第4季度）\n海原县人民政府：")
    # the 2024 target as 总览 words it, its gap in 托位 included
    assert "2024年每千人口托位数目标≥ 1.20 个/千人：未达标。按2024年第4季度评价：1.00 个/千人，" \
           "要求≥ 1.20 个/千人，差0.20 个/千人，尚需托位约66个。" in text
    assert "未达标\n公办幼儿园托班" in text and "有风险\n每千人口托位数" in text
    assert "请于2025年1月15日前将整改措施和进展情况书面报送中卫市卫生健康委员会。" in text   # 15 days on
    assert "海原县" in capsys.readouterr().out


def test_nothing_to_act_on_writes_nothing(sample_db_path):
    # below 中宁县: the plan binds no township, and its townships reported
    con = db.connect(sample_db_path)
    try:
        assert notices.build(con, "ZHONGWEI", "2024Q4", region="640521") == []
    finally:
        con.close()


def test_page_offers_the_notices_as_one_zip(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/briefing.py", plan="ZHONGWEI", region="640500",
                 period="2024Q4")
    at.button(key="brief_notices").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value.split("：")[0] for t in at.text] == ["海原县"]
    download = {b.key: b for b in at.download_button}["brief_notices_zip"]
    assert download.proto.label == "下载督办通知（1份，.zip）"
