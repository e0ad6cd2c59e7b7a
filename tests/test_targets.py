"""Which regions a target binds (DESIGN §4.1) and its status at a period (§4.2) on the
fixture plans (tests/fixture/targets.csv), by hand. Figures from test_indicators:

  2024Q3: 测试市 990100 1.0667 托位/千人 (160 / 150,000), 甲县 1.6, 乙县 0.0 (B2's 0 托位;
          B1 sent no Q3 report); 测试市 入托率 .044667 against the province's .0445.
  2024Q2: 测试市 1.2 (A1 100 + A3 30 + B1 50 = 180), 乙县 1.0 (B1 50 / 50,000).
  Earlier quarters have no reports at all.

TESTPLAN (测试市 990100): 每千人口托位数 0.8 (2023), 1.0 (2024), 2.0 (2025) for the city,
1.5 (2024) for each county, 入托率 above the province's (2024), a guidance centre in each
county (2024). TESTWIDE (全国 100000): 4.5 (2025) for the country alone; 备案率 ≥ 85% and
入托率 above the province's (2024) for every city (each_city)."""

import pytest

from tuoyu import snapshot, targets


def by_key(frame):
    return {(r["region_code"], r["indicator"], r["year"], r["benchmark"]): r for r in frame.to_dict("records")}


def test_statuses_for_city_and_each_county(con):
    rows = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q3", include_children=True))
    # 2023 is over: judged at 2023Q4, which has no reports
    r = rows[("990100", "slots_per_1000", 2023, "value")]
    assert (r["status"], r["judged_at"], r["value"]) == ("无数据", "2023Q4", None)
    # 2024 not due yet: 1.0667 already ≥ 1.0
    r = rows[("990100", "slots_per_1000", 2024, "value")]
    assert (r["status"], r["judged_at"], r["due"]) == ("已达到（未到期）", "2024Q3", "2024Q4")
    # 2025: 1.2 (Q2) → 1.0667 (Q3) falls .1333 a quarter; five quarters on, 2025Q4: 1.0667 − .6667 = .4
    r = rows[("990100", "slots_per_1000", 2025, "value")]
    assert r["status"] == "有风险" and r["projected"] == pytest.approx(0.4)
    assert r["slots_needed"] == 140 and r["per_quarter"] == 28   # ⌈2.0 × 150,000 / 1000⌉ − 160; ⌈140 / 5⌉
    assert rows[("990101", "slots_per_1000", 2024, "value")]["status"] == "已达到（未到期）"  # 1.6 ≥ 1.5
    # 乙县 1.0 → 0.0: the line reaches −1.0 at 2024Q4, read as 0; ⌈1.5 × 50,000 / 1000⌉ = 75
    # needed, all in one quarter
    r = rows[("990102", "slots_per_1000", 2024, "value")]
    assert (r["status"], r["slots_needed"], r["per_quarter"], r["projected"]) == ("有风险", 75, 75, 0.0)
    assert rows[("990101", "n_guidance_center", 2024, "value")]["status"] == "有风险"    # none, none before
    assert rows[("990102", "n_guidance_center", 2024, "value")]["status"] == "已达到（未到期）"  # B1
    avg = rows[("990100", "enrolment_rate", 2024, "provincial_average")]
    assert avg["bar"] == pytest.approx(178 / 4000) and avg["status"] == "已达到（未到期）"  # .044667 > .0445
    # each_child targets bind the counties, never the city itself; 丙市 is outside the plan
    assert ("990100", "n_guidance_center", 2024, "value") not in rows
    assert not any(code == "990200" for code, *_ in rows)


def test_without_children_only_the_region_itself(con):
    frame = targets.evaluate(con, "TESTPLAN", "990102", "2024Q3")
    assert set(frame["region_code"]) == {"990102"}
    assert set(frame["indicator"]) == {"slots_per_1000", "n_guidance_center"}


def test_a_national_figure_binds_the_country_alone(con):
    # the county and its city get no verdict on 4.5, and no 托位 counted against it
    assert targets.evaluate(con, "TESTWIDE", "990101", "2024Q3", include_children=True).empty
    snap = snapshot.snapshot(con, "990101", "2024Q3", "TESTWIDE")
    assert snap["targets"] == [] and snap["slots_needed"] is None and snap["year_target"] is None
    assert [(r["owner_code"], r["target"], r["year"]) for r in snap["references"]] == [("100000", 4.5, 2025)]
    assert snap["references"][0]["detail"] == "参考：全国目标≥ 4.50 个/千人（2025年），不对本地区作评价"
    # worded once per build, handed out as copies: a caller that changes its snapshot does
    # not change the next one
    snap["references"][0]["detail"] = "changed"
    again = snapshot.snapshot(con, "990101", "2024Q3", "TESTWIDE")
    assert again["references"][0]["detail"] == "参考：全国目标≥ 4.50 个/千人（2025年），不对本地区作评价"
    # the country itself is judged on it: it has no population, so 无数据 at the quarter
    own = by_key(targets.evaluate(con, "TESTWIDE", "100000", "2024Q3"))
    assert own[("100000", "slots_per_1000", 2025, "value")]["status"] == "无数据"
    assert targets.references(con, "TESTWIDE", "100000").empty


def test_each_city_binds_every_city_under_the_plans_region(con):
    rows = by_key(targets.evaluate(con, "TESTWIDE", "100000", "2024Q3", include_children=True))
    assert {code for code, *_ in rows} == {"100000", "990100", "990200"}
    # 测试市 备案率 (filed ÷ active): 2023Q4 3/4 = .75 (A4 not yet registered), 2024Q1 3/5 = .6,
    # 2024Q2 3/5 = .6 (A2 filed only in August), 2024Q3 4/5 = .8. Mean .6875; Σ(x−x̄)(y−ȳ) =
    # −1.5×.0625 − .5×(−.0875) + .5×(−.0875) + 1.5×.1125 = .075, slope .015; at 2024Q4:
    # .6875 + .015 × 2.5 = .725 < .85
    r = rows[("990100", "filing_rate", 2024, "value")]
    assert (r["status"], r["value"]) == ("有风险", pytest.approx(0.8)) and r["projected"] == pytest.approx(0.725)
    assert rows[("990200", "filing_rate", 2024, "value")]["status"] == "已达到（未到期）"   # C1 filed: 1.0
    # 丙市 入托率 .054 (Q2: 54 / 1,000) → .044 (Q3: 44 / 1,000), at Q4 .034; the province .0485
    # (194 / 4,000) → .0445, at Q4 .0405: below today and below at the due quarter
    r = rows[("990200", "enrolment_rate", 2024, "provincial_average")]
    assert r["status"] == "有风险"
    assert (r["projected"], r["projected_bar"]) == (pytest.approx(0.034), pytest.approx(0.0405))
    assert rows[("990100", "enrolment_rate", 2024, "provincial_average")]["status"] == "已达到（未到期）"
    # a city selected on its own carries the requirements too; a county does not
    assert set(targets.evaluate(con, "TESTWIDE", "990200", "2024Q3")["indicator"]) == {"filing_rate", "enrolment_rate"}
    assert targets.evaluate(con, "TESTWIDE", "990102", "2024Q3").empty


def test_year_target_steps_and_final(con):
    assert targets.year_target(con, "TESTPLAN", "990100", 2024) == (1.0, 2024)
    assert targets.year_target(con, "TESTPLAN", "990100", 2022) == (0.8, 2023)  # next step ahead
    assert targets.year_target(con, "TESTPLAN", "990100", 2027) == (2.0, 2025)  # final bar stays
    assert targets.year_target(con, "TESTPLAN", "990102", 2024) == (1.5, 2024)  # each_child row
    assert targets.final_target(con, "TESTPLAN", "990100") == (2.0, 2025)
    assert targets.year_target(con, "TESTPLAN", "990200", 2024) == (None, None)
    assert targets.year_target(con, "TESTWIDE", "990100", 2024) == (None, None)  # 4.5 is the country's


def test_year_verdicts_and_the_next_target(con):
    judged = targets.year_verdicts(con, "TESTPLAN", ["990101", "990102", "990200"], "2024Q3")
    assert judged["990101"]["status"] == "已达到（未到期）" and judged["990101"]["slots_needed"] == 0
    assert (judged["990102"]["status"], judged["990102"]["slots_needed"]) == ("有风险", 75)
    assert judged["990200"] is None
    upcoming = targets.next_due(con, "TESTPLAN", "990100", "2024Q3")
    assert upcoming["year"] == 2024                      # this year's is not due yet
    assert targets.next_due(con, "TESTPLAN", "990100", "2024Q4")["year"] == 2025


def test_descriptions_say_what_the_status_rests_on(con):
    rows = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q3", include_children=True))
    assert targets.describe(rows[("990100", "slots_per_1000", 2025, "value")]) == (
        "本期1.07 个/千人；按近四个季度趋势预计2025年第4季度0.40 个/千人，达不到要求≥ 2.00 个/千人；"
        "尚需托位约140个，到期前5个季度每季度约28个")
    # reached, but heading down: .4 by 2024Q4 would fall below 1.0
    assert targets.describe(rows[("990100", "slots_per_1000", 2024, "value")]) == (
        "本期1.07 个/千人，已达到要求≥ 1.00 个/千人（2024年第4季度评价），"
        "但按近四个季度趋势预计2024年第4季度将降至0.93 个/千人")
    # .044667 and .0445 both print 4.5%: more digits where the usual rounding hides the difference
    assert "4.47%" in targets.describe(rows[("990100", "enrolment_rate", 2024, "provincial_average")])
    assert targets.describe(rows[("990100", "slots_per_1000", 2023, "value")]) == "2023年第4季度无数据"


def test_judged_units_are_the_units_a_target_binds(con):
    # the figures a page fetches for its units' verdicts: TESTWIDE binds the country (4.5)
    # and, each_city, 测试市 and 丙市 — never a county, though 100000 has three below it
    assert targets.judged_units(con, "TESTWIDE", "100000") == ["100000", "990100", "990200"]
    # TESTPLAN binds 测试市 and, each_child, its two counties; 丙市 is outside the plan
    assert targets.judged_units(con, "TESTPLAN", "990100") == ["990100", "990101", "990102"]
    assert targets.judged_units(con, "TESTPLAN", "990200") == []


def test_verdicts_remembered_within_a_page_keep_quarter_and_counting_apart(con):
    # a page judges each (target, unit) once (indicators.session); the same pair at another
    # quarter or under the other counting rule is another verdict: 测试市 1.2 at 2024Q2
    # (180 / 150,000), 1.0667 at 2024Q3 (160 / 150,000), 1.1333 counting unfiled A4's 10 托位
    from tuoyu import indicators

    key = ("990100", "slots_per_1000", 2025, "value")
    with indicators.session(con):
        q3 = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q3", include_children=True))[key]
        q2 = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q2", include_children=True))[key]
        every = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q3", "all", include_children=True))[key]
        again = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q3"))[key]
    assert (q2["value"], q3["value"], every["value"]) == (pytest.approx(1.2), pytest.approx(160 / 150),
                                                          pytest.approx(170 / 150))
    assert again == q3


def test_what_is_read_of_the_plans_is_kept_per_build_and_only_for_it(con, tmp_path, monkeypatch):
    # the plans and the region tree are written only by a build, so what is worked out from
    # them is kept per build (indicators.per_build, meta build_id): a second database whose
    # TESTPLAN sets each county 1.8 instead of 1.5 reads its own target, the fixture still
    # 1.5, and a database rebuilt at the same path reads the new file's targets
    import shutil

    from tests.conftest import FIXTURE
    from tuoyu import db
    from tuoyu.loading.build import build_database

    folder = shutil.copytree(FIXTURE, tmp_path / "data")
    text = (folder / "targets.csv").read_text(encoding="utf-8")
    changed = "TESTPLAN,990100,slots_per_1000,2024,1.8,>=,each_child"
    (folder / "targets.csv").write_text(
        text.replace("TESTPLAN,990100,slots_per_1000,2024,1.5,>=,each_child", changed), encoding="utf-8")
    path = tmp_path / "other.duckdb"
    build_database(path, [folder])
    other = db.connect(path)
    try:
        assert targets.year_target(con, "TESTPLAN", "990101", 2024) == (1.5, 2024)
        assert targets.year_target(other, "TESTPLAN", "990101", 2024) == (1.8, 2024)
        assert targets.year_target(con, "TESTPLAN", "990101", 2024) == (1.5, 2024)
        # read once per build: asked again, the plan's targets are not queried again
        asked = []
        for runner in ("run", "run_rows"):   # the meta rows come as rows, the plan's targets as a frame
            real = getattr(db, runner)
            monkeypatch.setattr(db, runner, lambda c, name, real=real, **p: asked.append(name) or real(c, name, **p))
        assert targets.year_target(other, "TESTPLAN", "990102", 2024) == (1.8, 2024)
        assert "plan_targets" not in asked and "dataset_meta" in asked   # the build id, in meta
    finally:
        other.close()
    (folder / "targets.csv").write_text(text, encoding="utf-8")
    build_database(path, [folder])
    rebuilt = db.connect(path)
    try:
        assert targets.year_target(rebuilt, "TESTPLAN", "990101", 2024) == (1.5, 2024)
    finally:
        rebuilt.close()
