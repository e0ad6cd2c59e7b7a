"""县区对比: a county among its peers with its gaps as numbers, the scale of a province, and
the what-if by touch. Figures by hand from tests/fixture at 2024Q3 (filed institutions;
tests/test_indicators.py):
  甲县 990101: A1 120 + A2 40 = 160 slots / 100,000 × 1000 = 1.60
  乙县 990102: B1 has no Q3 report, B2 0 slots → 0 / 50,000 = 0.00; its 2024 target 1.5
         (each_child) → ⌈1.5 × 50,000 / 1000⌉ − 0 = 75 托位, 有风险 (not due until 2024Q4)
  测试省 990000 (the average): A1 120 + A2 40 + B2 0 + C1 60 = 220 / 200,000 × 1000 = 1.10"""

import dataclasses

import pandas as pd

from tests.apptest import assert_valid_vega_lite, cell_colours, run_app, spec_rows, table_with, vega_charts
from tuoyu import charts, comparison

TESTPLAN_Q3 = dict(plan="TESTPLAN", period="2024Q3")


def test_a_county_is_compared_with_its_peers(con):
    (scope,) = comparison.scopes(con, "990102", "990100")
    assert (scope.region, scope.focus, scope.label) == ("990100", "990102", "乙县在测试市各县区中")
    assert [s.focus for s in comparison.scopes(con, "990100", "990100")] == [None]   # the city: its counties
    # 甲县 has 甲镇: among its peers first, its townships as the other choice
    assert [(s.region, s.focus) for s in comparison.scopes(con, "990101", "990100")] == \
        [("990100", "990101"), ("990101", None)]


def test_the_county_gaps_as_numbers(con):
    view = comparison.build(con, "TESTPLAN", "990100", "2024Q3", "filed", focus="990102")
    mine = comparison.focus_summary(view)
    assert (mine["value_label"], mine["value"]) == ("每千人口托位数（个/千人）", "0.00")
    assert mine["status"] == "有风险"
    assert (mine["gap_label"], mine["gap"]) == ("距2024年目标1.50", "差1.50")
    assert mine["slots_needed"] == "75"
    assert (mine["average_label"], mine["to_average"]) == ("与全省平均1.10之差", "低1.10")
    assert mine["rank"] == "每千人口托位数在2个县区中排第2位"


def test_county_page_for_a_county_is_no_dead_end(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, "pages/counties.py", region="990102", **TESTPLAN_Q3)
    assert at.subheader[0].value == "乙县在测试市各县区中"
    assert [(m.label, m.value) for m in at.metric] == [
        ("每千人口托位数（个/千人）", "0.00"), ("距2024年目标1.50", "差1.50"), ("尚需托位（个）", "75"),
        ("与全省平均1.10之差", "低1.10")]
    table = table_with(at, "县区")   # two rows: whole and static (no grid bundle for the browser to load)
    assert table["县区"].tolist() == ["甲县", "乙县（所选）"]          # highest first
    assert table.columns[:3].tolist() == ["县区", "状态", "每千人口托位数（个/千人）"]
    # the fixture's codes have no boundaries: one line, no map
    assert "县区暂无边界数据（地图只含县级及以上区划），不显示地图。" in [i.value for i in at.info]
    # two units: upright bars, highest first, 乙县 (the selected one) named in bold, 甲县 lighter
    layers, rows = _chart(at, "每千人口拥有3岁以下婴幼儿托位数")
    bars = layers["bar"]["encoding"]
    assert bars["x"]["field"] == "name" and bars["x"]["scale"]["domain"] == ["甲县", "乙县"]
    bold = bars["x"]["axis"]["labelFontWeight"]["condition"]["test"]
    assert "乙县" in bold and "甲县" not in bold
    units = {r["name"]: r for r in rows if "name" in r}
    assert {n: (r["系列"], r["label"], r["opacity"]) for n, r in units.items()} == {
        "甲县": ("已达到（未到期）", "1.60", 0.45), "乙县": ("有风险", "0.00", 1)}
    # as lines named in the legend: 测试省's average, and 测试市's own 2024 target 1.0
    # (tests/fixture/targets.csv "2024年全市1.0"; the units' 1.5 colours the bars)
    assert layers["rule"]["encoding"]["color"]["scale"]["domain"] == ["测试省平均 1.10", "目标 1.00"]


def test_what_if_by_number_boxes(monkeypatch, fixture_db_path):
    at = run_app(monkeypatch, fixture_db_path, "pages/counties.py", region="990100", **TESTPLAN_Q3)
    assert [n.label for n in at.number_input] == ["甲县新增托位", "乙县新增托位（尚需75个）"]
    at.number_input(key="county_whatif_990102").set_value(75).run()
    shown = table_with(at, "新增后能否达到目标")
    assert shown.columns[:3].tolist() == ["地区", "新增后能否达到目标", "新增后"]
    result = shown.set_index("地区")
    # 乙县 75 / 50,000 × 1000 = 1.50 ≥ 1.5; 测试市 (160 + 75) / 150,000 × 1000 = 1.566… → 1.57
    assert result.loc["乙县", "新增后"] == 1.5 and result.loc["乙县", "新增后能否达到目标"] == "可达到"
    assert result.loc["测试市", "新增后"] == 1.57 and result.loc["测试市", "新增托位"] == 75


def _chart(at, title):
    """The page's Vega-Lite chart titled `title`: its layers by mark, and its data rows."""
    for spec, rows in vega_charts(at):
        if spec.get("title") == title:
            return {layer["mark"]["type"]: layer for layer in spec["layer"]}, rows
    raise AssertionError(f"no chart titled {title}")


def test_a_province_compares_its_counties_in_sorted_horizontal_bars(monkeypatch, sample_db_path, sample_con):
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", plan="FUJIAN", region="350000", period="2024Q4")
    table = at.dataframe[0].value
    values = table["每千人口托位数（个/千人）"].tolist()
    assert len(values) == 83 and values == sorted(values, reverse=True)
    assert_valid_vega_lite(at)                          # two bar charts, the scatter, the map
    assert "状态" not in table.columns                   # Fujian sets its counties no target
    layers, rows = _chart(at, "每千人口拥有3岁以下婴幼儿托位数")
    bars = layers["bar"]["encoding"]
    assert bars["y"]["field"] == "name" and bars["x"]["type"] == "quantitative"     # lying down
    assert bars["y"]["scale"]["domain"] == table["县区"].tolist()   # full names, highest at the top
    assert bars["color"]["legend"]["orient"] == "top"
    # coloured by the words the caption gives: above or not above 福建省平均
    assert bars["color"]["scale"]["domain"] == ["高于平均", "不高于平均"]
    assert {r["系列"] for r in rows if "name" in r} == {"高于平均", "不高于平均"}
    assert any("柱色表示是否高于福建省平均" in c.value for c in at.caption)
    # the reference values are legend entries, not labels that can overlap
    assert layers["rule"]["encoding"]["color"]["scale"]["domain"] == ["福建省平均 4.01", "目标 4.50"]
    assert "None" not in table.astype(str).to_numpy().ravel().tolist()


def test_scatter_names_only_the_selected_unit_and_outliers(sample_con):
    view = comparison.build(sample_con, "FUJIAN", "350000", "2024Q4", "filed", focus="350102")
    figure = charts.capacity_use(view.units, "350102")
    points = spec_rows(figure.to_dict(), "单位")
    named = [r["label"] for r in points if r["label"]]
    assert len(points) == 83
    assert "鼓楼区" in named and len(named) < 10          # 83 points, a handful named


def scatter_frame(slots: list[float], names: str = "") -> pd.DataFrame:
    """Units with these 托位/千人, all at 托收率 80% (no spread on that axis): the last ones named
    by the characters of `names`, the others 县0, 县1 …"""
    n = len(slots)
    return pd.DataFrame({"code": [f"9{i:05d}" for i in range(n)],
                         "name": [f"县{i}" for i in range(n - len(names))] + list(names),
                         "slots_per_1000": slots, "occupancy_mean": [0.8] * n})


def named_slots(frame: pd.DataFrame, focus: str) -> list[float]:
    points = spec_rows(charts.capacity_use(frame, focus).to_dict(), "单位")
    return sorted(r["slots_per_1000"] for r in points if r["label"])


def test_scatter_names_at_most_ten_outliers_however_many_there_are():
    # A country's 2,850 units have hundreds beyond two standard deviations; only the ten farthest
    # are named. 300 units at 0 and twelve at 10, 13, …, 43 托位/千人: mean 318 / 312 = 1.02,
    # sample sd √((9714 − 312 × 1.02²) / 311) = 5.49, two of them 10.99; so 13 … 43 lie beyond it
    # (10 does not), and the ten farthest are 16 … 43. The selected unit (a zero) is named too.
    # Their one-character names (12 px) are 21 px apart in the 300 px plot (3 / 43 × 300), so
    # none hides another.
    far = [10.0 + 3 * k for k in range(12)]
    assert named_slots(scatter_frame([0.0] * 300 + far, "甲乙丙丁戊己庚辛壬癸子丑"), "900000") == [0.0] + far[2:]


def test_scatter_names_one_of_two_outliers_drawn_on_the_same_spot():
    # 300 units at 0, and 20.0, 20.1 and 40: mean 80.1 / 303 = 0.26, sd √((2404.01 − 303 ×
    # 0.26²) / 302) = 2.81, so all three lie beyond two sd (5.62). 20.0 and 20.1 are 0.75 px
    # apart in the 300 px plot: the farther of the two (20.1) is named, not both.
    assert named_slots(scatter_frame([0.0] * 300 + [20.0, 20.1, 40.0], "甲乙丙"), "900000") == [0.0, 20.1, 40.0]


def test_counties_tables_keep_words_and_colours_when_drawn_again(monkeypatch, fixture_db_path):
    # The indicator table and the what-if with nothing typed in are drawn once per selection and
    # replayed on later runs (tuoyu.ui.figures). data/verdicts.toml: 已达到（未到期） #e6f4e7,
    # 有风险 #fdebd0, 达标 #c8e6c9 (可达到), 未达标 #f8d7da (仍未达到); below the average #fff3cd
    at = run_app(monkeypatch, fixture_db_path, "pages/counties.py", region="990100", **TESTPLAN_Q3)
    status = [("已达到（未到期）", "#e6f4e7"), ("有风险", "#fdebd0")]     # 甲县 1.60, 乙县 0.00
    below = [(1.6, ""), (0.0, "#fff3cd")]                                  # the average 1.10
    reach = [("可达到", "#c8e6c9"), ("仍未达到", "#f8d7da")]              # 1.60 ≥ 1.5; 0.00 < 1.5
    for _ in range(2):
        assert cell_colours(at, "状态", has="县区") == status
        assert cell_colours(at, "每千人口托位数（个/千人）", has="县区") == below
        assert cell_colours(at, "新增后能否达到目标", has="地区")[:2] == reach
        at.run()


def test_what_if_back_to_nothing_added(monkeypatch, fixture_db_path):
    # typed in: drawn for this session; back to 0: the table every link opens with
    at = run_app(monkeypatch, fixture_db_path, "pages/counties.py", region="990100", **TESTPLAN_Q3)
    at.number_input(key="county_whatif_990102").set_value(75).run()
    assert table_with(at, "新增后能否达到目标").set_index("地区").loc["乙县", "新增后能否达到目标"] == "可达到"   # 75 / 50,000 × 1000
    at.number_input(key="county_whatif_990102").set_value(0).run()
    result = table_with(at, "新增后能否达到目标").set_index("地区")
    assert (result.loc["乙县", "新增后"], result.loc["乙县", "新增托位"]) == (0.0, 0)
    assert result.loc["乙县", "新增后能否达到目标"] == "仍未达到"
    assert (result.loc["测试市", "新增后"], result.loc["测试市", "新增托位"]) == (1.07, 0)   # 160 / 150,000 × 1000


def test_county_map_colouring_changes_the_map_and_keeps_the_page(monkeypatch, sample_db_path):
    # the colouring is a fragment of the page (only it reruns in a browser); under AppTest the
    # whole script runs, so this checks what the fragment draws and that nothing else is lost
    at = run_app(monkeypatch, sample_db_path, "pages/counties.py", plan="ZHONGWEI", region="640500",
                 period="2024Q4")
    at.radio(key="county_map_mode").set_value("value").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "按每千人口托位数分为五档（每档单位数大致相同），颜色越深越高。" in captions
    assert any(c.startswith("黄色底色表示低于") for c in captions)
    assert any(c.startswith("从高到低排列；柱色表示各县区2024年目标的状态") for c in captions)
    table = table_with(at, "县区")
    assert table["县区"].tolist() == ["沙坡头区", "中宁县", "海原县"]   # 1.70, 1.25, 1.00: highest first
    assert [n.label for n in at.number_input][:1] == ["沙坡头区新增托位"]


def test_a_bar_chart_of_thousands_of_units_draws_the_highest_and_the_lowest():
    # 250 units valued 0.01 … 2.50 and 5 without a figure, the selected one in the middle:
    # the chart draws the 50 highest (2.50 … 2.01), the 50 lowest (0.50 … 0.01) and the selected
    codes = [f"9{i:05d}" for i in range(255)]
    values = [round(0.01 * (i + 1), 2) for i in range(250)] + [None] * 5
    units = pd.DataFrame({"code": codes, "name": [f"县{i}" for i in range(255)], "slots_per_1000": values},
                         dtype=object)
    view = comparison.View({}, units, {}, "全省平均", None, None, "县区", focus=codes[124])   # 1.25
    drawn, note = comparison.bar_units(view, "slots_per_1000")
    shown = sorted(drawn["slots_per_1000"])
    assert len(drawn) == 101 and shown[:50] == [round(0.01 * i, 2) for i in range(1, 51)]
    assert shown[51:] == [round(0.01 * i, 2) for i in range(201, 251)] and shown[50] == 1.25
    assert note == "共255个县区，图中为每千人口托位数最高和最低的各50个"
    # a hundred units or fewer: every one, no note
    few = comparison.View({}, units.head(100), {}, "全省平均", None, None, "县区")
    drawn, note = comparison.bar_units(few, "slots_per_1000")
    assert len(drawn) == 100 and note is None


def test_bars_without_an_average_to_compare_with_are_grey_not_gone():
    # the region has no figure of its own (the national synthetic data: no national population),
    # so no unit is above or below it: those with a figure keep a grey bar; one without has none
    frame = pd.DataFrame({"code": ["1", "2", "3"], "name": ["甲县", "乙县", "丙县"], "value": [1.5, 0.8, None],
                          "slots_vs_average": [None, None, None]})
    spec = charts.unit_bars(frame, "slots_per_1000", None, None, "全国整体", comparison.ABOVE_COLOURS,
                            "slots_vs_average").to_dict()
    (bars,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    assert bars["encoding"]["color"]["scale"] == {"domain": ["无平均可比"], "range": ["#9aa5b1"]}
    rows = [r for r in spec_rows(spec) if "name" in r]
    assert sorted((r["name"], r["系列"]) for r in rows) == [("乙县", "无平均可比"), ("甲县", "无平均可比")]
    # with an average, the words are the page's as before
    frame["slots_vs_average"] = [comparison.ABOVE, comparison.NOT_ABOVE, None]
    spec = charts.unit_bars(frame, "slots_per_1000", 1.0, None, "全国整体", comparison.ABOVE_COLOURS,
                            "slots_vs_average").to_dict()
    assert sorted((r["name"], r["系列"]) for r in spec_rows(spec) if "name" in r) == [
        ("乙县", "不高于平均"), ("甲县", "高于平均")]


def test_no_gap_column_without_an_average_to_take_it_from(con):
    view = comparison.build(con, "TESTPLAN", "990100", "2024Q3", "filed")
    # 甲县 1.60 − 1.10 = 0.50, 乙县 0.00 − 1.10 = −1.10 (the module docstring)
    assert comparison.table(view)["与测试省平均之差"].tolist() == [0.5, -1.1]
    # a parent without a population (as the synthetic country was before its population rows)
    # has no average and every gap is empty, which the grid drew as a column of None; such a
    # column says nothing and is left out
    alone = dataclasses.replace(view, average=dict(view.average, slots_per_1000=None),
                                units=view.units.assign(gap_to_average=None))
    table = comparison.table(alone)
    assert "与测试省平均之差" not in table.columns
    assert table.columns[:5].tolist() == ["县区", "状态", "每千人口托位数（个/千人）", "距目标", "尚需托位"]
