"""Every DESIGN §3 indicator on the hand-made fixture, computed by hand below.

The fixture (tests/fixture): 测试省 990000 → 测试市 990100 (甲县 990101 with 甲镇 990101001,
乙县 990102) and 丙市 990200. Institutions at the end of 2024Q3 (2024-09-30):
  A1 甲镇  filed 2023-03-01, 普惠, two month reports in Q3 — 2024-09 wins:
           slots 120, enrolled 9+30+60=99, caregivers 15 (need ⌈9/3+30/5+60/7⌉=⌈17.57⌉=18), certified 12, 达标
  A2 甲县  filed 2024-08-15 (so unfiled at Q2, filed at Q3), 普惠, slots 40, enrolled 35,
           caregivers 5 (need ⌈35/7⌉=5), certified 4, 未达标
  A3 甲县  closed 2024-09-30 — closed on the quarter's last day, so not active at Q3
  A4 甲县  never filed (counts only under the 'all' rule): slots 10, enrolled 0+6+4=10,
           caregivers 2 (need ⌈6/5+4/7⌉=⌈1.77⌉=2), certified 2, 达标
  B1 乙县  filed, 普惠, guidance centre, no Q3 report (本期未报)
  B2 乙县  registered 2024-07-01, filed 2024-07-20, slots 0, enrolled 0, caregivers 1, 未达标
  C1 丙市  filed, not 普惠, slots 60, enrolled 4+16+24=44, caregivers 7 (need ⌈836/105⌉=8), certified 7, 达标
Population: 甲县 2024 100,000 / under-3 2,000; 乙县 only 2023: 50,000 / 1,000; 测试市 2024
150,000 / 3,000; 丙市 50,000 / 1,000; 测试省 200,000 / 4,000.
"""

import pytest

from tuoyu import indicators

REGIONS = ["990000", "990100", "990101", "990102", "990200"]


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-15)


@pytest.fixture
def q3(con):
    frame = indicators.values(con, REGIONS, ["2024Q2", "2024Q3"])
    return lambda code, quarter="2024Q3": indicators.row_dict(frame, code, quarter)


def test_county_with_township_institution_and_midquarter_filing(q3):
    r = q3("990101")  # 甲县: counted A1, A2 (A3 closed, A4 unfiled)
    assert (r["n_active"], r["n_filed"], r["n_counted"], r["n_reported"]) == (3, 2, 2, 2)
    assert r["slots"] == 160                      # 120 + 40
    assert r["enrolled"] == 134                   # 99 + 35
    assert r["slots_per_1000"] == approx(1.6)     # 160 / 100,000 × 1000
    assert r["enrolment_rate"] == approx(0.067)   # 134 / 2,000
    assert r["occupancy_mean"] == approx(0.85)    # (99/120 = .825 + 35/40 = .875) / 2
    assert r["occupancy_min"] == approx(0.825)
    assert r["filing_rate"] == approx(2 / 3)      # A1, A2 filed of A1, A2, A4 active
    assert r["standard_rate"] == approx(0.5)      # A1 达标, A2 not
    assert r["staffing_rate"] == approx(0.5)      # A1 15 < 18; A2 5 ≥ 5
    assert r["certified_rate"] == approx(0.8)     # (12 + 4) / (15 + 5)
    assert r["puhui_slot_share"] == approx(1.0)   # both 普惠: 160 / 160
    assert r["satisfaction"] == approx(198 / 210)  # 2024: families 190/200, institutions 8/10
    assert r["satisfaction_family"] == approx(0.95)
    assert r["satisfaction_institution"] == approx(0.8)
    assert r["major_incidents_3y"] == 0           # A3's 重大 of 2021-09-30 is exactly 3 years back: outside


def test_county_with_zero_slots_missing_report_and_old_population(q3):
    r = q3("990102")  # 乙县: B1 no report, B2 zero slots; population only for 2023
    assert r["population_year"] == 2023
    assert (r["n_counted"], r["n_reported"], r["n_not_reported"]) == (2, 1, 1)
    assert r["slots_per_1000"] == approx(0.0)     # 0 / 50,000 (a reported zero, not 无数据)
    assert r["enrolment_rate"] == approx(0.0)
    assert r["occupancy_mean"] is None            # the only reporter has 0 slots
    assert r["occupancy_min"] is None
    assert r["filing_rate"] == approx(1.0)
    assert r["standard_rate"] == approx(0.0)
    assert r["staffing_rate"] == approx(1.0)      # B2 needs ⌈0⌉ = 0, has 1
    assert r["certified_rate"] == approx(0.0)     # 0 / 1
    assert r["puhui_slot_share"] is None          # no slots at all
    assert r["satisfaction"] == approx(0.8)       # latest survey ≤ 2024 is 2023: 40/50
    assert r["satisfaction_institution"] is None


def test_city_sums_its_counties(q3):
    r = q3("990100")  # counted A1, A2, B1 (no report), B2
    assert r["slots"] == 160 and r["enrolled"] == 134
    assert r["slots_per_1000"] == approx(160 * 1000 / 150000)   # 1.0667, city's own population
    assert r["enrolment_rate"] == approx(134 / 3000)
    assert r["occupancy_mean"] == approx(0.85)
    assert r["occupancy_min"] == approx(0.825)
    assert r["filing_rate"] == approx(0.8)        # 4 filed of 5 active
    assert r["standard_rate"] == approx(1 / 3)    # A1 of A1, A2, B2
    assert r["staffing_rate"] == approx(2 / 3)    # A2, B2 of A1, A2, B2
    assert r["certified_rate"] == approx(16 / 21)  # (12+4+0) / (15+5+1)
    assert r["puhui_slot_share"] == approx(1.0)
    assert r["satisfaction"] == approx(238 / 260)  # (190 + 8 + 40) / (200 + 10 + 50)
    assert r["satisfaction_family"] == approx(230 / 250)


def test_province_average_is_the_province_ratio(q3):
    r = q3("990000")  # counted A1, A2, B1, B2, C1; reported A1, A2, B2, C1
    assert r["slots"] == 220                                  # 120 + 40 + 0 + 60
    assert r["slots_per_1000"] == approx(1.1)                 # 220 / 200,000 × 1000
    assert r["enrolment_rate"] == approx(178 / 4000)          # (99 + 35 + 0 + 44) / 4,000
    assert r["occupancy_mean"] == approx((0.825 + 0.875 + 44 / 60) / 3)
    assert r["occupancy_min"] == approx(44 / 60)
    assert r["filing_rate"] == approx(5 / 6)
    assert r["standard_rate"] == approx(0.5)                  # A1, C1 of four reporters
    assert r["staffing_rate"] == approx(0.5)                  # A2, B2
    assert r["certified_rate"] == approx(23 / 28)             # (12+4+0+7) / (15+5+1+7)
    assert r["puhui_slot_share"] == approx(160 / 220)         # C1 is not 普惠
    assert r["major_incidents_3y"] == 1                        # C1's 特别重大 of 2022-01-15
    # the province ratio (1.1) is not the mean of its units' ratios (1.6, 0.0, 1.2)
    assert r["slots_per_1000"] != approx((1.6 + 0.0 + 1.2) / 3)


def test_previous_quarter_sees_earlier_filing_state_and_incident(q3):
    r = q3("990101", "2024Q2")  # counted A1, A3 (A2 not yet filed, A4 never)
    assert (r["n_active"], r["n_filed"]) == (4, 2)
    assert r["slots"] == 130                                  # 100 + 30
    assert r["slots_per_1000"] == approx(1.3)
    assert r["enrolment_rate"] == approx(100 / 2000)          # 80 + 20
    assert r["occupancy_mean"] == approx((0.8 + 20 / 30) / 2)
    assert r["staffing_rate"] == approx(1.0)                  # A1 14 ≥ ⌈13.71⌉ = 14; A3 4 ≥ ⌈3.70⌉ = 4
    assert r["certified_rate"] == approx(14 / 18)
    assert r["puhui_slot_share"] == approx(100 / 130)
    assert r["major_incidents_3y"] == 1                       # 2021-09-30 is inside (2021-06-30, 2024-06-30]


def test_counting_all_active_includes_unfiled(con):
    frame = indicators.values(con, ["990101"], ["2024Q3"], counting="all")
    r = indicators.row_dict(frame, "990101", "2024Q3")       # A1, A2, A4
    assert r["slots"] == 170
    assert r["slots_per_1000"] == approx(1.7)
    assert r["occupancy_mean"] == approx((0.825 + 0.875 + 1.0) / 3)
    assert r["standard_rate"] == approx(2 / 3)
    assert r["staffing_rate"] == approx(2 / 3)
    assert r["certified_rate"] == approx(18 / 22)
    assert r["puhui_slot_share"] == approx(160 / 170)
    assert r["filing_rate"] == approx(2 / 3)                  # filing rate ignores the rule


def test_no_reports_in_quarter_is_no_data_not_zero(con):
    frame = indicators.values(con, ["990100"], ["2023Q4"])
    r = indicators.row_dict(frame, "990100", "2023Q4")
    assert r["slots_per_1000"] is None and r["enrolment_rate"] is None


def test_counts_from_the_institution_list(q3):
    r = q3("990102")
    assert (r["n_workplace"], r["n_guidance_center"], r["n_public_private"]) == (1, 1, 1)
    assert q3("990101")["n_demonstration"] == 1 and q3("990101")["n_public_kindergarten_tuoban"] == 1
    assert q3("990102")["n_new_institutions"] == 1           # B2 registered in 2024


def test_slots_needed_uses_exact_decimal_ceiling():
    # 1.2 × 400,000 ÷ 1000 = 480 exactly; in binary floating point it is 480.00000000000006
    assert indicators.slots_needed(1.2, 400_000, 0) == 480
    assert indicators.slots_needed(1.5, 50_000, 0) == 75
    assert indicators.slots_needed(1.5, 100_000, 160) == 0    # already above: never negative
    assert indicators.slots_needed(1.2, 100_001, 100) == 21   # ⌈120.0012⌉ = 121 − 100
    assert indicators.slots_needed(None, 1000, 1) is None


def test_staffing_coverage_is_caregivers_over_those_required_in_aggregate(q3, con):
    # 甲县: A1 15 of 18 required, A2 5 of 5: 20 / 23 (A1 alone falls short, the county does not)
    assert q3("990101")["staffing_coverage"] == approx(20 / 23)
    # 乙县: B2 has 1 caregiver and no children, so nothing is required: no ratio
    assert q3("990102")["staffing_coverage"] is None
    assert q3("990100")["staffing_coverage"] == approx(21 / 23)   # (15 + 5 + 1) / (18 + 5 + 0)
    assert q3("990200")["staffing_coverage"] == approx(7 / 8)     # C1 7 of ⌈836/105⌉ = 8
    frame = indicators.values(con, ["990101"], ["2024Q3"], counting="all")
    assert indicators.row_dict(frame, "990101", "2024Q3")["staffing_coverage"] == approx(22 / 25)  # + A4 2 of 2


def test_report_counts_stored_and_outside_the_stored_quarters(con):
    # 2024Q3 (stored): 甲县 A1, A2, A4 active (A3 closed on 2024-09-30), all three reported;
    # 乙县 B1 and B2 active, only B2 reported. Unfiled A4 counts: 'all' is the rule here.
    assert indicators.report_counts(con, ["990101", "990102"], "2024Q3") == {"990101": (3, 3), "990102": (2, 1)}
    # 2025Q1 lies after the last report, outside the stored totals: computed on the spot,
    # the same five institutions still active and none reporting
    assert indicators.report_counts(con, ["990101", "990102"], "2025Q1") == {"990101": (3, 0), "990102": (2, 0)}


def test_values_are_python_objects_with_none_for_missing(con):
    # what every caller relies on: a figure is a number or None (无数据), never NaN or a
    # numpy scalar, whether read from the stored rows or computed on the spot (2025Q1)
    # 测试市: at 2023Q4 A1, A2, A3, B1 active (A4 and B2 not yet registered), no population
    # before 2024; at 2025Q1 A1, A2, A4, B1, B2 (A3 closed), the 2024 population 150,000
    expected = {"2023Q4": (4, None, "2023-12-31"), "2025Q1": (5, 150_000, "2025-03-31")}
    for quarter, (active, population, end) in expected.items():
        r = indicators.row_dict(indicators.values(con, ["990100"], [quarter]), "990100", quarter)
        assert r["slots_per_1000"] is None and r["enrolment_rate"] is None      # no reports
        assert (r["n_active"], r["resident_population"]) == (active, population)
        assert type(r["n_active"]) is int and str(r["quarter_end"])[:10] == end
    assert type(r["resident_population"]) is int
    r = indicators.row_dict(indicators.values(con, ["990100"], ["2024Q3"]), "990100", "2024Q3")
    assert type(r["slots_per_1000"]) is float and r["slots_per_1000"] == approx(160 / 150)


def test_values_of_some_columns_only(con):
    # 甲县 at 2024Q3: 160 托位 (A1 120 + A2 40; A3 closed, A4 unfiled) over 100,000 → 1.6;
    # the same columns whether read from the stored rows, computed on the spot (2025Q1: no
    # reports, 3 active under the 'all' rule: A1, A2, A4) or cut from a prefetch (the same
    # figures); an unknown column is left out rather than failing
    wanted = ["slots_per_1000", "slots", "n_active", "no_such_column"]
    stored = indicators.values(con, ["990101"], ["2024Q3"], columns=wanted, new_slots=False)
    assert list(stored.columns) == ["region_code", "quarter", "n_active", "slots", "slots_per_1000", "new_slots"]
    assert stored.iloc[0]["slots"] == 160 and stored.iloc[0]["slots_per_1000"] == approx(1.6)
    live = indicators.values(con, ["990101"], ["2025Q1"], "all", columns=wanted)
    assert list(live.columns) == ["region_code", "quarter", "n_active", "slots", "slots_per_1000"]
    assert (live.iloc[0]["n_active"], live.iloc[0]["slots_per_1000"]) == (3, None)
    with indicators.prefetch(con, [(["990101", "990102"], ["2024Q3"])]):
        cut = indicators.values(con, ["990101"], ["2024Q3"], columns=wanted, new_slots=False)
    assert cut.to_dict("records") == stored.to_dict("records")
    # a block prefetched with some columns only: asked for those, its rows are cut from it;
    # asked for every column, they are read again, whole
    with indicators.prefetch(con, [(["990101"], ["2024Q3"], ["slots"])]):
        narrow = indicators.values(con, ["990101"], ["2024Q3"], columns=["slots"], new_slots=False)
        whole = indicators.values(con, ["990101"], ["2024Q3"], new_slots=False)
    assert list(narrow.columns) == ["region_code", "quarter", "slots", "new_slots"] and narrow.iloc[0]["slots"] == 160
    assert whole.iloc[0]["slots_per_1000"] == approx(1.6) and whole.iloc[0]["name"] == "甲县"


def test_rows_by_key_hold_what_values_holds(con):
    # the same rows, value for value and type for type, read from the stored rows or cut
    # from a prefetch: at 2024Q3 甲县 160 托位 → 1.6; 乙县 0 (B2 reports none, B1 no report) → 0.0
    frame = indicators.values(con, ["990101", "990102"], ["2024Q3"])
    read = indicators.rows(con, ["990101", "990102"], ["2024Q3"])
    with indicators.prefetch(con, [(["990101", "990102", "990100"], ["2024Q2", "2024Q3"])]):
        cut = indicators.rows(con, ["990101", "990102"], ["2024Q3"])
        cut_frame = indicators.values(con, ["990101", "990102"], ["2024Q3"])
    assert sorted(read) == sorted(cut) == [("990101", "2024Q3"), ("990102", "2024Q3")]
    assert (read[("990101", "2024Q3")]["slots"], read[("990102", "2024Q3")]["slots"]) == (160, 0)
    assert read[("990101", "2024Q3")]["slots_per_1000"] == approx(1.6)
    assert read[("990102", "2024Q3")]["slots_per_1000"] == approx(0.0)
    for records in (frame.to_dict("records"), cut_frame.to_dict("records")):
        for row in records:
            for column, value in row.items():
                for other in (read, cut):
                    mine = other[(row["region_code"], row["quarter"])][column]
                    assert mine == value and type(mine) is type(value), column
    # asked without new_slots, the rows say so, and the prefetched rows stay as they were
    with indicators.prefetch(con, [(["990101"], ["2024Q3"])]):
        blank = indicators.rows(con, ["990101"], ["2024Q3"], new_slots=False)
        again = indicators.rows(con, ["990101"], ["2024Q3"])
    assert blank[("990101", "2024Q3")]["new_slots"] is None
    assert again[("990101", "2024Q3")]["new_slots"] == read[("990101", "2024Q3")]["new_slots"]


def test_a_read_in_the_background_belongs_to_the_page_session(con):
    # what a reader thread works out inside session() is the page's: asked again on the page's
    # own thread, it is not worked out twice; outside a session nothing is kept
    with indicators.session(con):
        assert indicators.in_background(indicators.remembered, con, "kind", 1, lambda: "first").result() == "first"
        assert indicators.remembered(con, "kind", 1, lambda: "second") == "first"
    assert indicators.in_background(indicators.remembered, con, "kind", 1, lambda: "third").result() == "third"
    assert indicators.remembered(con, "kind", 1, lambda: "fourth") == "fourth"
    # its error reaches the page
    with pytest.raises(ZeroDivisionError):
        indicators.in_background(lambda: 1 / 0).result()
    # blocks read side by side are cut as the page asks: 甲县 160 托位 and 乙县 0 at 2024Q3, and
    # in another block both counties' 托位 alone at 2024Q2
    with indicators.prefetch(con, [(["990101", "990102"], ["2024Q3"]), (["990101", "990102"], ["2024Q2"], ["slots"])]):
        now = indicators.rows(con, ["990101", "990102"], ["2024Q3"])
        before = indicators.rows(con, ["990101"], ["2024Q2"], columns=["slots"])
    assert (now[("990101", "2024Q3")]["slots"], now[("990102", "2024Q3")]["slots"]) == (160, 0)
    # 甲县 at 2024Q2 under the filed rule: A1 100 and A3 30 (A2 filed in August, A4 never)
    assert sorted(before) == [("990101", "2024Q2")] and before[("990101", "2024Q2")]["slots"] == 130
