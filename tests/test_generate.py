"""The synthetic generator (python -m tuoyu generate), the build's fast path for large CSVs
and the benchmark script (python -m tuoyu bench), issue #8. No timing assertions here:
the benchmark's figures go to docs/benchmarks.md."""

import csv
import filecmp
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tuoyu import cli, db, indicators, paths
from tuoyu.errors import ImportRefused
from tuoyu.loading import fast as fastpath
from tuoyu.loading.build import build_database
from tuoyu.tables import TABLES as COLUMNS
from tuoyu.tools import bench, generate, sample

FIXTURE = Path(__file__).parent / "fixture"
TABLES = ("regions", "population", "institutions", "reports", "region_indicators", "surveys", "incidents",
          "plans", "targets", "phases", "tasks", "region_tree")


@pytest.fixture(scope="module")
def scale2(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scale2")
    generate.generate(folder, 2)
    return folder


def csv_rows(path: Path) -> int:
    return len(pd.read_csv(path, dtype=str, keep_default_na=False))


def test_same_seed_same_files(scale2, tmp_path):
    again = tmp_path / "again"
    generate.generate(again, 2)
    names = sorted(p.name for p in scale2.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert filecmp.cmp(scale2 / name, again / name, shallow=False), name


def test_scale_2_adds_synthetic_units_to_the_sample(scale2):
    # the sample comes first, unchanged, in every file it has
    for path in paths.SAMPLE_DATA.glob("*.csv"):
        if path.name != "dataset.csv":
            assert (scale2 / path.name).read_bytes().startswith(path.read_bytes()), path.name
    regions = pd.read_csv(scale2 / "regions.csv", dtype=str)
    sample_codes = set(pd.read_csv(paths.SAMPLE_DATA / "regions.csv", dtype=str)["code"])
    synthetic = regions[~regions["code"].isin(sample_codes)]
    # one sample's worth: about 150 counties in 1 province; invented codes, marked names
    assert len(synthetic[synthetic["level"] == "county"]) == generate.COUNTIES_PER_SCALE
    assert set(synthetic["code"].str[:2].astype(int)) <= set(generate.SYNTHETIC_PREFIXES)
    assert not set(synthetic["code"].str[:2].astype(int)) & generate.REAL_PREFIXES
    assert synthetic["name"].str.startswith("合成").all()
    assert dict(pd.read_csv(scale2 / "dataset.csv", dtype=str).values)["label"] == "示例数据（合成）"
    sample_n = csv_rows(paths.SAMPLE_DATA / "institutions.csv")
    assert 0.7 * sample_n < csv_rows(scale2 / "institutions.csv") - sample_n < 1.3 * sample_n


def test_national_preset_has_the_published_counts():
    provinces, cities, counties = generate.layout("national")
    assert (provinces + generate.SAMPLE_PROVINCES, cities + generate.SAMPLE_CITIES,
            counties + generate.SAMPLE_COUNTIES) == (31, 333, 2850)
    assert generate.layout(1) == (0, 0, 0)
    assert generate.layout(10)[2] == 9 * generate.COUNTIES_PER_SCALE
    with pytest.raises(ValueError):
        generate.layout(0.5)


def test_generated_data_passes_the_import_checks(scale2, tmp_path):
    counts = build_database(tmp_path / "g.duckdb", [paths.BASE_DATA, scale2])
    for table in ("institutions", "reports", "population", "surveys", "incidents"):
        assert counts[table] == csv_rows(scale2 / f"{table}.csv"), table
    con = db.connect(tmp_path / "g.duckdb")
    try:
        province = con.execute("select code from regions where name = '合成省66'").fetchone()[0]
        frame = indicators.values(con, [province, "350000", "100000"], ["2025Q4"])
        ratio = dict(zip(frame["region_code"], frame["slots_per_1000"]))
        # shaped like the national series (4.7 in 2025), within the province factor's spread
        assert 2.5 < ratio[province] < 7.5 and 4.4 < ratio["350000"] < 4.7
        # the country has a figure of its own: every institution of the dataset over its people
        assert round(ratio["100000"], 6) == round(hand_slots_per_1000(scale2, "100000", 2025, 4), 6)
    finally:
        con.close()


def test_the_country_has_the_people_of_every_county_in_the_data(scale2):
    # Each county of the dataset has population rows (synthetic ones, 宁夏's, 福建's, the
    # sample's 浙江 330205 and 河南 舞钢市 410481, summed from its townships), and the
    # country's row for a year is their sum, column by column: worked here from the county
    # rows, not from the provinces the generator adds up.
    regions = pd.read_csv(scale2 / "regions.csv", dtype=str)
    population = pd.read_csv(scale2 / "population.csv", dtype={"region_code": str})
    counties = set(regions.loc[regions["level"] == "county", "code"])
    assert counties <= set(population["region_code"])
    by_county = population[population["region_code"].isin(counties)].groupby("year")[
        ["resident_population", "under3_population", "births"]].sum()
    country = population[population["region_code"] == "100000"].set_index("year")[by_county.columns]
    assert list(country.index) == list(range(2020, 2027))
    assert country.equals(by_county)
    assert 1_000_000 < country.loc[2024, "resident_population"]


def hand_slots_per_1000(folder: Path, code: str, year: int, quarter: int) -> float:
    """DESIGN §3 worked with the csv module alone, not the code under test: Σ slots of the
    filed, active institutions under `code` (their latest report in the quarter, month
    reports included) ÷ the region's population that year × 1000."""
    def rows(table):
        with open(folder / f"{table}.csv", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    children = {}
    for r in rows("regions"):
        children.setdefault(r["parent_code"], []).append(r["code"])
    area, todo = set(), [code]
    while todo:
        area.add(todo[-1])
        todo.extend(children.get(todo.pop(), []))
    end = f"{year}-{quarter * 3:02d}-{(31 if quarter in (1, 4) else 30):02d}"
    counted = {i["institution_id"] for i in rows("institutions") if i["region_code"] in area
               and i["registered_on"] <= end and i["filed_on"] and i["filed_on"] <= end
               and not (i["closed_on"] and i["closed_on"] <= end)}
    in_quarter = {f"{year}Q{quarter}"} | {f"{year}-{m:02d}" for m in range(quarter * 3 - 2, quarter * 3 + 1)}
    latest = {}
    for r in rows("reports"):
        if r["institution_id"] in counted and r["period"] in in_quarter:
            if r["institution_id"] not in latest or r["period"] > latest[r["institution_id"]]["period"]:
                latest[r["institution_id"]] = r
    population = next(int(p["resident_population"]) for p in rows("population")
                      if p["region_code"] == code and p["year"] == str(year))
    return sum(int(r["slots"]) for r in latest.values()) / population * 1000


def test_scale_1_is_the_sample_and_gives_its_hand_figures(tmp_path):
    folder = tmp_path / "one"
    generate.generate(folder, 1)
    for path in sorted(paths.SAMPLE_DATA.glob("*.csv")):
        assert filecmp.cmp(path, folder / path.name, shallow=False), path.name
    counts = build_database(tmp_path / "one.duckdb", [paths.BASE_DATA, folder])
    for table in ("institutions", "reports", "population", "surveys", "incidents"):
        with open(folder / f"{table}.csv", encoding="utf-8", newline="") as f:
            assert counts[table] == sum(1 for _ in csv.reader(f)) - 1, table   # rows less the header
    # 2024Q4 by hand (tests/test_pages.py): 中卫市 1,416 / 1,054,127; 海原县 322 / 322,973;
    # 宁夏 11,933 / 7,278,743 (× 1000)
    assert round(hand_slots_per_1000(folder, "640500", 2024, 4), 4) == round(1416 / 1054127 * 1000, 4)
    assert round(hand_slots_per_1000(folder, "640522", 2024, 4), 4) == round(322 / 322973 * 1000, 4)
    con = db.connect(tmp_path / "one.duckdb")
    try:
        frame = indicators.values(con, ["640500", "640522", "640000"], ["2024Q4"])
    finally:
        con.close()
    ratio = dict(zip(frame["region_code"], frame["slots_per_1000"]))
    assert ratio == pytest.approx({"640500": 1416 / 1054127 * 1000, "640522": 322 / 322973 * 1000,
                                   "640000": 11933 / 7278743 * 1000})


def test_scale_2_synthetic_figures_agree_with_a_hand_count(scale2, tmp_path):
    """The synthetic province's rows and 每千人口托位数, counted from its CSVs with the csv
    module, against what the build stores and the indicators give."""
    counts = build_database(tmp_path / "two.duckdb", [paths.BASE_DATA, scale2])
    for table in ("institutions", "reports", "population", "incidents"):
        with open(scale2 / f"{table}.csv", encoding="utf-8", newline="") as f:
            assert counts[table] == sum(1 for _ in csv.reader(f)) - 1, table
    with open(scale2 / "regions.csv", encoding="utf-8", newline="") as f:
        province = next(r["code"] for r in csv.DictReader(f) if r["name"] == "合成省66")
    by_hand = {q: hand_slots_per_1000(scale2, province, 2025, int(q[-1])) for q in ("2025Q2", "2025Q4")}
    con = db.connect(tmp_path / "two.duckdb")
    try:
        frame = indicators.values(con, [province], list(by_hand))
    finally:
        con.close()
    assert dict(zip(frame["quarter"], frame["slots_per_1000"])) == pytest.approx(by_hand)
    assert all(v > 0 for v in by_hand.values())


# ---------------------------------------------------------------- the build's fast path

def tables_of(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()


def build_both(monkeypatch, folders, tmp_path):
    """The build with the fast path on every institutions/reports CSV, and with none."""
    out = []
    for name, threshold in (("fast", 0), ("pandas", float("inf"))):
        monkeypatch.setattr(fastpath, "FAST_MIN_BYTES", threshold)
        path = tmp_path / f"{name}.duckdb"
        try:
            build_database(path, folders)
            out.append(("ok", tables_of(path)))
        except ImportRefused as refused:
            out.append(("refused", [str(p) for p in refused.problems]))
    return out


def test_fast_path_builds_the_same_database(monkeypatch, tmp_path):
    fast, slow = build_both(monkeypatch, [paths.BASE_DATA, paths.SAMPLE_DATA], tmp_path)
    assert fast[0] == slow[0] == "ok"
    assert fast[1] == slow[1]


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """The hand-made fixture with institutions and reports in their plain form (English
    headers, true/false, 2024-09-30): what the fast path takes without the pandas path."""
    folder = tmp_path_factory.mktemp("plain")
    shutil.copytree(FIXTURE, folder, dirs_exist_ok=True)
    source = folder / "source.duckdb"  # a database of its own: the shared fixture one may be open
    build_database(source, [FIXTURE])
    con = duckdb.connect(str(source), read_only=True)
    try:
        for table in ("institutions", "reports"):
            columns = [c.name for c in COLUMNS[table]]
            rows = con.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()
            frame = pd.DataFrame([[sample.cell(v) for v in row] for row in rows], columns=columns)
            frame.to_csv(folder / f"{table}.csv", index=False)
    finally:
        con.close()
    source.unlink()
    return folder


def test_fast_path_takes_the_plain_files(plain, monkeypatch, tmp_path):
    taken = []
    real = fastpath.fast_load
    monkeypatch.setattr(fastpath, "fast_load", lambda *a: taken.append(real(*a)) or taken[-1])
    fast, slow = build_both(monkeypatch, [plain], tmp_path)
    assert len(taken) == 2 and None not in taken   # institutions, then reports
    assert fast == slow and fast[0] == "ok"


def test_fast_path_stores_reports_by_quarter(plain, monkeypatch, tmp_path):
    monkeypatch.setattr(fastpath, "FAST_MIN_BYTES", 0)
    build_database(tmp_path / "f.duckdb", [plain])
    con = duckdb.connect(str(tmp_path / "f.duckdb"), read_only=True)
    try:
        quarters = [row[0] for row in con.execute("select quarter from reports").fetchall()]
    finally:
        con.close()
    assert len(set(quarters)) > 1 and quarters == sorted(quarters)


def reports_key(con) -> list:
    return con.execute("select index_name, is_unique, expressions from duckdb_indexes() "
                       "where table_name = 'reports'").fetchall()


KEY = [("reports_key", True, "[institution_id, period]")]


def test_both_paths_leave_reports_with_their_key(plain, monkeypatch, tmp_path):
    # the build adds it once the rows are in (db.add_keys): a unique index; imports replace rows by it
    for name, threshold in (("fast", 0), ("pandas", float("inf"))):
        monkeypatch.setattr(fastpath, "FAST_MIN_BYTES", threshold)
        build_database(tmp_path / f"{name}.duckdb", [plain])
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        try:
            assert reports_key(con) == KEY, name
            with pytest.raises(duckdb.ConstraintException):
                con.execute("insert into reports select * from reports limit 1")
        finally:
            con.close()
    con = duckdb.connect()
    try:
        db.create_schema(con)  # a schema made for anything but a build has it from the start
        assert reports_key(con) == KEY
    finally:
        con.close()
    con = duckdb.connect()
    try:  # a database built when the key was a primary key keeps it, and gets no second one
        db.create_schema(con, keys=False)
        con.execute("alter table reports add primary key (institution_id, period)")
        db.add_keys(con)
        assert reports_key(con) == []
        assert con.execute("select count(*) from duckdb_constraints() where table_name = 'reports' "
                           "and constraint_type = 'PRIMARY KEY'").fetchone()[0] == 1
    finally:
        con.close()


# One change to the fixture's files per case: broken ones must be refused with exactly the
# pandas path's messages, unusual but valid ones loaded exactly as the pandas path loads them.
MUTATIONS = {
    "unknown institution": ("reports", 1, "institution_id", "NOPE"),
    "negative slots": ("reports", 1, "slots", "-5"),
    "too many children": ("reports", 1, "enrolled_toddler", "900"),
    "certified above caregivers": ("reports", 1, "caregivers_certified", "99"),
    "future period": ("reports", 1, "period", "2099Q1"),
    "early period": ("reports", 1, "period", "2018Q4"),
    "bad period": ("reports", 1, "period", "2024Q5"),
    "empty slots": ("reports", 1, "slots", ""),
    "bad flag": ("reports", 1, "meets_standard", "maybe"),
    "fraction": ("reports", 1, "slots", "1.5"),
    "spaces (valid)": ("reports", 1, "slots", " 120 "),
    "duplicate report": ("reports", 2, None, None),
    "全角 digits (valid)": ("reports", 1, "caregivers", "１５"),
    "Chinese quarter (valid)": ("reports", 1, "period", "2023年第1季度"),
    "short month (valid)": ("reports", 1, "period", "2024-8"),
    "是 (valid)": ("reports", 1, "meets_standard", "是"),
    "unknown region": ("institutions", 1, "region_code", "999999"),
    "filed before registered": ("institutions", 1, "filed_on", "2000-01-01"),
    "closed before registered": ("institutions", 1, "closed_on", "2000-01-01"),
    "future registration": ("institutions", 1, "registered_on", "2099-01-01"),
    "bad type": ("institutions", 1, "type", "托儿所"),
    "impossible date": ("institutions", 1, "registered_on", "2024-02-30"),
    "slash date (valid)": ("institutions", 1, "registered_on", "2020/1/5"),
    "name with spaces (valid)": ("institutions", 1, "name", " 某托育园 "),
    "name with a tab inside (valid)": ("institutions", 1, "name", "某\t托育园"),
    "duplicate institution": ("institutions", 2, None, None),
}


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_fast_path_agrees_with_the_pandas_path(case, plain, monkeypatch, tmp_path):
    table, row, column, value = MUTATIONS[case]
    folder = tmp_path / "data"
    shutil.copytree(plain, folder)
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    if column is None:
        frame = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
    else:
        header = {c.name: c.zh for c in COLUMNS[table]}[column]  # the fixture's headers may be Chinese
        frame.loc[row, column if column in frame.columns else header] = value
    assert len(frame.columns) == len(COLUMNS[table])
    frame.to_csv(folder / f"{table}.csv", index=False)
    fast, slow = build_both(monkeypatch, [folder], tmp_path)
    assert fast == slow
    assert fast[0] == ("ok" if "(valid)" in case else "refused")


def test_fast_path_names_a_duplicate_report_beside_another_files_problem(plain, monkeypatch, tmp_path):
    # the fast path leaves a key twice to the insert, which a folder refused for another
    # file never reaches: the duplicate must be named all the same
    folder = tmp_path / "data"
    shutil.copytree(plain, folder)
    reports = pd.read_csv(folder / "reports.csv", dtype=str, keep_default_na=False)
    pd.concat([reports, reports.iloc[[2]]], ignore_index=True).to_csv(folder / "reports.csv", index=False)
    population = pd.read_csv(folder / "population.csv", dtype=str, keep_default_na=False)
    population.loc[0, "region_code"] = "999999"
    population.to_csv(folder / "population.csv", index=False)
    fast, slow = build_both(monkeypatch, [folder], tmp_path)
    assert fast == slow and fast[0] == "refused"
    assert sum("未知区划代码 999999" in p for p in fast[1]) == 1
    assert sum(f"与第4行重复（{reports.loc[2, 'institution_id']}、{reports.loc[2, 'period']}）" in p
               for p in fast[1]) == 1


def test_fast_path_takes_chinese_headers_and_gbk_goes_to_pandas(plain, monkeypatch, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(plain, folder)
    frame = pd.read_csv(folder / "reports.csv", dtype=str, keep_default_na=False)
    zh = {c.name: c.zh for c in COLUMNS["reports"]}
    frame.rename(columns=zh).to_csv(folder / "reports.csv", index=False)
    institutions = pd.read_csv(folder / "institutions.csv", dtype=str, keep_default_na=False)
    (folder / "institutions.csv").write_bytes(institutions.to_csv(index=False).encode("gb18030"))
    fast, slow = build_both(monkeypatch, [folder], tmp_path)
    assert fast == slow and fast[0] == "ok"


# ---------------------------------------------------------------- the benchmark

def test_pandas_baseline_gives_the_duckdb_figures(sample_con):
    # 2024Q3 has month reports (the latest month wins), 2026Q3 a county that sent nothing
    frames = bench.load_frames(paths.SAMPLE_DATA)
    codes = ["640000", "640500", "640502", "640521", "640522", "640422", "350000", "350582", "410481001"]
    quarters = ["2021Q1", "2024Q3", "2026Q3"]
    assert bench._same(bench.pandas_values(frames, codes, quarters),
                       indicators.values(sample_con, codes, quarters, new_slots=False)) == 9 * 3 * 5


def test_bench_alternates_the_calls_it_compares():
    # the pandas ÷ DuckDB ratio is taken from runs in turn, round after round, after one
    # untimed run of each: never from two different minutes of a machine whose speed drifts
    order = []
    runs = bench._alternating({"pandas": (lambda: order.append("p"), 1),
                               "duckdb": (lambda: order.append("d"), 2)}, rounds=3)
    assert "".join(order) == "pd" + "pdd" * 3
    assert [len(runs["pandas"][0]), len(runs["pandas"][1])] == [3, 3]
    assert [len(runs["duckdb"][0]), len(runs["duckdb"][1])] == [6, 6]
    assert all(t >= 0 for t in runs["duckdb"][0] + runs["duckdb"][1])


def test_bench_quick_run(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert cli.main(["bench", "--scale", "1", "--quick", "--work", str(tmp_path), "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    for stage in ("build", "queries", "apptest", "pandas", "import"):
        assert result[stage]["peak_rss_mb"] > 0, stage
    assert {p["page"] for p in result["queries"]["pages"].values()} == set(bench.PAGES)
    # the machine's speed, timed beside the pages (read against it, never asserted on)
    for when in ("reference_before", "reference_after"):
        assert set(result["queries"][when]) == {"python_ms", "duckdb_ms"}
        assert set(result["build"][when]) == {"python_ms", "duckdb_ms"}   # and beside the build
    assert all(v["figures_checked"] > 0 for v in result["pandas"]["views"].values())
    # DuckDB timed on the columns pandas computes, and on all of them beside it
    assert all(v["duckdb_all_columns_ms"] > 0 for v in result["pandas"]["views"].values())
    assert result["import"]["rows"] == result["import"]["written"] > 0
    printed = capsys.readouterr().out
    assert "建库" in printed and "pandas 基线" in printed and "AppTest" in printed and "这台机器此刻的快慢" in printed


def test_ab_pages_times_two_trees_in_turn(sample_db_path, tmp_path):
    # scripts/ab_pages.py: the same tree twice, one run each, on a copy of the sample (its
    # workers open the file read-only in processes of their own): a row per page that
    # `bench` measures, with a median for each version
    import subprocess
    import sys

    db_copy = tmp_path / "sample.duckdb"
    shutil.copyfile(sample_db_path, db_copy)
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "scripts" / "ab_pages.py"), str(root), str(root),
                           "--db", str(db_copy), "--runs", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line.split(" | ") for line in done.stdout.splitlines()[2:]]
    with duckdb.connect(str(db_copy), read_only=True) as con:
        labels = list(bench.page_calls(bench.selections(con)))
    assert [row[0].lstrip("| ") for row in rows] == labels
    for row in rows:   # "旧 wall / cpu", "新 wall / cpu": four numbers
        assert all(float(x) >= 0 for cell in row[1:] for x in cell.rstrip(" |").split(" / "))
