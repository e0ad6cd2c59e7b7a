"""Parameters are bound, never formatted into SQL: hostile input is just an unknown code."""

import duckdb
import pytest

from tuoyu import db, indicators, targets

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
