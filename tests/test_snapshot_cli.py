"""The CLI: init refuses a bad folder without touching the database; indicators --json
prints the DESIGN §3 keys with hand-computed values (see test_indicators)."""

import json
import shutil

import duckdb
import pytest

from tests.conftest import FIXTURE
from tuoyu import cli, db


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_indicators_json(fixture_db_path, capsys):
    code, out, _ = run_cli(capsys, "--db", str(fixture_db_path), "indicators", "--region", "990102",
                           "--period", "2024Q3", "--plan", "TESTPLAN", "--json")
    assert code == 0
    snap = json.loads(out)  # strict JSON: no NaN
    for key in ("slots_per_1000", "enrolment_rate", "occupancy_mean", "occupancy_min", "filing_rate",
                "standard_rate", "staffing_rate", "certified_rate", "puhui_slot_share", "satisfaction",
                "major_incidents_3y", "slots_needed", "satisfaction_by_type", "slots", "enrolled",
                "resident_population", "under3_population", "provincial_average", "targets"):
        assert key in snap
    assert snap["slots_needed"] == 75                     # ⌈1.5 × 50,000 / 1000⌉ − 0
    assert snap["occupancy_mean"] is None
    assert snap["resident_population"] == 50000
    assert snap["satisfaction_by_type"] == {"家庭": 0.8, "机构": None}
    assert snap["provincial_average"]["slots_per_1000"] == pytest.approx(1.1)
    statuses = {(t["indicator"], t["year"]): t["status"] for t in snap["targets"]}
    assert statuses == {("slots_per_1000", 2024): "有风险", ("n_guidance_center", 2024): "已达到（未到期）"}
    # not due until 2024Q4: trend 1.0 (Q2) → 0.0 (Q3) → −1.0, read as 0; all 75 places in one quarter
    year = snap["year_target"]
    assert (year["status"], year["judged_at"], year["due"], year["value"]) == ("有风险", "2024Q3", "2024Q4", 0.0)
    assert year["projected"] == 0.0
    assert (year["slots_needed"], year["per_quarter"]) == (75, 75)
    for t in snap["targets"]:
        assert {"status", "judged_at", "value", "projected", "slots_needed"} <= set(t)


def test_indicators_json_on_the_sample(sample_db_path, capsys):
    """The three cases of issue 13 on the shipped sample."""
    def run(*args):
        code, out, _ = run_cli(capsys, "--db", str(sample_db_path), "indicators", *args, "--json")
        assert code == 0
        return json.loads(out)

    # a county under the national plan: 4.5 is the country's figure, a reference only
    county = run("--region", "640522", "--period", "2024Q4", "--plan", "NATIONAL")
    assert county["targets"] == [] and county["slots_needed"] is None
    assert [(r["indicator"], r["target"], r["owner_code"]) for r in county["references"]] == \
        [("slots_per_1000", 4.5, "100000")]
    # 福州市 under Fujian's plan: the applying-city requirements bind it
    fuzhou = run("--region", "350100", "--period", "2024Q4", "--plan", "FUJIAN")
    assert {(t["indicator"], t["scope"]) for t in fuzhou["targets"]} == \
        {("filing_rate", "each_city"), ("newborn_guidance_coverage", "each_city")}
    assert all(t["judged_at"] == "2022Q4" for t in fuzhou["targets"])
    # 中卫市 at 2024Q4: the 2025 target is not due, so never 未达标
    zhongwei = run("--region", "640500", "--period", "2024Q4", "--plan", "ZHONGWEI")
    later = [t for t in zhongwei["targets"] if t["year"] == 2025]
    assert later and all(t["status"] in ("已达到（未到期）", "预计达标", "有风险") for t in later)
    assert all(t["judged_at"] == "2024Q4" for t in zhongwei["targets"] if t["year"] == 2024)


def test_indicators_unknown_region_is_a_chinese_error(fixture_db_path, capsys):
    code, _, err = run_cli(capsys, "--db", str(fixture_db_path), "indicators", "--region", "123456",
                           "--period", "2024Q3")
    assert code == 2 and "未知区划代码 123456" in err


def table_counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("regions", "institutions", "reports", "targets")}
    finally:
        con.close()


def test_init_refuses_bad_folder_and_keeps_database(tmp_path, capsys):
    path = tmp_path / "t.duckdb"
    assert run_cli(capsys, "--db", str(path), "init", "--data", str(FIXTURE))[0] == 0
    before = table_counts(path)
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURE, bad)
    reports = (bad / "reports.csv").read_text(encoding="utf-8")
    (bad / "reports.csv").write_text(reports.replace("A2,2024Q3,40,", "A2,2024Q3,-40,"), encoding="utf-8")
    (bad / "population.csv").write_text(
        (bad / "population.csv").read_text(encoding="utf-8") + "640599,2024,1000,10,1\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "--db", str(path), "init", "--data", str(bad))
    assert code == 1
    assert "reports.csv 第6行 “托位数”列：不能为负数" in err
    assert "population.csv 第7行 “区划代码”列：未知区划代码 640599" in err
    assert "数据库未改动" in err
    assert table_counts(path) == before
    assert not list(tmp_path.glob("t.duckdb.building*"))


def test_default_path_comes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TUOYU_DB", str(tmp_path / "x.duckdb"))
    assert db.db_path() == tmp_path / "x.duckdb"
    assert db.db_path("other.duckdb").name == "other.duckdb"
    monkeypatch.delenv("TUOYU_DB")
    assert db.db_path() == db.DEFAULT_DB
