"""How fast the dashboard is at N × the sample, up to national scale (issue #8).

    python -m tuoyu bench --scale national          # generates into /tmp if needed
    python -m tuoyu bench --scale 1 --quick         # seconds: keeps this script working

One run measures, each stage in its own process (so that each peak RSS is its own):
the database build from the CSV folder; each page's queries (the function the page calls,
with every query it issues), warm (same connection, after one run) and cold (a fresh
connection per run, and nothing kept of the build: indicators.per_build) medians; an AppTest run of each page; a 10,000-row report import;
and a pandas baseline computing the 总览 and 县区对比 indicators from the same data held
in DataFrames, checked against the DuckDB figures (the run fails if they differ). It
prints a table and can write the figures as JSON (docs/benchmarks.md is made from those).
"""

from __future__ import annotations

import io
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from .. import indicators, paths
from ..loading import database

WORK = Path("/tmp/tuoyu-bench")
BARS = {"page_ms": 100, "build_s": 15, "ratio": 10, "rss_mb": 1536, "apptest_s": 1.5}
PAGES = ("总览", "县区对比", "评审指标", "机构明细")
PAGE_FILES = {"总览": "pages/overview.py", "县区对比": "pages/counties.py",
              "评审指标": "pages/review.py", "机构明细": "pages/institutions.py"}
BASELINE_INDICATORS = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "occupancy_min", "filing_rate")
IMPORT_ROWS = 10_000


# ---------------------------------------------------------------- helpers

def _usage() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": me.ru_utime + me.ru_stime, "peak_rss_mb": me.ru_maxrss / 1024}


def _median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 1)


def _timed(fn, reps: int, warm: bool = True, budget_s: float = 20.0, cpu: list | None = None) -> list[float]:
    """Seconds for each of `reps` runs (fewer, at least 3, once they pass budget_s);
    after one untimed run if warm. The process's CPU seconds per run go to `cpu`: on a
    shared machine they show the work done, the wall time what it waited too."""
    if warm:
        fn()
    out = []
    for _ in range(reps):
        wall, cpu_s = _run_timed(fn)
        out.append(wall)
        if cpu is not None:
            cpu.append(cpu_s)
        if sum(out) > budget_s and len(out) >= min(3, reps):
            break
    return out


def _run_timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds of one run of fn."""
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - started, time.process_time() - cpu_started


DUCKDB_RUNS_PER_ROUND = 5  # DuckDB's call is short and noisy: more runs of it per round


def _alternating(calls: dict, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """name → (wall seconds, CPU seconds) of each run, for calls {name: (fn, runs per round)}
    run in turn, round after round, after one untimed run each: a ratio of two of them is
    then not a ratio of two different minutes on a machine whose speed drifts."""
    out = {name: ([], []) for name in calls}
    for fn, _ in calls.values():
        fn()
    for _ in range(rounds):
        for name, (fn, runs) in calls.items():
            for _ in range(runs):
                wall, cpu = _run_timed(fn)
                out[name][0].append(wall)
                out[name][1].append(cpu)
    return out


class _QueryCounter:
    """Counts db.run, db.run_objects and db.run_rows calls (every named query a page issues
    goes through one of them) and the milliseconds spent in each named query."""

    RUNNERS = ("run", "run_objects", "run_rows")

    def __init__(self):
        from .. import db
        self.db, self.real, self.n, self.ms = db, {r: getattr(db, r) for r in self.RUNNERS}, 0, {}

    def __enter__(self):
        def counting(real):
            def run(con, name, **params):
                self.n += 1
                started = time.perf_counter()
                try:
                    return real(con, name, **params)
                finally:
                    self.ms[name] = round(self.ms.get(name, 0) + (time.perf_counter() - started) * 1000, 1)
            return run
        for runner, real in self.real.items():
            setattr(self.db, runner, counting(real))
        return self

    def __exit__(self, *exc):
        for runner, real in self.real.items():
            setattr(self.db, runner, real)


def selections(con) -> dict:
    """What each page is measured on: the latest quarter; 福建 (plan FUJIAN) for a province;
    全国 (NATIONAL) for every county; 中卫 (ZHONGWEI) for 评审指标; the county with the most
    active institutions for 机构明细."""
    quarter = con.execute("select max(quarter) from reports").fetchone()[0]
    county = con.execute("""
        select i.region_code, count(*) as n
        from institutions as i join regions as r on r.code = i.region_code
        where r.level = 'county' and i.registered_on <= quarter_end($q)
          and (i.closed_on is null or i.closed_on > quarter_end($q))
        group by all order by n desc, i.region_code limit 1""", {"q": quarter}).fetchone()
    n_counties = con.execute("select count(*) from regions where level = 'county'").fetchone()[0]
    return {"quarter": quarter, "province": ("FUJIAN", "350000"), "national": ("NATIONAL", "100000"),
            "review": ("ZHONGWEI", "640500"), "county": county[0], "county_institutions": county[1],
            "n_counties": n_counties}


def page_calls(sel: dict) -> dict:
    """label → (page, function of a connection): what each page computes for a selection."""
    from .. import comparison, institutions, overview, review

    q = sel["quarter"]
    (plan, prov), (nplan, nation), (rplan, city) = sel["province"], sel["national"], sel["review"]
    return {
        "总览 福建": ("总览", lambda c: overview.build(c, plan, prov, q, "filed")),
        "总览 全国": ("总览", lambda c: overview.build(c, nplan, nation, q, "filed")),
        "县区对比 福建各县": ("县区对比", lambda c: comparison.build(c, plan, prov, q, "filed")),
        f"县区对比 全国{sel['n_counties']}县": ("县区对比", lambda c: comparison.build(c, nplan, nation, q, "filed")),
        "评审指标 中卫": ("评审指标", lambda c: review.build(c, rplan, city, q, "filed")),
        f"机构明细 {sel['county']}": ("机构明细", lambda c: institutions.details(c, sel["county"], q, "filed")),
    }


# ---------------------------------------------------------------- stages (each in its own process)

def stage_build(args: dict) -> dict:
    from ..loading.build import build_database

    # the machine's speed just before and after, as for the pages: a build measured in a
    # slow minute shows it here rather than as a slower build
    before = reference(BUILD_REFERENCE_REPS)
    started, cpu_started = time.perf_counter(), _usage()["cpu_s"]
    counts = build_database(Path(args["db"]), [paths.BASE_DATA, Path(args["data"])])
    wall, cpu = time.perf_counter() - started, _usage()["cpu_s"] - cpu_started
    return {"wall_s": round(wall, 2), "rows": counts, "db_mb": round(Path(args["db"]).stat().st_size / 2**20, 1),
            "reference_before": before, "reference_after": reference(BUILD_REFERENCE_REPS), **_usage(),
            "cpu_s": cpu}  # the build's own, not the references'


# The machine's speed at the moment of the run, timed in the pages' process before and after
# them: the same fixed work each time, so that a run on a machine (or in a minute) twice as
# slow shows it here too, and the pages' figures can be read beside it (issue 18: absolute
# times move between machines). Python work of the kind a page does per row (dicts, a
# comparison, a formatted figure) and one DuckDB aggregation.
REFERENCE_ROWS = 20_000
BUILD_REFERENCE_REPS = 7
REFERENCE_SQL = "select i % 1000 as g, count(*), sum(i), avg(i) from range(3000000) t(i) group by g"


def _reference_python() -> int:
    rows = [{"code": f"{i:06d}", "value": i * 0.37, "bar": 4.5} for i in range(REFERENCE_ROWS)]
    return sum(len(f"{r['code']} {r['value']:.2f} ≥ {r['bar']:.2f}") for r in rows if r["value"] >= r["bar"])


def reference(reps: int) -> dict:
    """Median milliseconds of the fixed Python work and of the fixed DuckDB query."""
    import duckdb

    con = duckdb.connect()
    try:
        return {"python_ms": _median_ms(_timed(_reference_python, reps)),
                "duckdb_ms": _median_ms(_timed(lambda: con.execute(REFERENCE_SQL).fetchall(), reps))}
    finally:
        con.close()


def stage_queries(args: dict) -> dict:

    path, reps = Path(args["db"]), args["reps"]
    con = database.open_database(path)
    sel = selections(con)
    out = {"selection": sel, "pages": {}, "reference_before": reference(reps)}
    for label, (page, fn) in page_calls(sel).items():
        fn(con)  # warm-up; then one warm run counted query by query
        with _QueryCounter() as counter:
            fn(con)
        warm_cpu = []
        warm = _timed(lambda: fn(con), reps, warm=False, cpu=warm_cpu)
        cold = []
        for _ in range(max(1, reps // 2)):
            indicators.forget_builds()
            fresh = database.open_database(path)
            cold += _timed(lambda: fn(fresh), 1, warm=False)
            fresh.close()
        out["pages"][label] = {"page": page, "queries": counter.n, "query_ms": counter.ms, "warm_ms": _median_ms(warm),
                               "warm_cpu_ms": _median_ms(warm_cpu), "cold_ms": _median_ms(cold)}
    con.close()
    out["reference_after"] = reference(reps)
    return {**out, **_usage()}


def _apptest_run(db_path: Path, page: str, params: dict) -> tuple[float, float]:
    """Seconds for dashboard.py with the URL parameters (the default page, 总览) and then
    for switching to `page`; Streamlit's data cache is cleared first, the connection kept."""
    import streamlit as st
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    class NavigationPagesManager(PagesManager):  # as tests/apptest.py: a server's page mode
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            PagesManager.uses_pages_directory = False

    app_test_module.PagesManager = NavigationPagesManager
    os.environ["TUOYU_DB"] = str(db_path)
    os.environ["TUOYU_REQUIRE_SIGNIN"] = "0"  # the pages, not the sign-in form (synthetic data asks for it)
    st.cache_data.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboard.py"), default_timeout=600)
    for key, value in params.items():
        at.query_params[key] = value
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value == "总览", [t.value for t in at.title]
    second = 0.0
    if page != PAGE_FILES["总览"]:
        at.switch_page(page)
        started = time.perf_counter()
        at.run()
        second = time.perf_counter() - started
        assert not at.exception, [e.value for e in at.exception]
        assert at.title and at.title[0].value == next(k for k, v in PAGE_FILES.items() if v == page)
    return first, second


def stage_apptest(args: dict) -> dict:

    path = Path(args["db"])
    con = database.open_database(path)
    sel = selections(con)
    con.close()
    q = sel["quarter"]
    views = {
        "总览 福建": ("总览", {"plan": sel["province"][0], "region": sel["province"][1], "period": q}),
        f"县区对比 全国{sel['n_counties']}县": ("县区对比", {"plan": sel["national"][0], "region": sel["national"][1],
                                                    "period": q}),
        "评审指标 中卫": ("评审指标", {"plan": sel["review"][0], "region": sel["review"][1], "period": q}),
        f"机构明细 {sel['county']}": ("机构明细", {"plan": sel["national"][0], "region": sel["county"], "period": q}),
    }
    if args.get("quick"):
        views = dict(list(views.items())[:2])
    _apptest_run(path, PAGE_FILES["总览"], {"period": q})  # opens the server's connection once
    out = {}
    for label, (page, params) in views.items():
        first, second = _apptest_run(path, PAGE_FILES[page], params)
        out[label] = {"page": page, "entry_s": round(first, 2), "page_s": round(second or first, 2)}
    return {"apptest": out, **_usage()}


def stage_import(args: dict) -> dict:
    from ..uploads.write import import_files

    source, copy = Path(args["db"]), Path(args["work"]) / "import-copy.duckdb"
    shutil.copyfile(source, copy)
    con = database.open_database(copy)
    try:
        quarter = con.execute("select max(quarter) from reports").fetchone()[0]
        rows = con.execute("""
            select institution_id, period, slots + 5 as slots, enrolled_infant, enrolled_toddler,
                   enrolled_preschool, caregivers, caregivers_certified, meets_standard
            from reports where quarter = $q and period = quarter
            order by institution_id limit $n""", {"q": quarter, "n": IMPORT_ROWS}).df()
        buffer = io.StringIO()
        rows.assign(meets_standard=rows["meets_standard"].map({True: "true", False: "false"})) \
            .to_csv(buffer, index=False)
        data = buffer.getvalue().encode("utf-8")
        started = time.perf_counter()
        result = import_files(con, [("reports.csv", data)], by="bench")
        assert result.ok, [str(p) for p in result.problems[:5]]
        how = "tuoyu.uploads.write.import_files (replaces each institution's row for the period)"
        written = sum(f.rows_added + f.rows_replaced for f in result.files)
        wall = time.perf_counter() - started
    finally:
        con.close()
        copy.unlink(missing_ok=True)
    return {"rows": len(rows), "written": written, "wall_s": round(wall, 2), "how": how, **_usage()}


# ---------------------------------------------------------------- the pandas baseline

def load_frames(data: Path) -> dict:
    """The interchange files as a pandas user would hold them: read and typed once (dates,
    numbers), then prepare()d."""
    import pandas as pd


    def read(folder: Path, name: str) -> pd.DataFrame:
        path = folder / f"{name}.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()

    regions = pd.concat([read(paths.BASE_DATA, "regions"), read(data, "regions")]).drop_duplicates("code", keep="last")
    population = read(data, "population")
    for column in ("year", "resident_population", "under3_population"):
        population[column] = pd.to_numeric(population[column])
    inst = read(data, "institutions")
    for column in ("registered_on", "filed_on", "closed_on"):
        inst[column] = pd.to_datetime(inst[column].replace("", None))
    rep = read(data, "reports")
    for column in ("slots", "enrolled_infant", "enrolled_toddler", "enrolled_preschool"):
        rep[column] = pd.to_numeric(rep[column].replace("", None))
    return prepare({"regions": regions, "population": population, "institutions": inst, "reports": rep})


def prepare(frames: dict) -> dict:
    """What the DuckDB path keeps in the database (each report's quarter and period end,
    each region's ancestors), worked out on the DataFrames: once, for the tuned baseline;
    inside every call, for the plain one."""
    import pandas as pd

    regions, rep = frames["regions"], frames["reports"].copy()
    parent = dict(zip(regions["code"], regions["parent_code"]))
    pairs = []
    for code in regions["code"]:
        node = code
        while node:
            pairs.append((code, node))
            node = parent.get(node) or None
    is_quarter = rep["period"].str.contains("Q")
    month = pd.to_numeric(rep["period"].str[5:7].where(~is_quarter))
    rep["quarter"] = rep["period"].where(is_quarter, rep["period"].str[:4] + "Q" + ((month - 1) // 3 + 1).astype("Int64").astype(str))
    last_month = pd.to_numeric(rep["quarter"].str[5]) * 3
    rep["period_end"] = (pd.to_datetime(rep["period"].where(~is_quarter, rep["period"].str[:4] + "-"
                                                            + last_month.astype(str).str.zfill(2)) + "-01")
                         + pd.offsets.MonthEnd(0))
    rep["is_quarter_row"] = is_quarter
    return {**frames, "reports": rep, "ancestors": pd.DataFrame(pairs, columns=["region_code", "ancestor_code"])}


def pandas_values(frames: dict, codes: list[str], quarters: list[str]):
    """slots_per_1000, enrolment_rate, occupancy mean/min and filing_rate per region and
    quarter by DESIGN §3, the way one would write it without a database."""
    import pandas as pd

    anc = frames["ancestors"][frames["ancestors"]["ancestor_code"].isin(codes)]
    inst, reports, pop = frames["institutions"], frames["reports"], frames["population"]
    out = []
    for q in quarters:
        end = pd.Timestamp(date(int(q[:4]), int(q[5]) * 3, 1)) + pd.offsets.MonthEnd(0)
        active = inst[(inst["registered_on"] <= end) & (inst["closed_on"].isna() | (inst["closed_on"] > end))]
        active = active.assign(is_filed=active["filed_on"].notna() & (active["filed_on"] <= end))
        latest = (reports[reports["quarter"] == q]
                  .sort_values(["institution_id", "period_end", "is_quarter_row"])
                  .drop_duplicates("institution_id", keep="last"))
        rows = active.merge(latest, on="institution_id", how="left").merge(anc, on="region_code")
        counted = rows[rows["is_filed"] & rows["period"].notna()]
        counted = counted.assign(enrolled=counted[["enrolled_infant", "enrolled_toddler", "enrolled_preschool"]]
                                 .fillna(0).sum(axis=1))
        counted = counted.assign(occupancy=(counted["enrolled"] / counted["slots"]).where(counted["slots"] > 0))
        by = counted.groupby("ancestor_code")
        totals = pd.DataFrame({
            "n_active": rows.groupby("ancestor_code").size(),
            "n_filed": rows.groupby("ancestor_code")["is_filed"].sum(),
            "n_reported": by.size(), "slots": by["slots"].sum(), "enrolled": by["enrolled"].sum(),
            "occupancy_mean": by["occupancy"].mean(), "occupancy_min": by["occupancy"].min(),
        }).reindex(codes)
        people = (pop[(pop["year"] <= end.year) & pop["region_code"].isin(codes)]
                  .sort_values("year").drop_duplicates("region_code", keep="last").set_index("region_code")
                  .reindex(codes))
        reported = totals["n_reported"].fillna(0) > 0
        totals["slots_per_1000"] = (totals["slots"] * 1000 / people["resident_population"]).where(reported)
        totals["enrolment_rate"] = (totals["enrolled"] / people["under3_population"]).where(
            reported & (people["under3_population"] > 0))
        totals["filing_rate"] = (totals["n_filed"] / totals["n_active"]).where(totals["n_active"] > 0)
        out.append(totals[list(BASELINE_INDICATORS)].assign(quarter=q).rename_axis("region_code").reset_index())
    return pd.concat(out, ignore_index=True)


def _same(pandas_frame, duckdb_frame) -> int:
    """Asserts the two give the same figures; the number of figures compared."""
    mine = {(r["region_code"], r["quarter"]): r for r in duckdb_frame.to_dict("records")}
    n = 0
    for row in pandas_frame.to_dict("records"):
        theirs = mine[(row["region_code"], row["quarter"])]
        for code in BASELINE_INDICATORS:
            a, b = row[code], theirs[code]
            a = None if a is None or (isinstance(a, float) and math.isnan(a)) else float(a)
            b = None if b is None else float(b)
            assert (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)), \
                (row["region_code"], row["quarter"], code, a, b)
            n += 1
    return n


def stage_pandas(args: dict) -> dict:
    from .. import indicators, periods

    con = database.open_database(Path(args["db"]))
    sel = selections(con)
    q, reps = sel["quarter"], args["reps"]
    all_quarters = sorted(r[0] for r in con.execute("select distinct quarter from reports").fetchall())
    provinces = [r[0] for r in con.execute("select code from regions where level = 'province'").fetchall()]
    counties = [r[0] for r in con.execute("select code from regions where level = 'county'").fetchall()]
    fujian = [c for c in counties if c.startswith("35")]
    views = {
        "总览 福建 (趋势, 全部季度)": (["350000"], periods.quarter_range(all_quarters[0], q)[::-1]),
        "县区对比 福建各县": (["350000"] + fujian, [q]),
        f"县区对比 全国{len(counties)}县": (counties + provinces, [q]),
    }
    started = time.perf_counter()
    frames = load_frames(Path(args["data"]))
    out = {"load_s": round(time.perf_counter() - started, 2), "views": {}}
    for label, (codes, quarters) in views.items():
        # DuckDB asked for the figures pandas computes, as a page asks for its own columns
        # (县区对比: comparison.UNIT_COLUMNS); all 57 columns' time is kept beside it
        def duck(columns=BASELINE_INDICATORS):
            return indicators.values(con, codes, quarters, new_slots=False, columns=columns)

        theirs = pandas_values(frames, codes, quarters)
        compared = _same(theirs, duck())
        runs = _alternating({"pandas": (lambda: pandas_values(frames, codes, quarters), 1),
                             "plain": (lambda: pandas_values(prepare(frames), codes, quarters), 1),
                             "duckdb": (duck, DUCKDB_RUNS_PER_ROUND),
                             "duckdb_all": (lambda: duck(None), DUCKDB_RUNS_PER_ROUND)},
                            rounds=max(3, reps // 2))
        wall = {name: statistics.median(w) for name, (w, _) in runs.items()}
        out["views"][label] = {"pandas_ms": _median_ms(runs["pandas"][0]), "plain_ms": _median_ms(runs["plain"][0]),
                               "duckdb_ms": _median_ms(runs["duckdb"][0]),
                               "duckdb_all_columns_ms": _median_ms(runs["duckdb_all"][0]),
                               "pandas_cpu_ms": _median_ms(runs["pandas"][1]), "plain_cpu_ms": _median_ms(runs["plain"][1]),
                               "duckdb_cpu_ms": _median_ms(runs["duckdb"][1]),
                               "ratio": round(wall["pandas"] / wall["duckdb"], 1),
                               "plain_ratio": round(wall["plain"] / wall["duckdb"], 1),
                               "figures_checked": compared}
    con.close()
    return {**out, **_usage()}


STAGES = {"build": stage_build, "queries": stage_queries, "apptest": stage_apptest,
          "import": stage_import, "pandas": stage_pandas}


def run_stage(name: str, args: dict) -> dict:
    """A stage in a fresh Python process: its figures, wall time, CPU time and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tuoyu.tools.bench", name, json.dumps(args)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    if proc.returncode != 0:
        raise RuntimeError(f"bench stage {name} failed:\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["stage_wall_s"] = round(time.perf_counter() - started, 2)
    return result


# ---------------------------------------------------------------- the run

def machine() -> dict:
    import duckdb
    import pandas
    import streamlit

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo", encoding="utf-8")
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pandas.__version__,
            "streamlit": streamlit.__version__, "load_avg": [round(x, 2) for x in os.getloadavg()]}


def ensure_data(scale, data: str | None, work: Path, seed: int) -> tuple[Path, float | None]:
    """The folder to build from: --data, the shipped sample at scale 1, else a generated
    folder under /tmp (kept between runs: the national one takes about a minute; made again
    when the generator has changed since)."""
    from . import generate

    if data:
        return Path(data), None
    if scale in (1, 1.0):
        return paths.SAMPLE_DATA, None
    folder = work / f"data-{scale}-{seed}"
    if (folder / "dataset.csv").exists() and (folder / "reports.csv").exists():
        meta = dict(line.rstrip("\n").split(",", 1) for line in open(folder / "dataset.csv", encoding="utf-8"))
        if (meta.get("scale"), meta.get("seed"), meta.get("generator_version")) == (
                str(scale), str(seed), str(generate.VERSION)):
            return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    generate.generate(folder, scale, seed)
    return folder, round(time.perf_counter() - started, 1)


def bench(scale=1, data: str | None = None, work: Path = WORK, reps: int = 7, quick: bool = False,
          seed: int = 2021, apptest: bool = True, echo=print) -> dict:
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    folder, generated_s = ensure_data(scale, data, work, seed)
    db_path = work / f"bench-{scale}.duckdb"
    db_path.unlink(missing_ok=True)
    reps = 2 if quick else reps
    result = {"scale": scale, "data": str(folder), "generate_s": generated_s, "machine": machine(),
              "command": " ".join(["python -m tuoyu bench"] + sys.argv[2:]) if sys.argv[1:2] == ["bench"] else None}
    stages = [("build", {"db": str(db_path), "data": str(folder)}),
              ("queries", {"db": str(db_path), "reps": reps}),
              ("pandas", {"db": str(db_path), "data": str(folder), "reps": reps}),
              ("import", {"db": str(db_path), "work": str(work)})]
    if apptest:
        stages.insert(2, ("apptest", {"db": str(db_path), "quick": quick}))
    for name, args in stages:
        echo(f"… {name}")
        result[name] = run_stage(name, args)
        echo(f"  {result[name]['stage_wall_s']} s")
    result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    db_path.unlink(missing_ok=True)
    return result


def report(result: dict) -> str:
    """The run as Markdown: what was measured, each figure against its bar."""
    b, q = result["build"], result["queries"]
    sel, lines = q["selection"], []
    m = result["machine"]
    lines.append(f"规模 {result['scale']}：{b['rows'].get('institutions', 0):,} 家机构，"
                 f"{b['rows'].get('reports', 0):,} 行报表，{sel['n_counties']:,} 个县级单位；报告期 {sel['quarter']}")
    lines.append(f"机器：{m['nproc']} 核 {m['cpu']}，{m['mem_gb']} GB；负载 {m['load_avg']} → {m.get('load_avg_end')}；"
                 f"Python {m['python']}，DuckDB {m['duckdb']}，pandas {m['pandas']}，Streamlit {m['streamlit']}")
    if "reference_before" in q:
        before, after = q["reference_before"], q["reference_after"]
        lines.append(f"这台机器此刻的快慢（同一进程，页面计时前 → 后，固定的工作）：Python {before['python_ms']} → "
                     f"{after['python_ms']} ms，DuckDB {before['duckdb_ms']} → {after['duckdb_ms']} ms；"
                     f"慢一倍的机器上这两个数也大约翻倍")
    lines += ["", "| 测量 | 结果 | 门槛 |", "|---|---:|---|"]
    if result.get("generate_s"):
        lines.append(f"| 生成数据 | {result['generate_s']} s | — |")
    speed = ""
    if "reference_before" in b:
        before, after = b["reference_before"], b["reference_after"]
        speed = (f"；前后参照 Python {before['python_ms']} → {after['python_ms']} ms，"
                 f"DuckDB {before['duckdb_ms']} → {after['duckdb_ms']} ms")
    lines.append(f"| 建库（CSV → DuckDB） | {b['wall_s']} s（CPU {b['cpu_s']:.1f} s，峰值 {b['peak_rss_mb']:.0f} MB，"
                 f"库 {b['db_mb']} MB{speed}） | < {BARS['build_s']} s |")
    for label, p in q["pages"].items():
        lines.append(f"| {label}：查询（{p['queries']} 条） warm / cold 中位数 | {p['warm_ms']} / {p['cold_ms']} ms "
                     f"（warm CPU {p['warm_cpu_ms']} ms） | < {BARS['page_ms']} ms warm |")
    for label, a in result.get("apptest", {}).get("apptest", {}).items():
        lines.append(f"| AppTest {label} | {a['page_s']} s（入口+总览 {a['entry_s']} s） | < {BARS['apptest_s']} s |")
    i = result["import"]
    lines.append(f"| 导入 {i['rows']:,} 行报表 | {i['wall_s']} s（{i['how']}） | — |")
    for label, v in result["pandas"]["views"].items():
        every = f"，取全部列 {v['duckdb_all_columns_ms']} ms" if "duckdb_all_columns_ms" in v else ""
        lines.append(f"| pandas 基线 {label}：逐次推算 / 预先整理 | {v['plain_ms']} / {v['pandas_ms']} ms vs DuckDB "
                     f"{v['duckdb_ms']} ms{every} = {v['plain_ratio']}× / {v['ratio']}×（CPU {v['plain_cpu_ms']} / "
                     f"{v['pandas_cpu_ms']} vs {v['duckdb_cpu_ms']} ms；{v['figures_checked']:,} 个数一致） "
                     f"| ≥ {BARS['ratio']}× |")
    lines.append(f"| pandas 载入 CSV（不计入比较） | {result['pandas']['load_s']} s | — |")
    peaks = {name: result[name]["peak_rss_mb"] for name in ("build", "queries", "apptest", "import", "pandas")
             if name in result}
    lines.append("| 峰值 RSS（各阶段进程） | " + "，".join(f"{k} {v:.0f} MB" for k, v in peaks.items())
                 + f" | < {BARS['rss_mb']} MB |")
    return "\n".join(lines)


def growth_table(results: list[dict]) -> str:
    """Several runs (e.g. 1×, 10×, national) side by side, each figure against its bar."""
    def cell(r, get):
        try:
            return get(r)
        except (KeyError, TypeError, StopIteration):
            return "—"

    def page(r, name):
        return next(v for k, v in r["queries"]["pages"].items() if k.startswith(name))

    def apptest(r, name):
        return next(v for k, v in r["apptest"]["apptest"].items() if k.startswith(name))

    def view(r, name):
        return next(v for k, v in r["pandas"]["views"].items() if k.startswith(name))

    rows = [
        ("县级单位 / 机构 / 报表行", lambda r: f"{r['queries']['selection']['n_counties']:,} / "
                                      f"{r['build']['rows']['institutions']:,} / {r['build']['rows']['reports']:,}", "—"),
        ("生成数据", lambda r: f"{r['generate_s']} s" if r.get("generate_s") else "（示例数据，未生成）", "—"),
        ("建库 墙钟（CPU）", lambda r: f"{r['build']['wall_s']} s（{r['build']['cpu_s']:.1f} s）", f"< {BARS['build_s']} s"),
        ("建库 峰值 RSS / 库文件", lambda r: f"{r['build']['peak_rss_mb']:.0f} / {r['build']['db_mb']:.0f} MB", "—"),
    ]
    for name in ("总览 福建", "总览 全国", "县区对比 福建", "县区对比 全国", "评审指标", "机构明细"):
        rows.append((f"{name}：查询 warm（CPU）/ cold ms",
                     lambda r, n=name: (f"{page(r, n)['warm_ms']:.0f}（{page(r, n)['warm_cpu_ms']:.0f}）/ "
                                        f"{page(r, n)['cold_ms']:.0f}，{page(r, n)['queries']} 条"),
                     f"< {BARS['page_ms']} ms warm"))
    for name in ("总览", "县区对比", "评审指标", "机构明细"):
        rows.append((f"AppTest {name}", lambda r, n=name: f"{apptest(r, n)['page_s']} s", f"< {BARS['apptest_s']} s"))
    rows.append(("导入 1 万行报表", lambda r: f"{r['import']['wall_s']} s（{r['import']['rows']:,} 行）", "—"))
    for name in ("总览 福建", "县区对比 福建", "县区对比 全国"):
        rows.append((f"pandas ÷ DuckDB：{name}（逐次推算 / 预先整理）",
                     lambda r, n=name: f"{view(r, n)['plain_ratio']}× / {view(r, n)['ratio']}×",
                     f"≥ {BARS['ratio']}×（县区对比）"))
    rows.append(("峰值 RSS：看板进程（查询 / AppTest）",
                 lambda r: f"{r['queries']['peak_rss_mb']:.0f} / {r['apptest']['peak_rss_mb']:.0f} MB",
                 f"< {BARS['rss_mb']} MB"))
    rows.append(("峰值 RSS：pandas 基线进程", lambda r: f"{r['pandas']['peak_rss_mb']:.0f} MB", "—"))
    rows.append(("参照：固定的 Python / DuckDB 工作（页面计时前）",
                 lambda r: f"{r['queries']['reference_before']['python_ms']} / "
                           f"{r['queries']['reference_before']['duckdb_ms']} ms", "—"))
    rows.append(("负载（开始 → 结束，1 分钟均值）",
                 lambda r: f"{r['machine']['load_avg'][0]} → {r['machine'].get('load_avg_end', ['?'])[0]}", "—"))
    head = "| | " + " | ".join(f"{r['scale']}×" if r["scale"] != "national" else "全国" for r in results) + " | 门槛 |"
    lines = [head, "|---|" + "---:|" * len(results) + "---|"]
    for label, get, bar in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r, get) for r in results) + f" | {bar} |")
    return "\n".join(lines)


def _child_main(argv: list[str]) -> None:
    os.environ.setdefault("TUOYU_TODAY", "2026-11-23")  # the sample's 'today'
    result = STAGES[argv[0]](json.loads(argv[1]))
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    _child_main(sys.argv[1:])
