"""Parameters are bound, never formatted into SQL: hostile input is just an unknown code,
and a hostile cell sent through 数据上报 is refused in Chinese or stored as written."""

import csv
import io

import duckdb
import pytest

from tuoyu import db, indicators, targets
from tuoyu.uploads import history, write

HOSTILE = "x'; drop table reports; --"


def counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("reports", "regions")}
    finally:
        con.close()


def test_hostile_region_leaves_database_intact(fixture_db_path, tmp_path):
    # a writable copy, so that a successful injection could actually drop the table
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(fixture_db_path.read_bytes())
    before = counts(copy)
    con = db.connect(copy)
    try:
        frame = indicators.values(con, [HOSTILE], ["2024Q3"])
        assert frame.empty
        assert indicators.lineage(con, HOSTILE).empty
        assert targets.evaluate(con, "TESTPLAN", HOSTILE, "2024Q3").empty
        assert targets.plan_targets(con, HOSTILE).empty
    finally:
        con.close()
    assert counts(copy) == before == {"reports": 13, "regions": 7}


def test_only_query_files_can_be_run(con):
    with pytest.raises(KeyError):
        db.run(con, "../queries/ddl/schema")
    with pytest.raises(KeyError):
        db.run(con, "select 1")


# ------------------------------------------------------------------ through the upload path

INJECTION = "'); DROP TABLE reports; --"
INSTITUTION_ID = f"Q'1{INJECTION}"
NAME = f'O\'Brien "托育" {INJECTION}'
INSTITUTIONS = ["institution_id", "name", "region_code", "type", "ownership", "registered_on"]
REPORTS = ["institution_id", "period", "slots"]


def csv_bytes(header, *rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("reports", "institutions", "regions", "import_batches", "import_batch_rows")}


def test_hostile_cells_in_an_upload_are_refused_or_stored_literally(db_copy):
    con = db.connect(db_copy)
    try:
        before = table_counts(con)
        # as a period or a region: not one, so refused with the cell named, nothing written
        refused = write.import_files(con, [
            ("reports.csv", csv_bytes(REPORTS, ["A2", INJECTION, "10"])),
            ("institutions.csv", csv_bytes(INSTITUTIONS, ["Z9", "新园", INJECTION, "托育机构", "民办", "2024-01-02"]))],
            "测试", plan_region="990100")
        assert [str(p) for p in refused.problems] == [
            f"reports.csv 第2行 “报告期”列：“{INJECTION}”应为报告期，如 2024Q3、2024年第3季度 或 2024-09",
            f"institutions.csv 第2行 “所在县区(或乡镇)代码”列：未知区划代码 {INJECTION}"]
        assert table_counts(con) == before
        # as an institution's code and name (and a file's name): free text, stored as written
        done = write.import_files(con, [
            ("institutions.csv", csv_bytes(INSTITUTIONS, [INSTITUTION_ID, NAME, "990101", "托育机构", "民办", "2024-01-02"])),
            (f"{INJECTION}.csv", csv_bytes(REPORTS, [INSTITUTION_ID, "2024Q3", "10"]))],
            "测试", plan_region="990100")
        assert done.ok, [str(p) for p in done.problems]
        assert con.execute("select name, region_code from institutions where institution_id = ?",
                           [INSTITUTION_ID]).fetchall() == [(NAME, "990101")]
        assert con.execute("select period, slots from reports where institution_id = ?",
                           [INSTITUTION_ID]).fetchall() == [("2024Q3", 10)]
        assert history.batches(con)["file_name"].tolist()[:2] == [f"{INJECTION}.csv", "institutions.csv"]
        assert table_counts(con) == {**before, "reports": before["reports"] + 1,
                                     "institutions": before["institutions"] + 1, "import_batches": 2,
                                     "import_batch_rows": 2}
        # undone (the rows found and deleted by their hostile keys), everything is as before
        for batch in sorted(done.batch_ids, reverse=True):
            assert history.undo(con, batch, "测试").ok
        assert con.execute("select count(*) from institutions where institution_id = ?", [INSTITUTION_ID]).fetchone() == (0,)
        assert table_counts(con) == {**before, "import_batches": 2, "import_batch_rows": 2}  # kept, marked undone
    finally:
        con.close()

