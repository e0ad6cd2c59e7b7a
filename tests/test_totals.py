"""The stored totals (tuoyu/totals.py): the same figures as computing from the reports,
kept right by every import and undo, and quarters outside them computed on the spot.

Hand figures on the fixture (see tests/test_indicators.py for the institutions):
reports cover 2024Q2–2024Q3, so the stored span is 2023Q1 (the year before the first
report) to 2024Q3.
  2024Q4 (after the span) 甲县 990101: active A1 (甲镇), A2, A4 (A3 closed 2024-09-30);
         filed A1, A2; no report → slots_per_1000 无数据, n_reported 0.
  2022Q4 (before the span) 甲县: only A3 (registered 2022-01-01, filed 2022-02-01) → 1 active, 1 filed."""

import pytest

from tuoyu import db, indicators, periods, totals
from tuoyu.loading import database
from tuoyu.uploads import history, write

REGIONS = ["990000", "990100", "990101", "990101001", "990102", "990200"]
REPORTS_HEADER = ("institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,"
                  "caregivers,caregivers_certified,meets_standard\n")


def stored_rows(con) -> dict:
    """Both stored tables as sorted row lists (to compare before and after a refresh)."""
    return {table: sorted(map(repr, con.execute(f"select * from {table}").fetchall()))
            for table in ("unit_quarter_totals", "region_values")}


def full_refresh_rows(con) -> dict:
    """What a refresh of every unit would store, without keeping it."""
    con.execute("begin")
    try:
        totals.refresh(con)
        return stored_rows(con)
    finally:
        con.execute("rollback")


def live(con, codes, quarters, count_all):
    return db.run_steps(con, [("unit_totals_live", {"region_codes": codes, "quarters": quarters}),
                              ("indicator_values_live", {"region_codes": codes, "quarters": quarters,
                                                         "count_all": count_all})])


def test_span_is_the_year_before_the_first_report_to_the_latest(con):
    assert totals.coverage(con) == ("2023Q1", "2024Q3")


@pytest.mark.parametrize("count_all", [False, True])
def test_stored_rows_equal_rows_computed_from_the_reports(con, count_all):
    quarters = periods.quarter_range("2023Q1", "2024Q3")
    stored = db.run(con, "indicator_values", region_codes=REGIONS, quarters=quarters, count_all=count_all,
                    columns=None)
    computed = live(con, REGIONS, quarters, count_all)
    assert len(stored) == len(REGIONS) * len(quarters) == len(computed)
    assert indicators.nulls_as_none(stored).to_dict("records") == indicators.nulls_as_none(computed).to_dict("records")
    fig = {(r["region_code"], r["quarter"]): r for r in stored.to_dict("records")}
    assert fig[("990101", "2024Q3")]["slots"] == (160 if not count_all else 170)  # A4's 10 under 'all'


def test_quarters_outside_the_span_are_computed_on_the_spot(con):
    after = indicators.row_dict(indicators.values(con, ["990101"], ["2024Q4"]), "990101", "2024Q4")
    assert (after["n_active"], after["n_filed"], after["n_reported"]) == (3, 2, 0)
    assert after["slots_per_1000"] is None
    before = indicators.row_dict(indicators.values(con, ["990101"], ["2022Q4"]), "990101", "2022Q4")
    assert (before["n_active"], before["n_filed"]) == (1, 1)
    # a request straddling the span's end is computed whole, with the same in-span figures
    both = indicators.rows(con, ["990101"], ["2024Q3", "2024Q4"])
    assert both[("990101", "2024Q3")]["slots"] == 160 and both[("990101", "2024Q4")]["n_active"] == 3


def test_an_import_and_its_undo_leave_what_a_full_refresh_would(wcon):
    # 乙县's B1 reports 2024Q3 (it had not): only 乙县's unit totals are recomputed
    result = write.import_files(wcon, [("reports.csv", (REPORTS_HEADER + "B1,2024Q3,30,0,5,10,3,3,是\n")
                                          .encode("utf-8"))], by="乙县卫健局")
    assert result.ok, [str(p) for p in result.problems]
    assert stored_rows(wcon) == full_refresh_rows(wcon)
    yi = indicators.row_dict(indicators.values(wcon, ["990102"], ["2024Q3"]), "990102", "2024Q3")
    assert (yi["n_reported"], yi["slots"]) == (2, 30)          # B1's 30 + B2's 0
    assert yi["slots_per_1000"] == pytest.approx(0.6)          # 30 / 50,000 × 1000
    assert history.undo(wcon, result.batch_ids[0], by="乙县卫健局").ok
    assert stored_rows(wcon) == full_refresh_rows(wcon)
    yi = indicators.row_dict(indicators.values(wcon, ["990102"], ["2024Q3"]), "990102", "2024Q3")
    assert (yi["n_reported"], yi["slots"]) == (1, 0)


def test_a_report_for_a_new_quarter_widens_the_span(wcon):
    result = write.import_files(wcon, [("reports.csv", (REPORTS_HEADER + "A2,2024Q4,50,2,8,30,6,6,是\n")
                                          .encode("utf-8"))], by="甲县卫健局")
    assert result.ok, [str(p) for p in result.problems]
    assert totals.coverage(wcon) == ("2023Q1", "2024Q4")
    assert stored_rows(wcon) == full_refresh_rows(wcon)
    r = indicators.row_dict(indicators.values(wcon, ["990101"], ["2024Q4"]), "990101", "2024Q4")
    assert (r["n_reported"], r["slots"]) == (1, 50)
    assert r["slots_per_1000"] == pytest.approx(0.5)           # 50 / 100,000 × 1000


def test_a_population_import_moves_the_stored_rate(wcon):
    result = write.import_files(wcon, [("population.csv", "region_code,year,resident_population,under3_population\n"
                                          "990101,2024,80000,1600\n".encode("utf-8"))], by="甲县卫健局")
    assert result.ok, [str(p) for p in result.problems]
    r = indicators.row_dict(indicators.values(wcon, ["990101"], ["2024Q3"]), "990101", "2024Q3")
    assert r["slots_per_1000"] == pytest.approx(2.0)           # 160 / 80,000 × 1000 (was 1.6)
    assert r["enrolment_rate"] == pytest.approx(134 / 1600)


def test_a_database_without_stored_totals_gets_them_on_open(db_copy):
    con = db.connect(db_copy)
    con.execute("drop table region_values")
    con.execute("delete from unit_quarter_totals")
    con.execute("delete from meta where key in ('unit_totals_from', 'unit_totals_to', 'macros_sha256')")
    con.close()
    con = database.open_database(db_copy)  # an older database: opening upgrades it
    try:
        assert totals.coverage(con) == ("2023Q1", "2024Q3")
        r = indicators.row_dict(indicators.values(con, ["990101"], ["2024Q3"]), "990101", "2024Q3")
        assert r["slots_per_1000"] == pytest.approx(1.6)
    finally:
        con.close()


def test_a_database_without_reports_stores_no_span_and_still_counts(tmp_path):
    from tests.conftest import FIXTURE
    from tuoyu.loading.build import build_database

    folder = tmp_path / "no-reports"
    folder.mkdir()
    for f in FIXTURE.iterdir():
        if f.name != "reports.csv":
            (folder / f.name).write_bytes(f.read_bytes())
    build_database(tmp_path / "empty.duckdb", [folder])
    con = db.connect(tmp_path / "empty.duckdb")
    try:
        assert totals.coverage(con) is None
        r = indicators.row_dict(indicators.values(con, ["990101"], ["2024Q3"]), "990101", "2024Q3")
        assert (r["n_active"], r["n_filed"], r["n_reported"]) == (3, 2, 0)   # A1, A2, A4; A1, A2
        assert r["slots_per_1000"] is None
    finally:
        con.close()


def test_moving_an_institution_recomputes_its_old_unit_and_its_new_one(wcon):
    header = "institution_id,name,region_code,type,ownership,is_puhui,registered_on,filed_on\n"

    def send(region):
        result = write.import_files(wcon, [("institutions.csv", (header + f"N1,新园,{region},托育机构,民办,否,"
                                                                   "2024-01-01,2024-02-01\n").encode("utf-8"))],
                                      by="测试市卫健委")
        assert result.ok, [str(p) for p in result.problems]

    def active(code):
        return indicators.row_dict(indicators.values(wcon, [code], ["2024Q3"]), code, "2024Q3")["n_active"]

    send("990102")                                   # new in 乙县: B1, B2, N1
    assert (active("990101"), active("990102")) == (3, 3)
    send("990101")                                   # moved to 甲县: A1, A2, A4, N1
    assert (active("990101"), active("990102")) == (4, 2)
    assert stored_rows(wcon) == full_refresh_rows(wcon)
