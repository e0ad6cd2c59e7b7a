"""评审指标 on the hand-made fixture (tests/fixture), every verdict worked out by hand.

The fixture plan TESTPLAN has no review criteria of its own, so the tests judge 测试市
990100 (甲县 990101, 乙县 990102; province 测试省 990000) against the Ningxia rows of
data/criteria.csv relabelled TESTPLAN. Figures at 2024Q3 (see test_indicators.py):

              每千人口托位数  入托率     平均/最低托收率  达标率  师资达标率  满意度        指导中心  近3年重大事故
  测试省      1.1            .0445      —               —      .5         —             —        —
  测试市      1.0667         .044667    .85 / .825      1/3    2/3        238/260=.9154 —        0
  甲县        1.6            .067       .85 / .825      .5     .5         198/210=.9429 0        0
  乙县        0.0            0.0        None / None     0      1.0        .8            1 (B1)   0 (B1's is 一般)

Plan targets for 2024 (tests/fixture/targets.csv): 测试市 1.0 (region), each county 1.5 (each_child).
"""

import pandas as pd
import pytest


from tests.apptest import run_app
from tuoyu import db, indicators, review, targets

MET, MISSED, NO_DATA = "达标", "未达标", "无数据"
CITY, JIA, YI = "990100", "990101", "990102"

EXPECTED = {
    # 1. slots_per_1000 ≥ the year's target, city and every county
    (JIA, 1): MET,       # 1.6 ≥ 1.5
    (YI, 1): MISSED,     # 0.0 < 1.5
    (CITY, 1): MISSED,   # own 1.0667 ≥ 1.0, but 乙县 未达标 (self_and_children)
    # 2. enrolment_rate and slots_per_1000 > the province's
    (CITY, 2): MISSED,   # .044667 > .0445 yes; 1.0667 > 1.1 no
    (JIA, 2): MET,       # .067 > .0445; 1.6 > 1.1
    (YI, 2): MISSED,     # 0.0 > .0445 no
    # 3. standard_rate > .85
    (CITY, 3): MISSED,   # .3333
    (JIA, 3): MISSED,    # .5
    (YI, 3): MISSED,     # 0
    # 4. occupancy_mean ≥ .8 and occupancy_min ≥ .75
    (CITY, 4): MET,      # .85 ≥ .8, .825 ≥ .75
    (JIA, 4): MET,       # the same two institutions A1, A2
    (YI, 4): NO_DATA,    # B2 has 0 slots: no occupancy at all, and no part 未达标
    # 5. staffing_rate > the province's .5
    (CITY, 5): MET,      # .6667
    (JIA, 5): MISSED,    # .5 is not above .5
    (YI, 5): MET,        # 1.0
    # 6. ≥ 1 guidance centre in every county; the city judged on its counties
    (JIA, 6): MISSED,    # 0
    (YI, 6): MET,        # 1 (B1)
    (CITY, 6): MISSED,   # 甲县 has none
    # 7. satisfaction > .9
    (CITY, 7): MET,      # .9154
    (JIA, 7): MET,       # .9429
    (YI, 7): MISSED,     # .8 (2023 survey)
    # 8. major_incidents_3y ≤ 0
    (CITY, 8): MET,      # A3's 重大 of 2021-09-30 is just outside (2021-09-30, 2024-09-30]
    (JIA, 8): MET,
    (YI, 8): MET,        # B1's incident is 一般
}


@pytest.fixture(scope="module")
def rows():
    """The Ningxia criteria as the fixture plan's (input data, not the code under test)."""
    return review.criteria_for("ZHONGWEI").assign(plan_code="TESTPLAN")


@pytest.fixture
def table(con, rows):
    return review.criteria_table(con, "TESTPLAN", CITY, "2024Q3", criteria=rows)


def verdicts(frame):
    return {(r["region_code"], r["criterion"]): r["verdict"] for r in frame.to_dict("records")}


def details(frame):
    return {(r["region_code"], r["criterion"]): r["detail"] for r in frame.to_dict("records")}


def test_every_verdict_for_the_city_and_its_counties(table):
    assert verdicts(table) == EXPECTED
    assert table[table["is_parent"]]["region_code"].unique().tolist() == [CITY]
    assert table.groupby("region_code").size().to_dict() == {CITY: 8, JIA: 8, YI: 8}


def test_details_show_the_figures_and_the_bar(table):
    d = details(table)
    assert d[(JIA, 4)] == "平均托收率 85.0%（≥80%）；最低托收率 82.5%（≥75%）"
    assert d[(YI, 4)] == "平均托收率 无数据（≥80%）；最低托收率 无数据（≥75%）"
    assert d[(JIA, 1)] == "每千人口托位数 1.60 个/千人（≥2024年度目标 1.50 个/千人）"
    assert d[(CITY, 1)].startswith("每千人口托位数 1.07 个/千人（≥2024年度目标 1.00 个/千人）")
    assert d[(CITY, 1)].endswith("所辖县区：甲县达标，乙县未达标")
    # 4.4667% against 4.45%: both would read 4.5% at one decimal, so two decimals are shown
    assert d[(CITY, 2)] == "入托率 4.47%（>全省平均 4.45%）；每千人口托位数 1.07 个/千人（>全省平均 1.10 个/千人）"
    assert d[(JIA, 5)] == "师资达标率 50.0%（>全省平均 50.0%）"   # equal: not above
    assert d[(CITY, 6)] == "所辖县区：甲县未达标，乙县达标"
    assert d[(YI, 8)] == "近3年重大事故 0起（≤0起）"
    assert set(table[table["criterion"] == 4]["source"]) == {"000 附件2 第4条"}


def test_all_figures_come_from_one_indicator_query(con, rows, monkeypatch):
    calls = []
    real = indicators.values

    def counting_values(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(indicators, "values", counting_values)
    review.criteria_table(con, "TESTPLAN", CITY, "2024Q3", criteria=rows)
    assert len(calls) == 1 and set(calls[0]) == {"990000", CITY, JIA, YI}


def test_a_county_is_judged_on_its_own_figures(con, rows):
    frame = review.criteria_table(con, "TESTPLAN", YI, "2024Q3", criteria=rows)
    assert frame["region_code"].unique().tolist() == [YI] and frame["is_parent"].all()
    # no counties below a county: every rule reduces to 乙县's own figures, as in EXPECTED
    assert verdicts(frame) == {k: v for k, v in EXPECTED.items() if k[0] == YI}


def test_matrix_and_summary(table):
    wide = review.matrix(table)
    assert wide.columns.tolist() == ["测试市", "甲县", "乙县"]
    assert wide.iloc[3].tolist() == [MET, MET, NO_DATA]            # criterion 4
    assert wide.index[0].startswith("1. ")
    # 测试市: 达标 4, 5, 7, 8; 甲县 未达标 3, 5, 6; 乙县 未达标 1, 2, 3, 7 and 无数据 4
    assert review.summary(table) == "测试市 8 项中 4 项达标、4 项未达标；所辖县区：甲县 3 项未达标，乙县 4 项未达标、1 项无数据"


def test_combination_rule():
    assert review.combine([MET, NO_DATA, MISSED]) == MISSED
    assert review.combine([MET, NO_DATA]) == NO_DATA
    assert review.combine([MET, MET]) == MET
    assert review.combine([]) == NO_DATA


def test_plan_without_criteria_has_an_empty_table(con):
    assert not review.has_criteria("TESTPLAN") and review.has_criteria("ZHONGWEI")
    assert review.criteria_table(con, "TESTPLAN", CITY, "2024Q3").empty


def test_count_checklist_on_guidance_centres(con):
    frame = review.count_checklist(con, "TESTPLAN", CITY, "2024Q3")
    # fixture target 6: n_guidance_center ≥ 1 in each county (2024); 甲县 0, 乙县 1 (B1)
    assert frame["indicator"].tolist() == ["n_guidance_center"] * 2
    got = {r["region_name"]: (r["value"], r["verdict"]) for r in frame.to_dict("records")}
    assert got == {"甲县": (0, MISSED), "乙县": (1, MET)}
    assert set(frame["requirement"]) == {"≥ 1 个（2024年）"}
    assert set(frame["judged_at"]) == {"2024年第3季度"} and set(frame["source"]) == {"fixture 6"}
    assert set(frame["indicator_name"]) == {"托育指导中心数"}


# ------------------------------------------------------------------ the criteria as data

SEED = next((db.BASE_DATA / "seeds").glob("000_*.txt"))


def test_criteria_file_is_consistent():
    frame = review.criteria_for("ZHONGWEI")
    known = indicators.catalogue()
    assert sorted(frame["criterion"].unique()) == list(range(1, 9))
    assert not frame.duplicated(["criterion", "part"]).any()
    for _, parts in frame.groupby("criterion"):
        for column in ("title", "city_rule", "source", "text"):
            assert parts[column].nunique() == 1, column
    for r in frame.to_dict("records"):
        assert r["indicator"] in known and r["comparator"] in targets.COMPARATORS
        assert r["benchmark"] in review.BENCHMARKS and r["city_rule"] in review.CITY_RULES
        assert (r["target"] != "") == (r["benchmark"] == "value")
        assert r["source"] == f"000 附件2 第{r['criterion']}条"


def test_criteria_texts_are_the_seeds_words():
    # OCR: line breaks and spaces inside sentences; "近 3 两年" is 近3年
    seed = "".join(SEED.read_text(encoding="utf-8").split()).replace("近3两年", "近3年")
    for text in review.criteria_for("ZHONGWEI")["text"].unique():
        assert text in seed, text


# ------------------------------------------------------------------ the page

@pytest.fixture
def page(fixture_db_path, rows, tmp_path, monkeypatch):
    """The page on the fixture database, with the fixture plan given the Ningxia criteria."""
    path = tmp_path / "criteria.csv"
    pd.concat([review.criteria_for("ZHONGWEI"), rows]).to_csv(path, index=False)
    monkeypatch.setattr(review, "CRITERIA_FILE", path)
    review._all_criteria.cache_clear()
    yield run_app(monkeypatch, fixture_db_path, "pages/review.py", plan="TESTPLAN", region=CITY, period="2024Q3")
    monkeypatch.undo()
    review._all_criteria.cache_clear()


def test_page_shows_the_verdict_matrix_and_the_checklist(page):
    at = page
    assert not at.exception
    assert at.title[0].value == "评审指标"
    matrix, *criteria_details, checklist = at.dataframe
    assert matrix.value.columns.tolist() == ["测试市", "甲县", "乙县"]
    assert matrix.value.to_numpy().tolist() == [
        [EXPECTED[(CITY, n)], EXPECTED[(JIA, n)], EXPECTED[(YI, n)]] for n in range(1, 9)]
    assert len(criteria_details) == 8 and len(at.main.expander) == 8
    assert at.main.expander[0].label == "1. 千人口托位数达到年度任务 · 测试市 未达标"
    assert criteria_details[3].value["依据数据"].tolist()[2] == "平均托收率 无数据（≥80%）；最低托收率 无数据（≥75%）"
    assert any("测试市 8 项中 4 项达标" in m.value for m in at.markdown)
    assert checklist.value[["地区", "结论"]].to_numpy().tolist() == [["甲县", MISSED], ["乙县", MET]]


def test_page_for_a_plan_without_criteria_shows_only_the_checklist(fixture_db_path, monkeypatch):
    review._all_criteria.cache_clear()
    at = run_app(monkeypatch, fixture_db_path, "pages/review.py", plan="TESTPLAN", region=JIA, period="2024Q3")
    assert not at.main.expander
    (checklist,) = at.dataframe
    assert checklist.value[["地区", "结论"]].to_numpy().tolist() == [["甲县", MISSED]]


def test_build_gives_both_tables_from_one_read(con):
    criteria, checklist = review.build(con, "TESTPLAN", CITY, "2024Q3")
    assert criteria.equals(review.criteria_table(con, "TESTPLAN", CITY, "2024Q3"))
    assert checklist.equals(review.count_checklist(con, "TESTPLAN", CITY, "2024Q3"))
    assert not checklist.empty
