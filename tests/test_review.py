"""评审指标 on the hand-made fixture (tests/fixture), every verdict worked out by hand.

The fixture plan TESTPLAN has no review criteria of its own, so the tests judge 测试市
990100 (甲县 990101, 乙县 990102; province 测试省 990000) against the Ningxia rows of
data/criteria.csv relabelled TESTPLAN. The criteria are due at 2024Q4 (year 2024, or the
plan's 2024 每千人口托位数 target for criterion 1), so at 2024Q3 none is judged yet: each
part is 已达到（未到期） when the Q3 figure meets it, else the line through the quarters up to
Q3 (only Q2 and Q3 have reports) read at Q4 decides 预计达标 / 有风险 (DESIGN §4.2).

              每千人口托位数  入托率        平均/最低托收率  达标率    师资达标率  配备率       满意度 家庭/机构  指导中心  事故
  Q3 测试省   1.1            .0445         —               —        .5          —            —             —        —
  Q2 测试省   1.2            .0485         —               —        .75 (C1 9<10) —          —             —        —
  Q3 测试市   1.0667         .044667       .85 / .825      1/3      2/3         21/23        .92 / .8      1 (B1)   0
  Q2 测试市   1.2            .046667       .7556 / .6667   2/3      1.0         26/26        .92 / .8               1 (A3's)
  Q3 甲县     1.6            .067          .85 / .825      .5       .5          20/23        .95 / .8      0        0
  Q2 甲县     1.3            .05           .7333 / .6667   .5       1.0         18/18        .95 / .8      0        1
  Q3 乙县     0.0            0.0           — / —           0        1.0         — (none due) .8 / —        1        0
  Q2 乙县     1.0            .04           .8 / .8         1.0      1.0         8/8          .8 / —        1        0

Satisfaction is by survey year, so the 2023 quarters carry it too: 甲县 家庭 .9 in 2023, 乙县
.8 throughout; no 机构 survey before 2024. Plan targets for 2024 (tests/fixture/targets.csv):
测试市 1.0 (region), each county 1.5 (each_child); criterion 1 asks for more than (>) these.
"""

import pandas as pd
import pytest

from tests.apptest import cell_colours, run_app, table_with, tables_with
from tuoyu import db, indicators, paths, review
from tuoyu import verdicts as engine

MET, MISSED, NO_DATA = "达标", "未达标", "无数据"
REACHED, ON_TRACK, AT_RISK = "已达到（未到期）", "预计达标", "有风险"
CITY, JIA, YI = "990100", "990101", "990102"

EXPECTED = {
    # 1. slots_per_1000 > the year's target, city and every county
    (JIA, 1): REACHED,   # 1.6 > 1.5
    (YI, 1): AT_RISK,    # 1.0 → 0.0: −1.0 at Q4
    (CITY, 1): AT_RISK,  # own 1.0667 > 1.0, but 乙县 有风险 (self_and_children)
    # 2. enrolment_rate and slots_per_1000 > the province's
    (CITY, 2): AT_RISK,  # .044667 > .0445 yes; 1.0667 > 1.1 no, and .9333 at Q4 against the province's 1.0
    (JIA, 2): REACHED,   # .067 > .0445; 1.6 > 1.1
    (YI, 2): AT_RISK,    # 0.0: −.04 at Q4 against .0405
    # 3. standard_rate > .85
    (CITY, 3): AT_RISK,  # 2/3 → 1/3
    (JIA, 3): AT_RISK,   # .5 → .5
    (YI, 3): AT_RISK,    # 1.0 → 0
    # 4. occupancy_mean ≥ .8 and occupancy_min ≥ .75
    (CITY, 4): REACHED,  # .85, .825
    (JIA, 4): REACHED,   # the same two institutions A1, A2
    (YI, 4): NO_DATA,    # B2 has 0 slots: no occupancy at Q3
    # 5. caregivers ≥ those required in aggregate, and staffing_rate > the province's
    (CITY, 5): AT_RISK,  # 21/23 < 1 (26/26 at Q2: falling); 2/3 > .5 reached
    (JIA, 5): AT_RISK,   # 20/23 < 1; .5 is not above .5, and 0 at Q4 against .25
    (YI, 5): NO_DATA,    # nothing required of B2 (no children): no ratio; 1.0 > .5 reached
    # 6. ≥ 1 guidance centre in every county; the city judged on its counties
    (JIA, 6): AT_RISK,   # 0, and 0 before
    (YI, 6): REACHED,    # 1 (B1)
    (CITY, 6): AT_RISK,  # 甲县 有风险
    # 7. satisfaction > .9, families and institutions each
    (CITY, 7): AT_RISK,  # families .92; institutions .8 throughout 2024
    (JIA, 7): AT_RISK,   # families .95; institutions .8
    (YI, 7): AT_RISK,    # families .8 (2023 survey) throughout; no institution survey
    # 8. major_incidents_3y ≤ 0
    (CITY, 8): REACHED,  # A3's 重大 of 2021-09-30 is just outside (2021-09-30, 2024-09-30]
    (JIA, 8): REACHED,
    (YI, 8): REACHED,    # B1's incident is 一般
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
    assert d[(JIA, 4)] == ("平均托收率：本期85.0%，已达到要求≥ 80.0%（2024年第4季度评价）；"
                           "最低托收率：本期82.5%，已达到要求≥ 75.0%（2024年第4季度评价）")
    assert d[(YI, 4)] == "平均托收率：本期无数据；最低托收率：本期无数据"
    assert d[(JIA, 1)] == "每千人口托位数：本期1.60 个/千人，已达到要求> 1.50 个/千人（2024年第4季度评价）"
    # reached, but 1.2 → 1.0667 heads for .9333 at Q4
    assert d[(CITY, 1)].startswith("每千人口托位数：本期1.07 个/千人，已达到要求> 1.00 个/千人（2024年第4季度评价），"
                                   "但按近四个季度趋势预计2024年第4季度将降至0.93 个/千人")
    assert d[(CITY, 1)].endswith("所辖县区：甲县已达到（未到期），乙县有风险")
    # 4.4667% against 4.45%: both would read 4.5% at one decimal, so two decimals are shown
    assert d[(CITY, 2)] == ("入托率：本期4.47%，已达到要求> 全省平均 4.45%（2024年第4季度评价）；"
                            "每千人口托位数：本期1.07 个/千人；按近四个季度趋势预计2024年第4季度0.93 个/千人，"
                            "达不到要求> 全省平均预计 1.00 个/千人")
    # 20/23 = 86.96%; 18/18 at Q2, so 73.9% at Q4. 甲县 .5 → 0 at Q4, the province .75 → .25
    assert d[(JIA, 5)] == ("保育人员配备率：本期87.0%；按近四个季度趋势预计2024年第4季度73.9%，达不到要求≥ 100.0%；"
                           "师资达标率：本期50.0%；按近四个季度趋势预计2024年第4季度0.0%，达不到要求> 全省平均预计 25.0%")
    assert d[(CITY, 6)] == "所辖县区：甲县有风险，乙县已达到（未到期）"
    assert d[(YI, 8)] == "近3年重大事故：本期0起，已达到要求≤ 0起（2024年第4季度评价）"
    assert set(table[table["criterion"] == 4]["source"]) == {"000 附件2 第4条"}


def test_the_citys_own_verdict_is_kept_beside_the_combined_one(table):
    own = {r["criterion"]: r["own_verdict"] for r in table[table["is_parent"]].to_dict("records")}
    assert own[1] == REACHED and EXPECTED[(CITY, 1)] == AT_RISK


def test_all_figures_come_from_one_indicator_query(con, rows, monkeypatch):
    calls = []
    for runner in ("run_rows", "run_objects"):
        real = getattr(db, runner)

        def counted(con, name, real=real, **params):
            if name == "indicator_values":
                calls.append(params["region_codes"])
            return real(con, name, **params)
        monkeypatch.setattr(db, runner, counted)
    real_steps = db.run_steps

    def counted_steps(con, steps):   # quarters the stored totals do not hold, computed now
        calls.extend(params["region_codes"] for name, params in steps if name == "indicator_values_live")
        return real_steps(con, steps)
    monkeypatch.setattr(db, "run_steps", counted_steps)
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
    assert wide.iloc[3].tolist() == [REACHED, REACHED, NO_DATA]    # criterion 4
    assert wide.index[0].startswith("1. ")
    # 测试市: 已达到 4, 8, the rest 有风险; 甲县 有风险 3, 5, 6, 7; 乙县 有风险 1, 2, 3, 7, 无数据 4, 5
    assert review.summary(table) == ("测试市 8 项：已达到（未到期）2项、有风险6项；"
                                     "所辖县区：甲县 有风险4项，乙县 无数据2项、有风险4项")


def test_combination_rule():
    assert review.combine([MET, NO_DATA, MISSED]) == MISSED
    assert review.combine([MET, NO_DATA]) == NO_DATA
    assert review.combine([MET, MET]) == MET
    assert review.combine([REACHED, AT_RISK, NO_DATA]) == AT_RISK
    assert review.combine([]) == NO_DATA


def test_plan_without_criteria_has_an_empty_table(con):
    assert not review.has_criteria("TESTPLAN") and review.has_criteria("ZHONGWEI")
    assert review.criteria_table(con, "TESTPLAN", CITY, "2024Q3").empty


def test_count_checklist_on_guidance_centres(con):
    frame = review.count_checklist(con, "TESTPLAN", CITY, "2024Q3")
    # fixture target 6: n_guidance_center ≥ 1 in each county (2024, due at Q4); 甲县 0 all along, 乙县 1 (B1)
    assert frame["indicator"].tolist() == ["n_guidance_center"] * 2
    got = {r["region_name"]: (r["value"], r["verdict"]) for r in frame.to_dict("records")}
    assert got == {"甲县": (0, AT_RISK), "乙县": (1, REACHED)}
    assert set(frame["requirement"]) == {"≥ 1个（2024年）"}   # targets.requirement, as 总览 writes it
    assert set(frame["judged_at"]) == {"2024年第3季度"} and set(frame["source"]) == {"fixture 6"}
    assert set(frame["indicator_name"]) == {"托育指导中心数"}


# ------------------------------------------------------------------ the criteria as data

SEED = next((paths.BASE_DATA / "seeds").glob("000_*.txt"))


def test_criteria_file_is_consistent():
    frame = review.criteria_for("ZHONGWEI")
    known = indicators.catalogue()
    assert sorted(frame["criterion"].unique()) == list(range(1, 9))
    assert not frame.duplicated(["criterion", "part"]).any()
    for _, parts in frame.groupby("criterion"):
        for column in ("title", "city_rule", "source", "text"):
            assert parts[column].nunique() == 1, column
    for r in frame.to_dict("records"):
        assert r["indicator"] in known and r["comparator"] in engine.SYMBOLS
        assert r["benchmark"] in review.BENCHMARKS and r["city_rule"] in review.CITY_RULES
        assert (r["target"] != "") == (r["benchmark"] == "value")
        assert (r["year"] != "") == (r["benchmark"] != "plan_target")   # criterion 1 takes the plan's year
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
    matrix = table_with(at, "评审指标").set_index("评审指标")
    assert matrix.columns.tolist() == ["测试市", "甲县", "乙县"]
    assert matrix.to_numpy().tolist() == [
        [EXPECTED[(CITY, n)], EXPECTED[(JIA, n)], EXPECTED[(YI, n)]] for n in range(1, 9)]
    criteria_details = tables_with(at, "依据数据")
    assert len(criteria_details) == 8 and len(at.main.expander) == 8
    assert at.main.expander[0].label == "1. 千人口托位数达到年度任务 · 测试市 有风险"
    assert criteria_details[3]["依据数据"].tolist()[2] == "平均托收率：本期无数据；最低托收率：本期无数据"
    assert any("测试市 8 项：已达到（未到期）2项、有风险6项" in m.value for m in at.markdown)
    checklist = table_with(at, "要求")
    assert checklist[["地区", "结论"]].to_numpy().tolist() == [["甲县", AT_RISK], ["乙县", REACHED]]


def test_page_keeps_words_colours_and_expanders_when_drawn_again(page):
    # the tables are drawn once per selection and replayed on later runs (tuoyu.ui.figures);
    # data/verdicts.toml: 有风险 #fdebd0, 已达到（未到期） #e6f4e7
    at = page
    for _ in range(2):
        assert cell_colours(at, "测试市", has="甲县")[0] == ("有风险", "#fdebd0")   # criterion 1, the city
        assert len(at.main.expander) == 8
        assert at.main.expander[0].label == "1. 千人口托位数达到年度任务 · 测试市 有风险"
        assert cell_colours(at, "结论", has="结论")[0] == (EXPECTED[(CITY, 1)], "#fdebd0")   # its units' detail
        assert cell_colours(at, "结论", has="要求") == [(AT_RISK, "#fdebd0"), (REACHED, "#e6f4e7")]   # 甲县, 乙县
        at.run()


def test_page_for_a_plan_without_criteria_shows_only_the_checklist(fixture_db_path, monkeypatch):
    review._all_criteria.cache_clear()
    at = run_app(monkeypatch, fixture_db_path, "pages/review.py", plan="TESTPLAN", region=JIA, period="2024Q3")
    assert not at.main.expander
    (checklist,) = tables_with(at, "结论")
    assert checklist[["地区", "结论"]].to_numpy().tolist() == [["甲县", AT_RISK]]


def test_build_gives_both_tables_from_one_read(con):
    criteria, checklist = review.build(con, "TESTPLAN", CITY, "2024Q3")
    assert criteria.equals(review.criteria_table(con, "TESTPLAN", CITY, "2024Q3"))
    assert checklist.equals(review.count_checklist(con, "TESTPLAN", CITY, "2024Q3"))
    assert not checklist.empty
