"""Load and fault soak (issue 16): a dashboard on localhost, on a copy of the sample, with
N browser sessions at once — readers opening every page for random regions and
quarters, and county clerks importing their county's 2026Q3 reports and undoing their
own batches through the page — then an administrator's large import killed (kill -9 of the
server): first at points that close in on the moment it commits, then inside its write;
each time the file is looked at (all of the import or none of it) and the server started
again. Afterwards every table is compared with the state the operations must have left.

    .venv/bin/python -m tests.soak --sessions 6 --writers 2 --seconds 90 --kills 4

Bounded: the load phase lasts --seconds, each kill round at most a few minutes, every wait
has a timeout. Prints the figures as JSON (docs/soak.md records a run) and exits 1 if any
check fails. Needs what the browser tests need (Playwright and Debian's Chromium)."""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
from playwright.sync_api import expect, sync_playwright

from tests.browser import harness
from tuoyu import auth, db, paths, totals
from tuoyu.loading.build import build_database

os.environ.setdefault("TUOYU_TODAY", "2026-11-23")   # the tests' day: 2026Q3 is over, 2026Q4 is not
PLAN, CITY, QUARTER = "ZHONGWEI", "640500", "2026Q3"
COUNTIES = ("640502", "640521", "640522")
READ_REGIONS = (CITY,) + COUNTIES
READ_QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")
REPORT_HEADER = ["机构编码", "报告期", "托位数", "乳儿班在托", "托小班在托", "托大班在托", "保育人员数",
                 "持证保育人员数", "是否达标"]
REPORT_COLUMNS = ["slots", "enrolled_infant", "enrolled_toddler", "enrolled_preschool", "caregivers",
                  "caregivers_certified", "meets_standard"]
UNCHANGED = ("regions", "institutions", "population", "region_indicators", "surveys", "incidents", "plans",
             "targets", "phases", "tasks", "task_history")
DERIVED = ("region_tree", "unit_quarter_totals", "region_values")
ADMIN = ("soak-admin", "soak-Admin-pass", "压测管理员")


class Soak:
    def __init__(self, args, workdir: Path):
        self.args, self.workdir = args, workdir
        self.db_path = workdir / "soak.duckdb"
        self.lock = threading.Lock()
        self.page_loads, self.imports, self.undos, self.errors = [], [], [], []
        self.stacks: dict[str, list] = {}     # clerk → [(batch, {key: values})], the batches still in force
        self.undone: set[int] = set()
        self.kills: list[dict] = []
        self.server: harness.Server | None = None

    # ---------------------------------------------------------------- setup

    def prepare(self) -> None:
        build_database(self.db_path, [paths.BASE_DATA, paths.SAMPLE_DATA])
        con = db.connect(self.db_path)
        try:
            auth.add_user(con, ADMIN[0], ADMIN[2], ADMIN[1], "管理员")
            for code in COUNTIES[:self.args.writers]:
                auth.add_user(con, f"clerk{code}", f"{code}填报员", f"clerk-{code}-pass", "县区填报", (code,))
            self.keys = {code: [r[0] for r in con.execute(
                "select r.institution_id from reports r join institutions i using (institution_id) "
                "join region_tree t on t.region_code = i.region_code "
                "where t.ancestor_code = ? and r.period = ? order by 1", [code, QUARTER]).fetchall()]
                for code in COUNTIES[:self.args.writers]}
        finally:
            con.close()
        shutil.copyfile(self.db_path, self.workdir / "before.duckdb")

    def start_server(self) -> None:
        self.server = harness.Server(self.db_path, self.workdir / "streamlit.log").start()

    # ---------------------------------------------------------------- sessions

    def _browser(self, playwright):
        browser = harness.launch_chromium(playwright)
        return browser, browser.new_context(viewport=harness.DESKTOP, locale="zh-CN").new_page()

    def reader(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        with sync_playwright() as playwright:
            browser, page = self._browser(playwright)
            try:
                while time.monotonic() < until:
                    spec = rng.choice(harness.PAGES)
                    url = self.server.url(spec.path, plan=PLAN, region=rng.choice(READ_REGIONS),
                                          period=rng.choice(READ_QUARTERS))
                    started = time.perf_counter()
                    try:
                        harness.open_page(page, url, spec.title)
                        with self.lock:
                            self.page_loads.append(time.perf_counter() - started)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        with self.lock:
                            self.errors.append(f"reader {spec.name}: {str(exc)[:300]}")
            finally:
                browser.close()

    def writer(self, code: str, seed: int, until: float) -> None:
        rng, name = random.Random(seed), f"clerk{code}"
        stack = self.stacks.setdefault(name, [])
        with sync_playwright() as playwright:
            browser, page = self._browser(playwright)
            try:
                harness.open_page(page, self.server.url("/upload", plan=PLAN, region=CITY, period=QUARTER), "数据上报")
                harness.sign_in(page, name, f"clerk-{code}-pass", f"{code}填报员")
                sent = 0
                while time.monotonic() < until:
                    try:
                        if stack and rng.random() < 0.35:
                            self._undo(page, stack)
                        else:
                            sent += 1
                            self._import(page, name, code, sent, rng, stack)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        shown = " | ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
                        with self.lock:
                            self.errors.append(f"writer {code}: {str(exc)[:300]} — the page said: {shown[:600]}")
                        break   # the model of this writer's batches is no longer known
            finally:
                browser.close()

    def _import(self, page, name, code, sent, rng, stack) -> None:
        values = {}
        for inst in self.keys[code]:
            slots = rng.randint(20, 120)
            kids = [rng.randint(0, slots // 3) for _ in range(3)]
            carers = rng.randint(3, 20)
            values[(inst, QUARTER)] = [slots, *kids, carers, rng.randint(0, carers), rng.choice(["是", "否"])]
        rows = [[inst, QUARTER, *map(str, v)] for (inst, _), v in values.items()]
        # a clerk looks at the figures and comes back: 数据上报 starts with an empty uploader
        # (removing the last file and choosing the next at once can lose the new one)
        harness.go_to(page, "总览")
        harness.go_to(page, "数据上报")
        file_name = f"{name}-{sent}.csv"
        harness.upload(page, file_name, harness.csv_bytes(REPORT_HEADER, rows))
        started = time.perf_counter()
        go = page.get_by_role("button", name="检查并导入")
        expect(go).to_be_enabled(timeout=60_000)
        go.click()
        # this file's result, not the previous one still on the page while the new run draws
        alert = page.locator('[data-testid="stAlert"]').filter(has_text="导入成功").filter(has_text=file_name)
        expect(alert).to_be_visible(timeout=120_000)
        batch = int(alert.inner_text().split("第", 1)[1].split("批", 1)[0])
        harness.wait_drawn(page)
        with self.lock:
            self.imports.append(time.perf_counter() - started)
            stack.append((batch, values))

    def _undo(self, page, stack) -> None:
        batch, _ = stack[-1]
        row = page.locator('[data-testid="stHorizontalBlock"]').filter(has_text=f"第{batch}批 ·")
        started = time.perf_counter()
        row.locator('[data-testid="stPopover"] button').first.click()
        page.get_by_role("button", name=f"确认撤销第{batch}批").click()
        expect(page.locator('[data-testid="stAlert"]').filter(has_text=f"已撤销第{batch}批")).to_be_visible(
            timeout=120_000)
        harness.wait_drawn(page)
        with self.lock:
            self.undos.append(time.perf_counter() - started)
            stack.pop()
            self.undone.add(batch)

    def load(self) -> None:
        until = time.monotonic() + self.args.seconds
        writers = [threading.Thread(target=self.writer, args=(code, i, until))
                   for i, code in enumerate(COUNTIES[:self.args.writers])]
        readers = [threading.Thread(target=self.reader, args=(100 + i, until))
                   for i in range(self.args.sessions - self.args.writers)]
        for t in writers + readers:
            t.start()
        for t in writers + readers:
            t.join(timeout=self.args.seconds + 600)

    # ---------------------------------------------------------------- faults
    # The administrator re-sends every 2026Q3 report of the FUJIAN plan's area (about 5,900
    # rows, each with slots = the stored slots + the round number + 1): a file whose write (the
    # rows replaced, their old values kept for undo, the stored totals of every unit touched)
    # is most of its time on the server, so a kill lands inside the write as often as not.

    def _fujian(self, round_: int) -> bytes:
        rows = [[inst, period, str(slots + round_ + 1), *("" if v is None else str(v) for v in rest),
                 "是" if standard else "否"] for (inst, period), (slots, *rest, standard) in self.fujian.items()]
        return harness.csv_bytes(REPORT_HEADER, rows)

    def fault(self, round_: int, kill_after: float | None) -> dict:
        """Send the large file as the administrator; with kill_after, kill the server (its
        whole process group, SIGKILL) that many seconds after the click, look at the file,
        and start the server again."""
        outcome = {"round": round_}
        with sync_playwright() as playwright:
            browser, page = self._browser(playwright)
            try:
                harness.open_page(page, self.server.url("/upload", plan="FUJIAN", region="350000", period=QUARTER),
                                  "数据上报")
                harness.sign_in(page, ADMIN[0], ADMIN[1], ADMIN[2])
                harness.upload(page, f"soak-fujian-{round_}.csv", self._fujian(round_))
                started = time.perf_counter()
                page.get_by_role("button", name="检查并导入").click()
                if kill_after is None:
                    expect(page.locator('[data-testid="stAlert"]').filter(has_text="导入成功")).to_be_visible(
                        timeout=300_000)
                    outcome["seconds"] = round(time.perf_counter() - started, 2)
                else:
                    time.sleep(max(0.0, kill_after - (time.perf_counter() - started)))
                    os.killpg(self.server.proc.pid, signal.SIGKILL)
                    self.server.proc.wait(timeout=30)
                    outcome["killed_after_s"] = round(kill_after, 2)
            finally:
                browser.close()
        outcome.update(self._fujian_state(round_))
        if kill_after is not None:
            self.start_server()
        return outcome

    def _fujian_state(self, round_: int) -> dict:
        """Right after the round (the server stopped or idle): how many of its rows hold its
        figures, and whether its batch is there; all or nothing."""
        if self.server.proc.poll() is None:
            self.server.stop()
            restart = True
        else:
            restart = False
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            con.execute("create temp table sent (institution_id text, period text, slots integer)")
            con.executemany("insert into sent values (?, ?, ?)",
                            [(i, p, v[0] + round_ + 1) for (i, p), v in self.fujian.items()])
            held = con.execute("select count(*) from reports join sent using (institution_id, period) "
                               "where reports.slots = sent.slots").fetchone()[0]
            batch = con.execute("select count(*) from import_batches where file_name = ?",
                                [f"soak-fujian-{round_}.csv"]).fetchone()[0]
        finally:
            con.close()
        if restart:
            self.start_server()
        committed = held == len(self.fujian) and batch == 1
        if committed:
            self.fujian_last = round_
        return {"rows_written": held, "batch": batch, "committed": committed,
                "all_or_nothing": committed or (held == 0 and batch == 0)}

    def _phases(self) -> dict:
        """The same import in this process on a copy: seconds to its write, and of the
        write (the server cannot be asked where a kill landed; this says how likely the
        write was)."""
        from tuoyu.uploads import write

        copy = self.workdir / "phases.duckdb"
        shutil.copyfile(self.workdir / "before.duckdb", copy)
        marks, real = {}, write._write_plans

        def timed(*args, **kwargs):
            marks["write"] = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                marks["written"] = time.perf_counter()
        write._write_plans = timed
        con = db.connect(copy)
        try:
            started = time.perf_counter()
            assert write.import_files(con, [("calibration.csv", self._fujian(0))], "soak", plan_region="350000").ok
        finally:
            write._write_plans = real
            con.close()
            copy.unlink()
        return {"to_write_s": round(marks["write"] - started, 2), "write_s": round(marks["written"] - marks["write"], 2)}

    def faults(self) -> None:
        """Round 0 runs to the end (its time through the page bounds the rest). The next
        rounds look for the moment the import commits by halving (killed before it: nothing
        written; after: all of it); the last rounds are killed inside the write just before
        that moment, as long before it as the write takes in this process."""
        con = duckdb.connect(str(self.workdir / "before.duckdb"), read_only=True)
        try:
            self.fujian = {(r[0], r[1]): r[2:] for r in con.execute(
                "select r.institution_id, r.period, r.slots, r.enrolled_infant, r.enrolled_toddler, "
                "r.enrolled_preschool, r.caregivers, r.caregivers_certified, r.meets_standard from reports r "
                "join institutions i using (institution_id) join region_tree t on t.region_code = i.region_code "
                "where t.ancestor_code = '350000' and r.period = ?", [QUARTER]).fetchall()}
        finally:
            con.close()
        self.fujian_last = None
        self.phases = self._phases()
        reference = self.fault(0, None)
        self.kills.append(reference)
        before, after = 0.0, reference["seconds"]       # the commit lies between
        searches = self.args.kills // 2
        for round_ in range(1, searches + 1):
            outcome = self.fault(round_, (before + after) / 2)
            if outcome["committed"]:
                after = outcome["killed_after_s"]
            else:
                before = outcome["killed_after_s"]
            self.kills.append(outcome)
        inside = self.args.kills - searches
        for i, round_ in enumerate(range(searches + 1, self.args.kills + 1), start=1):
            at = max(0.1, before - self.phases["write_s"] * i / (inside + 1))
            self.kills.append(self.fault(round_, at) | {"aimed_at": "the write"})
        self.commit_between_s = [round(before, 2), round(after, 2)]

    # ---------------------------------------------------------------- afterwards

    def verify(self) -> dict[str, str]:
        """Every table against the state the operations must have left: 'ok', or how many
        rows differ. Compared in DuckDB (rows one side holds and the other does not)."""
        con = duckdb.connect(str(self.db_path))          # replays a log the last server left, then closes clean
        con.execute("checkpoint")
        con.close()
        refreshed = self.workdir / "refreshed.duckdb"   # stored totals: a full refresh must change nothing
        shutil.copyfile(self.db_path, refreshed)
        con = db.connect(refreshed)
        try:
            con.execute("begin")
            totals.refresh_derived(con)
            con.execute("commit")
        finally:
            con.close()
        con = duckdb.connect()
        for alias, path in (("b", self.workdir / "before.duckdb"), ("a", self.db_path), ("r", refreshed)):
            con.execute(f"attach '{path}' as {alias} (read_only)")

        def differing(left: str, right: str) -> int:
            return con.execute(f"select (select count(*) from (select * from {left} except all select * from {right}))"
                               f" + (select count(*) from (select * from {right} except all select * from {left}))"
                               ).fetchone()[0]

        def verdict(n: int) -> str:
            return "ok" if n == 0 else f"{n} rows differ"

        checks = {name: verdict(differing(f"b.{name}", f"a.{name}")) for name in UNCHANGED}
        # reports: the administrator's last committed round, and each clerk's latest batch in force
        con.execute("create temp table expected as select * from b.reports")
        if self.fujian_last is not None:
            con.execute("create temp table fujian (institution_id text, period text)")
            con.executemany("insert into fujian values (?, ?)", list(self.fujian))
            con.execute("update expected set slots = slots + ? where (institution_id, period) in "
                        "(select (institution_id, period) from fujian)", [self.fujian_last + 1])
        con.execute("create temp table sent (institution_id text, period text, slots integer, enrolled_infant integer,"
                    " enrolled_toddler integer, enrolled_preschool integer, caregivers integer,"
                    " caregivers_certified integer, meets_standard boolean)")
        con.executemany("insert into sent values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[*key, *values[:6], values[6] == "是"] for stack in self.stacks.values() if stack
                         for key, values in stack[-1][1].items()])
        con.execute("update expected set " + ", ".join(f"{c} = sent.{c}" for c in REPORT_COLUMNS) +
                    " from sent where expected.institution_id = sent.institution_id"
                    " and expected.period = sent.period")
        checks["reports"] = verdict(differing("expected", "a.reports"))
        checks["fault_rounds"] = "ok" if all(k["all_or_nothing"] for k in self.kills) \
            else "a killed import is partly there"
        # batches: the writers' batches in force, and those undone
        in_force = {b for stack in self.stacks.values() for b, _ in stack}
        stored = con.execute("select batch_id, undone_at is not null, rows_added + rows_replaced, "
                             "(select count(*) from a.import_batch_rows r where r.batch_id = b.batch_id) "
                             "from a.import_batches b where file_name like 'clerk%'").fetchall()
        stored_in_force = sorted(b for b, undone, _, _ in stored if not undone)
        stored_undone = sorted(b for b, undone, _, _ in stored if undone)
        ok = stored_in_force == sorted(in_force) and stored_undone == sorted(self.undone) \
            and all(n == rows for _, _, n, rows in stored) and len(stored) == len(self.imports)
        checks["import_batches"] = "ok" if ok else (
            f"stored in force {stored_in_force}, undone {stored_undone}, {len(stored)} batches; "
            f"made: in force {sorted(in_force)}, undone {sorted(self.undone)}, {len(self.imports)} imports")
        checks |= {name: verdict(differing(f"r.{name}", f"a.{name}")) for name in DERIVED}
        con.close()
        return checks

    def figures(self, checks, seconds: float) -> dict:
        def spread(values):
            if not values:
                return None
            values = sorted(values)
            return {"n": len(values), "median_s": round(statistics.median(values), 2),
                    "p95_s": round(values[int(0.95 * (len(values) - 1))], 2), "max_s": round(values[-1], 2)}
        return {"sessions": self.args.sessions, "writers": self.args.writers, "load_seconds": self.args.seconds,
                "page_loads": spread(self.page_loads), "imports": spread(self.imports), "undos": spread(self.undos),
                "batches_in_force": {k: [b for b, _ in v] for k, v in self.stacks.items()},
                "large_import_in_process": getattr(self, "phases", None),
                "commit_between_s": getattr(self, "commit_between_s", None), "fault_rounds": self.kills,
                "errors": self.errors, "checks": checks,
                "wall_seconds": round(seconds, 1), "ok": not self.errors and set(checks.values()) == {"ok"}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=6, help="browser sessions at once (readers and writers)")
    parser.add_argument("--writers", type=int, default=2, choices=(1, 2, 3), help="of which county clerks")
    parser.add_argument("--seconds", type=int, default=90, help="length of the load phase")
    parser.add_argument("--kills", type=int, default=4, help="imports killed midway")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (databases, server log)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="tuoyu-soak-"))
    soak = Soak(args, workdir)
    try:
        soak.prepare()
        soak.start_server()
        soak.load()
        soak.faults()
    finally:
        if soak.server:
            soak.server.stop()
    figures = soak.figures(soak.verify(), time.perf_counter() - started)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.keep:
        print(f"working folder: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
