"""Target status on the fixture plan TESTPLAN (tests/fixture/targets.csv), by hand:
at 2024Q3 测试市 has 1.0667 托位/千人 (160 / 150,000), 甲县 1.6, 乙县 0.0; the city's
入托率 .044667 against the province's .0445 (see test_indicators)."""

import pytest

from tuoyu import targets


def by_key(frame):
    return {(r["region_code"], r["indicator"], r["year"], r["benchmark"]): r for r in frame.to_dict("records")}


def test_statuses_for_city_and_each_county(con):
    rows = by_key(targets.evaluate(con, "TESTPLAN", "990100", "2024Q3", include_children=True))
    # a past year is judged at its year end; the fixture has no 2023Q4 reports
    r = rows[("990100", "slots_per_1000", 2023, "value")]
    assert (r["status"], r["evaluated_quarter"], r["value"]) == ("无数据", "2023Q4", None)
    assert rows[("990100", "slots_per_1000", 2024, "value")]["status"] == "达标"     # 1.0667 ≥ 1.0
    assert rows[("990100", "slots_per_1000", 2025, "value")]["status"] == "未达标"   # 1.0667 < 2.0, judged now
    assert rows[("990101", "slots_per_1000", 2024, "value")]["status"] == "达标"     # 1.6 ≥ 1.5
    assert rows[("990102", "slots_per_1000", 2024, "value")]["status"] == "未达标"   # 0.0 < 1.5
    assert rows[("990101", "n_guidance_center", 2024, "value")]["status"] == "未达标"  # 甲县 has none
    assert rows[("990102", "n_guidance_center", 2024, "value")]["status"] == "达标"    # B1
    avg = rows[("990100", "enrolment_rate", 2024, "provincial_average")]
    assert avg["bar"] == pytest.approx(178 / 4000) and avg["status"] == "达标"        # .044667 > .0445
    # each_child targets bind the counties, never the city itself; 丙市 is outside the plan
    assert ("990100", "n_guidance_center", 2024, "value") not in rows
    assert not any(code == "990200" for code, *_ in rows)


def test_without_children_only_the_region_itself(con):
    frame = targets.evaluate(con, "TESTPLAN", "990102", "2024Q3")
    assert set(frame["region_code"]) == {"990102"}
    assert set(frame["indicator"]) == {"slots_per_1000", "n_guidance_center"}


def test_status_comparators():
    assert targets.status(1.2, ">=", 1.2) == "达标"
    assert targets.status(1.2, ">", 1.2) == "未达标"
    assert targets.status(0, "<=", 0) == "达标"
    assert targets.status(None, ">=", 1) == "无数据"
    assert targets.status(1, ">", None) == "无数据"


def test_year_target_steps_and_final(con):
    assert targets.year_target(con, "TESTPLAN", "990100", 2024) == (1.0, 2024)
    assert targets.year_target(con, "TESTPLAN", "990100", 2022) == (0.8, 2023)  # next step ahead
    assert targets.year_target(con, "TESTPLAN", "990100", 2027) == (2.0, 2025)  # final bar stays
    assert targets.year_target(con, "TESTPLAN", "990102", 2024) == (1.5, 2024)  # each_child row
    assert targets.final_target(con, "TESTPLAN", "990100") == (2.0, 2025)
    assert targets.year_target(con, "TESTPLAN", "990200", 2024) == (None, None)
