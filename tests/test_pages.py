"""Every page through AppTest: renders on the sample, follows the sidebar and the URL,
and shows the figures the indicator functions give (values by hand in test_indicators)."""

import ast
import tomllib
from pathlib import Path

import pytest

from tuoyu.ui import display
from tests.apptest import (assert_valid_vega_lite, cell_colours, grid_containers, metric, print_copies, run_app,
                           static_table, table_with, tables_with, target_table, units_table, vega_charts)

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/counties.py", "pages/review.py", "pages/institutions.py"]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_on_the_sample(monkeypatch, sample_db_path, page):
    at = run_app(monkeypatch, sample_db_path, page)
    assert at.title[0].value
    assert any("示例数据" in c.value for c in at.caption)


# ------------------------------------------------------------------ the sample at 2024Q4, by hand
# From data/sample with the csv module (DESIGN §3; 2024Q4 has quarter reports only):
#   中卫市 640500: 73 active at 2024-12-31, 63 of them filed; their 2024Q4 slots 1,416;
#     2024 population 1,054,127 → 1,416 / 1,054,127 × 1000 = 1.343 → 1.34; 备案率 63/73 = 86.3%
#   海原县 640522: 20 active, 15 filed (5 not: 40+40+35+35+30 = 180 slots reported, not
#     counted); filed slots 322; population 322,973 → 0.997 → 1.00; 备案率 15/20 = 75.0%;
#     2024 target 1.2 (data/base/targets.csv): ⌈1.2 × 322,973 / 1000⌉ = ⌈387.6⌉ = 388 − 322 = 66
#     托位 short, and at 2024Q4 (due) 1.00 < 1.20 is 未达标; meets_standard 11 of 15 = 73.3%
#   沙坡头区 640502: 680 / 399,810 = 1.70; 中宁县 640521: 414 / 331,344 = 1.25 (both ≥ 1.2 达标)
#   宁夏 640000: 11,933 / 7,278,743 = 1.64, so 海原县 is 0.64 below the 全区平均
SAMPLE_AT = dict(plan="ZHONGWEI", period="2024Q4")


def test_overview_of_zhongwei_on_the_sample(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, region="640500", **SAMPLE_AT)
    assert metric(at, "每千人口托位数") == "1.34个"
    assert metric(at, "备案率") == "86.3%"
    assert metric(at, "距2024年目标尚需托位") == "0 个"


def test_overview_of_haiyuan_on_the_sample(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, region="640522", **SAMPLE_AT)
    assert metric(at, "每千人口托位数") == "1.00个"
    assert metric(at, "备案率") == "75.0%"
    assert metric(at, "距2024年目标尚需托位") == "66 个"
    assert any(m.value.startswith("**2024年每千人口托位数目标≥ 1.20 个/千人：未达标。") and "尚需托位约66个" in m.value
               for m in at.markdown)
    units = units_table(at).set_index("县区")
    assert units["每千人口托位数（个/千人）"].to_dict() == {"沙坡头区": 1.70, "中宁县": 1.25, "海原县（所选）": 1.00}
    assert units["状态"].to_dict() == {"沙坡头区": "达标", "中宁县": "达标", "海原县（所选）": "未达标"}
    assert units.loc["海原县（所选）", "尚需托位"] == 66


def test_overview_map_colouring_changes_the_map_and_keeps_the_page(monkeypatch, sample_db_path):
    # the colouring is a fragment of the page (only it reruns in a browser); under AppTest the
    # whole script runs, so this checks what the fragment draws and that nothing else is lost
    at = run_app(monkeypatch, sample_db_path, region="640500", **SAMPLE_AT)
    at.radio(key="overview_map_mode").set_value("value").run()
    assert not at.exception
    assert "按每千人口托位数分为五档（每档单位数大致相同），颜色越深越高。详见“县区对比”。" in [c.value for c in at.caption]
    assert metric(at, "每千人口托位数") == "1.34个"
    units = units_table(at)
    assert units["县区"].tolist() == ["沙坡头区", "中宁县", "海原县"]   # 1.70, 1.25, 1.00: highest first


def test_counties_of_zhongwei_with_haiyuan_selected(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", region="640522", **SAMPLE_AT)
    assert metric(at, "每千人口托位数") == "1.00"
    assert metric(at, "尚需托位") == "66"
    assert metric(at, "与全区平均1.64之差") == "低0.64"
    table = table_with(at, "区划代码").set_index("区划代码")
    assert table["每千人口托位数（个/千人）"].to_dict() == {"640502": 1.70, "640521": 1.25, "640522": 1.00}
    assert table["尚需托位"].to_dict() == {"640502": 0, "640521": 0, "640522": 66}
    assert table.loc["640522", "状态"] == "未达标" and table.loc["640522", "与宁夏回族自治区平均之差"] == -0.64
    what_if = table_with(at, "新增后能否达到目标").set_index("地区")     # nothing added yet: figures as now
    assert what_if.loc["中卫市", "新增后"] == 1.34 and what_if.loc["海原县", "新增后能否达到目标"] == "仍未达到"


def test_review_of_haiyuan_on_the_sample(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/review.py", region="640522", **SAMPLE_AT)
    matrix = table_with(at, "评审指标").set_index("评审指标")
    assert matrix.loc["1. 千人口托位数达到年度任务", "海原县"] == "未达标"      # 1.00 > 1.2? no
    assert matrix.loc["3. 机构达标率高于85%", "海原县"] == "未达标"              # 73.3% > 85%? no
    details = " ".join(" ".join(d["依据数据"]) for d in tables_with(at, "依据数据")[:3])
    assert "1.00 个/千人，要求> 1.20 个/千人" in details and "尚需托位约66个" in details
    assert "要求> 全区平均 1.64 个/千人" in details and "达标率：按2024年第4季度评价：73.3%" in details


def test_institutions_of_haiyuan_on_the_sample(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/institutions.py", region="640522", **SAMPLE_AT)
    assert metric(at, "在营机构") == "20 家" and metric(at, "其中已备案") == "15 家"
    assert metric(at, "本期已报") == "20 家" and metric(at, "本期未报机构") == "0 家"
    assert metric(at, "本期报表中未计入指标的托位") == "180 个"
    assert metric(at, "距2024年目标尚需托位") == "66 个"
    table = at.dataframe[0].value
    assert len(table) == 20 and (table["本期末已备案"] == "否").sum() == 5
    assert set(table.loc[table["本期末已备案"] == "否", "托位数"]) == {40, 35, 30}


def test_tasks_of_zhongwei_at_the_end_of_2024(monkeypatch, sample_db_path):
    # data/base/tasks.csv: 9 ZHONGWEI tasks, all due 2023-09-30; with data/sample/ledger's
    # updates up to 2024-12-31, 01/03/05/09 are 已完成, the other 5 late since 2023-10-01
    # (2023-10-01 … 2024-12-31: 92 + 366 = 458 days)
    at = run_app(monkeypatch, sample_db_path, "pages/tasks.py", region="640500", **SAMPLE_AT)
    assert any(m.value.startswith("**共9项任务：已完成4项，滞后5项；最早的自2023年10月1日起滞后。**") for m in at.markdown)
    ledger = table_with(at, "任务编号").set_index("任务编号")
    assert sorted(ledger.index[ledger["状态"] == "已完成"]) == ["ZHONGWEI-01", "ZHONGWEI-03", "ZHONGWEI-05", "ZHONGWEI-09"]
    assert set(ledger.loc[ledger["状态"] == "滞后", "逾期情况"]) == {"逾期458天（自2023年10月1日起）"}


def test_upload_lists_who_has_not_reported_the_latest_quarter(monkeypatch, sample_db_path):
    # 2026Q3 (the sample's latest), institutions active at 2026-09-30 with no report in the
    # quarter: one per county under 中卫 — 36/35, 32/31, 26/25 active/reported
    at = run_app(monkeypatch, sample_db_path, "pages/upload.py", region="640500", **SAMPLE_AT)
    counties = at.dataframe[0].value.set_index("县区")
    assert counties[["应报机构", "已报", "未报"]].to_dict("index") == {
        "沙坡头区": {"应报机构": 36, "已报": 35, "未报": 1}, "中宁县": {"应报机构": 32, "已报": 31, "未报": 1},
        "海原县": {"应报机构": 26, "已报": 25, "未报": 1}}
    missing = at.dataframe[1].value
    assert missing["机构名称"].tolist() == ["中卫市沙坡头区第三幼儿园托班", "中宁县第一幼儿园托班", "海原县梧桐幼儿园托班"]


def test_briefing_page_offers_the_selection(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, "pages/briefing.py", region="640522", **SAMPLE_AT)
    assert at.caption[0].value.startswith("海原县 · 2024年第4季度 · 中卫市创建全国婴幼儿照护服务示范城市活动方案")
    assert {"生成简报", "生成督办通知"} <= {b.label for b in at.button}


def test_navigation_titles_in_design_order(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path)
    assert at.title[0].value == "总览"
    source = open("dashboard.py", encoding="utf-8").read()
    positions = [source.index(f'title="{t}"') for t in ("总览", "县区对比", "评审指标", "机构明细")]
    assert positions == sorted(positions)


def test_deep_link_opens_that_view(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, region="640522", period="2024Q4")
    assert at.sidebar.selectbox[1].value == "640522" and at.sidebar.selectbox[2].value == "2024Q4"
    assert "海原县" in at.caption[0].value and "2024年第4季度" in at.caption[0].value
    assert at.query_params["region"] == ["640522"] or at.query_params["region"] == "640522"


def test_invalid_code_in_url_gives_notice_and_default(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, region="x'; drop table reports; --", period="2099Q9")
    warnings = " ".join(w.value for w in at.warning)
    assert "区划代码" in warnings and "报告期" in warnings and "无效" in warnings
    assert at.sidebar.selectbox[1].value == "640500"      # the plan's region
    assert at.sidebar.selectbox[2].value == "2026Q3"      # the latest period with data


def test_overview_follows_region_and_period(monkeypatch, fixture_db_path):
    # fixture: 测试市 2024Q3 160 slots / 150,000 = 1.07; 甲县 1.60; 测试市 2024Q2 180 / 150,000 = 1.20
    at = run_app(monkeypatch, fixture_db_path, plan="TESTPLAN", region="990100", period="2024Q3")
    assert metric(at, "每千人口托位数") == "1.07个"
    assert metric(at, "备案率") == "80.0%"                   # 4 of 5
    assert metric(at, "距2024年目标尚需托位") == "0 个"
    at.sidebar.selectbox[1].select("990101").run()
    assert metric(at, "每千人口托位数") == "1.60个"
    assert metric(at, "入托率") == "6.7%"                    # 134 / 2,000
    at.sidebar.selectbox[1].select("990100").run()
    at.sidebar.selectbox[2].select("2024Q2").run()
    assert metric(at, "每千人口托位数") == "1.20个"
    assert at.query_params["period"] in ("2024Q2", ["2024Q2"])


def test_overview_status_table_and_gap(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, plan="TESTPLAN", region="990102", period="2024Q3")
    # 乙县: target 1.5 for 2024, 50,000 people, 0 slots → ⌈75⌉ − 0 = 75; 1.0 (Q2) → 0.0 (Q3)
    assert metric(at, "距2024年目标尚需托位") == "75 个"
    table = target_table(at)
    assert table["状态"].tolist() == ["有风险", "已达到（未到期）"]   # 托位 first (worst first), 指导中心
    assert table.columns[:2].tolist() == ["状态", "评价值"]          # what stays on a phone's screen
    headline = [m.value for m in at.markdown]
    assert ("**2024年每千人口托位数目标≥ 1.50 个/千人：有风险。本期0.00 个/千人；按近四个季度趋势预计2024年第4季度0.00 个/千人，"
            "达不到要求≥ 1.50 个/千人；尚需托位约75个，到期前1个季度每季度约75个。**") in headline
    assert "2024年度目标2项：已达到（未到期）1项、有风险1项。" in headline
    assert ":orange-badge[有风险]" in headline                     # st.badge is a Markdown directive


def test_overview_tables_keep_words_and_colours_when_drawn_again(monkeypatch, fixture_db_path):
    # Both tables are drawn once per selection and replayed on later runs (tuoyu.ui.figures).
    # data/verdicts.toml: 有风险 #fdebd0, 已达到（未到期） #e6f4e7
    at = run_app(monkeypatch, fixture_db_path, plan="TESTPLAN", region="990102", period="2024Q3")
    targets = [("有风险", "#fdebd0"), ("已达到（未到期）", "#e6f4e7")]
    units = [("已达到（未到期）", "#e6f4e7"), ("有风险", "#fdebd0")]      # 甲县 1.60, 乙县 0.00
    assert cell_colours(at, "状态", has="评价值") == targets
    assert cell_colours(at, "状态", has="县区") == units
    at.run()
    assert cell_colours(at, "状态", has="评价值") == targets
    assert cell_colours(at, "状态", has="县区") == units


# 总览's tables: at most 40 rows shown whole and static, more in a grid that scrolls with a
# static copy for paper (tuoyu.ui.display.table). From data/base/targets.csv, plan ZHONGWEI:
#   海原县 640522: the plan's each_child rows, for each county — 每千人口托位数 2022, 2023, 2024,
#     2025, 示范性普惠机构 2022, 公办幼儿园托班 2022, 指导中心 2024: 7 targets; its references are
#     中卫市's own value rows for indicators it has none of (达标率, 平均托收率, 最低托收率,
#     保育人员配备率, 家庭满意度, 机构满意度, 近3年重大事故): 7; the units are 中卫市's 3 counties.
#   中卫市 640500: its own 14 rows + 3 counties × 7 = 35 targets: still whole.
#   舞钢市 410481, plan WUGANG: 示范机构 2020 for the city, and for each of its 14 乡镇（街道）
#     示范机构 2021, 普惠幼儿园托班 2021, 用人单位办托 2022, 公办民营 2023: 1 + 14 × 4 = 57 targets
#     (more than 20, or 40); 14 units.


def test_overview_short_tables_are_drawn_whole_and_static(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, region="640522", **SAMPLE_AT)
    assert not at.dataframe                          # no grid: a browser loads no data-grid bundle
    targets = target_table(at)
    # worst first (tuoyu.overview.status_table): 1.00 < 1.20 due 2024 未达标, 0 公办托班 and 0 指导中心
    # 未达标, 2025's 1.50 有风险, then 达标 (2022: 0.62 ≥ 0.60, 2023: 0.96 ≥ 0.90, 1 示范机构)
    assert sorted(targets["状态"]) == sorted(["未达标"] * 3 + ["有风险"] + ["达标"] * 3)
    assert targets.columns[:2].tolist() == ["状态", "评价值"]
    assert "0.96 个/千人" in targets["评价值"].tolist()
    assert len(table_with(at, "参考")) == 7
    # the units as the grid showed them: figures to 2 decimals, 海原县 1.00, 66 托位, 0.997 − 1.639 = −0.64
    units, _ = static_table(next(e.value for e in at.html if "海原县（所选）" in e.value), text=True)
    assert units.iloc[-1].tolist() == ["海原县（所选）", "未达标", "1.00", "66", "-0.64"]
    assert cell_colours(at, "状态", has="县区") == [("达标", "#c8e6c9"), ("达标", "#c8e6c9"), ("未达标", "#f8d7da")]
    assert not print_copies(at)                      # printed once, as it is on screen
    # 中卫市, the link a leader opens: 35 targets and 3 units, all whole, no grid
    at = run_app(monkeypatch, sample_db_path, region="640500", **SAMPLE_AT)
    assert not at.dataframe and len(target_table(at)) == 35 and len(table_with(at, "县区")) == 3


def test_counties_table_of_a_city_is_whole_and_static_and_a_provinces_sorts(monkeypatch, sample_db_path):
    # 中卫市's 3 counties: 指标对比表 drawn whole, no grid on the page (a browser opening the link
    # loads no data-grid bundle); 海原县 1.00 below the 全区平均 1.64 in amber, 沙坡头区 1.70 not
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", region="640500", **SAMPLE_AT)
    assert not at.dataframe
    # its list of words (低于平均的指标) as wide on a desk as on a phone (app.css .wide-text)
    assert any('class="print-table wide-text"' in e.value and "沙坡头区" in e.value for e in at.html)
    column = "每千人口托位数（个/千人）"
    assert cell_colours(at, column, has="县区") == [(1.7, ""), (1.25, "#fff3cd"), (1.0, "#fff3cd")]
    assert cell_colours(at, "状态", has="县区") == [("达标", "#c8e6c9"), ("达标", "#c8e6c9"), ("未达标", "#f8d7da")]
    captions = [c.value for c in at.caption]
    assert "黄色底色表示低于宁夏回族自治区平均。距目标、与平均之差的单位为 个/千人。" in captions   # no sorting offered
    # 福建's 83 counties (more than 40): a grid that sorts by a click on a column
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", plan="FUJIAN", region="350000", period="2024Q4")
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 83
    assert any(c.value.startswith("黄色底色表示低于福建省平均；点击列名可排序。") for c in at.caption)
    # on paper its copy, every row word for word, the below-average cells amber as in the grid
    (copy,) = print_copies(at)
    assert grid_containers(at) == [["print_wide_comparison", "screen_only_comparison_table"]]
    grid = at.dataframe[0].value
    empty = [c for c in grid.columns if grid[c].isna().all()]   # 满意度: no survey in 福建 (无数据 on both)
    assert copy.drop(columns=empty).equals(grid.drop(columns=empty))
    assert empty == ["满意度（%）"] and (copy[empty[0]] == "无数据").all()
    copy_colours = next(c for f, c in (static_table(e.value) for e in at.html if "<table" in e.value)
                        if f.columns.tolist() == grid.columns.tolist())
    grid_colours = [c for _, c in cell_colours(at, column, has="县区")]
    assert copy_colours[column].tolist() == grid_colours and grid_colours.count("#fff3cd") > 0


def test_paper_copy_of_a_grid_up_to_paper_copy_rows(monkeypatch, sample_db_path):
    # the country's 2,850 counties would send megabytes of hidden HTML with every run: beyond
    # PAPER_COPY_ROWS a grid has no copy for paper, and is not hidden there either (paper shows
    # what of it the screen shows) (福建's 83 counties, with the limit at 82)
    monkeypatch.setattr(display, "PAPER_COPY_ROWS", 82)
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", plan="FUJIAN", region="350000", period="2024Q4")
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 83 and not print_copies(at)
    assert grid_containers(at) == [["print_wide_comparison"]]


def test_overview_long_target_table_scrolls_with_its_copy_for_paper(monkeypatch, sample_db_path):
    at = run_app(monkeypatch, sample_db_path, plan="WUGANG", region="410481", period="2024Q4")
    grids = [d.value for d in at.dataframe]
    assert [len(g) for g in grids] == [57] and "评价值" in grids[0].columns     # the targets scroll
    copies = print_copies(at)
    assert len(copies) == 1 and copies[0].equals(grids[0])                        # every row, word for word
    assert len(table_with(at, "乡镇（街道）")) == 14                               # the units: static


def test_review_short_tables_are_static_and_a_long_checklist_scrolls(monkeypatch, sample_db_path):
    # 中卫市: 8 criteria × (中卫市 + 3 counties), each criterion's 4 units, 10 count targets — all
    # whole and static, so the page needs no data-grid bundle. data/verdicts.toml: 达标 #c8e6c9,
    # 未达标 #f8d7da; 海原县 1.00 > 1.2 no and 73.3% > 85% no (above), 中卫市's 达标率 2024 达标
    at = run_app(monkeypatch, sample_db_path, "pages/review.py", region="640500", **SAMPLE_AT)
    assert not at.dataframe and not print_copies(at)
    matrix = table_with(at, "评审指标")
    assert matrix.columns.tolist() == ["评审指标", "中卫市", "沙坡头区", "中宁县", "海原县"] and len(matrix) == 8
    colours = dict(zip(matrix["评审指标"], cell_colours(at, "海原县", has="评审指标")))
    assert colours["1. 千人口托位数达到年度任务"] == ("未达标", "#f8d7da")
    assert dict(zip(matrix["评审指标"], cell_colours(at, "中卫市", has="评审指标")))["3. 机构达标率高于85%"] == ("达标", "#c8e6c9")
    assert {c for _, c in cell_colours(at, "评审指标", has="评审指标")} == {""}        # the label is no status
    assert [len(d) for d in tables_with(at, "依据数据")] == [4] * 8
    assert len(table_with(at, "要求")) == 10
    # 舞钢市 (WUGANG, no criteria): 57 count targets (1 + 14 × 4, above) scroll, with every row on
    # paper; worst first: the city's 示范托育机构 in 2020 — its 2 institutions opened in 2020 are not 示范: 0 < 1
    at = run_app(monkeypatch, sample_db_path, "pages/review.py", plan="WUGANG", region="410481", period="2024Q4")
    (grid,) = [d.value for d in at.dataframe]
    assert len(grid) == 57 and grid.iloc[0][["结论", "地区", "指标", "实际"]].tolist() == ["未达标", "舞钢市", "示范托育机构数", 0]
    (copy,) = print_copies(at)
    assert copy.columns.equals(grid.columns) and copy.to_numpy().tolist() == grid.to_numpy().tolist()   # 实际: Int64 in the grid
    assert cell_colours(at, "结论", has="要求")[0] == ("未达标", "#f8d7da")


def test_ledger_is_static_when_short_and_a_grid_with_its_copy_when_long(monkeypatch, sample_db_path):
    # ZHONGWEI's 9 tasks at 2024-12-31 (test_tasks_of_zhongwei_at_the_end_of_2024): 滞后 first, then
    # 已完成; tuoyu/tasks.py STATUS_STYLE backgrounds 滞后 #f8d7da, 已完成 #d8f0dd
    late, done = ("滞后", "#f8d7da"), ("已完成", "#d8f0dd")
    at = run_app(monkeypatch, sample_db_path, "pages/tasks.py", region="640500", **SAMPLE_AT)
    assert not at.dataframe and not print_copies(at)
    ledger = table_with(at, "任务编号")
    assert ledger["任务编号"].tolist()[5:] == ["ZHONGWEI-01", "ZHONGWEI-03", "ZHONGWEI-05", "ZHONGWEI-09"]
    assert cell_colours(at, "状态", has="任务编号") == [late] * 5 + [done] * 4
    assert {c for _, c in cell_colours(at, "逾期情况", has="任务编号")} == {""}
    assert ledger.loc[0, "逾期情况"] == "逾期458天（自2023年10月1日起）" and ledger.loc[0, "完成时限"] == "2023-09-30"
    # on screen a task's number stays on one line (11 Latin characters, as wide as 5.5 Chinese
    # ones), its 逾期情况 (9 Chinese, 12 others: 15) wraps
    head = next(e.value for e in at.html if "任务编号" in e.value)
    assert '<th class="short">任务编号</th>' in head and "<th>逾期情况</th>" in head
    # no plan's ledger is longer than 40 rows (WUGANG's 22 the most): the same 9 against a rule of 8
    monkeypatch.setattr(display, "SHORT_TABLE_ROWS", 8)
    at = run_app(monkeypatch, sample_db_path, "pages/tasks.py", region="640500", **SAMPLE_AT)
    (grid,) = [d.value for d in at.dataframe if "任务编号" in d.value.columns]
    assert len(grid) == 9 and cell_colours(at, "状态", has="任务编号") == [late] * 5 + [done] * 4
    (copy,) = print_copies(at)
    assert copy.equals(grid)


def test_overview_names_the_counties_that_lag(monkeypatch, fixture_db_path):
    # 测试市's counties at 2024Q3: 甲县 1.6 ≥ 1.5 already; 乙县 有风险, 75 托位 short
    at = run_app(monkeypatch, fixture_db_path, plan="TESTPLAN", region="990100", period="2024Q3")
    lines = [m.value for m in at.markdown]
    assert "未达标或有风险的县区：乙县（有风险，尚需托位约75个）。" in lines


def test_overview_of_a_county_under_a_national_plan_has_no_verdict(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, plan="TESTWIDE", region="990101", period="2024Q3")
    assert "**本方案未对甲县设定每千人口托位数目标。**" in [m.value for m in at.markdown]
    assert metric(at, "距年度目标尚需托位") == "无数据"
    references = table_with(at, "参考")
    assert references["参考"].tolist() == ["参考：全国目标≥ 4.50 个/千人（2025年），不对本地区作评价"]


def test_counties_table_and_what_if(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, "pages/counties.py", plan="TESTPLAN", region="990100",
                 period="2024Q3")
    table = table_with(at, "县区").set_index("县区")
    assert table.loc["甲县", "每千人口托位数（个/千人）"] == 1.6
    assert table.loc["乙县", "尚需托位"] == 75
    assert table.loc["乙县", "状态"] == "有风险"
    # average is 测试省 1.1: 甲县 1.6 above, 乙县 0.0 below
    assert "每千人口托位数" in table.loc["乙县", "低于平均的指标"]
    assert "每千人口托位数" not in table.loc["甲县", "低于平均的指标"]
    # the what-if table starts with nothing added: figures as now
    what_if = table_with(at, "新增后能否达到目标").set_index("地区")  # below the number boxes, nothing added yet
    assert what_if.loc["乙县", "新增后"] == 0.0 and what_if.loc["测试市", "新增后"] == 1.07


def test_what_if_recomputes_units_and_region(con):
    from tuoyu import comparison
    view = comparison.build(con, "TESTPLAN", "990100", "2024Q3", "filed")
    result = comparison.what_if(con, view, {"990102": 75}).set_index("地区")
    # 乙县 (0 + 75) / 50,000 × 1000 = 1.5 → meets its 1.5; 测试市 (160 + 75) / 150,000 × 1000 = 1.566…
    assert result.loc["乙县", "新增后"] == 1.5 and result.loc["乙县", "新增后能否达到目标"] == "可达到"
    assert result.loc["甲县", "新增后能否达到目标"] == "可达到" and result.loc["测试市", "新增后能否达到目标"] == "可达到"
    assert result.loc["测试市", "新增后"] == 1.57 and result.loc["测试市", "新增托位"] == 75
    assert result.loc["甲县", "新增后"] == 1.6 and result.loc["甲县", "新增托位"] == 0


def test_no_script_relies_on_magic():
    # .streamlit/config.toml switches Streamlit's "magic" off (it cost a syntax-tree rewrite
    # per compile): a bare expression in a script would silently draw nothing. Only a call
    # or a docstring may stand alone as a statement.
    assert tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["runner"]["magicEnabled"] is False
    scripts = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "restricted").glob("*.py"))]
    bare = []
    for script in scripts:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0]) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body}
        bare += [f"{script.name}:{node.lineno}" for node in ast.walk(tree)
                 if isinstance(node, ast.Expr) and id(node) not in docstrings
                 and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]
    assert len(scripts) > 5 and bare == []


@pytest.mark.parametrize("page, charts", [("pages/overview.py", 2), ("pages/counties.py", 4), ("pages/tasks.py", 2)])
def test_pages_send_valid_vega_lite(monkeypatch, sample_db_path, page, charts):
    # 总览: the trend and the map; 县区对比: two bar charts, the scatter, the map; 任务台账: the
    # tasks per 责任单位 and the timeline — each checked against Vega-Lite's schema as sent
    at = run_app(monkeypatch, sample_db_path, page, plan="ZHONGWEI", region="640500", period="2024Q4")
    assert not at.exception
    assert len(vega_charts(at)) == charts
    assert_valid_vega_lite(at)
