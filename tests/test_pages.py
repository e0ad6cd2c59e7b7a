"""Every page through AppTest: renders on the sample, follows the sidebar and the URL,
and shows the figures the indicator functions give (values by hand in test_indicators)."""

import pytest

from tests.apptest import metric, run_app

PAGES = ["pages/overview.py", "pages/counties.py", "pages/review.py", "pages/institutions.py"]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_on_the_sample(monkeypatch, sample_db_path, page):
    at = run_app(monkeypatch, sample_db_path, page)
    assert at.title[0].value
    assert any("示例数据" in c.value for c in at.caption)


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
    table = at.dataframe[0].value
    assert table["状态"].tolist() == ["有风险", "已达到（未到期）"]   # 托位 first (worst first), 指导中心
    headline = [m.value for m in at.markdown]
    assert ("**2024年每千人口托位数目标≥ 1.50 个/千人：有风险。本期0.00 个/千人；按近四个季度趋势预计2024年第4季度0.00 个/千人，"
            "达不到要求≥ 1.50 个/千人；尚需托位约75个，到期前1个季度每季度约75个。**") in headline
    assert "2024年度目标2项：已达到（未到期）1项、有风险1项。" in headline
    assert ":orange-badge[有风险]" in headline                     # st.badge is a Markdown directive


def test_overview_names_the_counties_that_lag(monkeypatch, fixture_db_path):
    # 测试市's counties at 2024Q3: 甲县 1.6 ≥ 1.5 already; 乙县 有风险, 75 托位 short
    at = run_app(monkeypatch, fixture_db_path, plan="TESTPLAN", region="990100", period="2024Q3")
    lines = [m.value for m in at.markdown]
    assert "未达标或有风险的县区：乙县（有风险，尚需托位约75个）。" in lines


def test_overview_of_a_county_under_a_national_plan_has_no_verdict(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, plan="TESTWIDE", region="990101", period="2024Q3")
    assert "**本方案未对甲县设定每千人口托位数目标。**" in [m.value for m in at.markdown]
    assert metric(at, "距年度目标尚需托位") == "无数据"
    references = at.dataframe[-1].value
    assert references["参考"].tolist() == ["参考：全国目标≥ 4.50 个/千人（2025年），不对本地区作评价"]


def test_counties_table_and_what_if(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, "pages/counties.py", plan="TESTPLAN", region="990100",
                 period="2024Q3")
    table = at.dataframe[0].value.set_index("县区")
    assert table.loc["甲县", "每千人口托位数（个/千人）"] == 1.6
    assert table.loc["乙县", "尚需托位"] == 75
    assert table.loc["乙县", "状态"] == "有风险"
    # average is 测试省 1.1: 甲县 1.6 above, 乙县 0.0 below
    assert "每千人口托位数" in table.loc["乙县", "低于平均的指标"]
    assert "每千人口托位数" not in table.loc["甲县", "低于平均的指标"]
    # the what-if table starts with nothing added: figures as now
    what_if = at.dataframe[-1].value.set_index("地区")  # the editor itself is dataframe[1]
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
