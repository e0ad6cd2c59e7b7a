"""How long an upload holds the import lock, and what a large or inflating XLSX costs
(issue 16 item 6). Each scenario runs in a fresh process on a copy of the fixture
database; the figures are written to docs/security.md by hand.

    .venv/bin/python scripts/measure_uploads.py rows100k bomb institutions50k

rows100k        a small XLSX of 100,000 report rows (the issue's 167 KB file)
bomb            an XLSX of ~3 MB that unpacks to ~750 MB
institutions50k 49,999 new institutions, a file within every limit
Each also times a one-row import sent by someone else as soon as the big one reaches its
checks against the store (or, if it never does, once it is over): what that import waits
is the lock's cost to everyone else."""

import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPORTS_HEADER = ["institution_id", "period", "slots", "enrolled_infant", "enrolled_toddler", "enrolled_preschool",
                  "caregivers", "caregivers_certified", "meets_standard"]
INSTITUTIONS_HEADER = ["institution_id", "name", "region_code", "type", "ownership", "is_puhui", "registered_on",
                       "filed_on", "closed_on", "is_demonstration", "is_guidance_center"]


def xlsx(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bomb() -> bytes:
    """One sheet of 12,000 rows, each cell a 60,000-character text: ~720 MB unpacked."""
    from tests import xlsx_files

    return xlsx_files.streamed_xlsx(xlsx_files.row(REPORTS_HEADER), xlsx_files.row(["x" * 60_000]), 12_000, level=9)


def scenario_file(name: str) -> tuple[str, bytes]:
    if name == "rows100k":
        return "机构报表.xlsx", xlsx(REPORTS_HEADER, [["B1", "2024Q3", 50, 5, 15, 20, 8, 6, "是"]] * 100_000)
    if name == "bomb":
        return "机构报表.xlsx", bomb()
    if name == "institutions50k":
        rows = [[f"T{i:06d}", f"测试托育点{i}", "990101", "托育机构", "民办", "否", "2024-01-02", "", "", "否", "否"]
                for i in range(1, 50_000)]
        return "托育机构名录.xlsx", xlsx(INSTITUTIONS_HEADER, rows)
    raise SystemExit(f"unknown scenario {name}")


class TimedLock:
    """The import lock, noting how long each holder kept it."""

    def __init__(self):
        self.real, self.held = threading.Lock(), []

    def __enter__(self):
        self.real.acquire()
        self.since = time.perf_counter()

    def __exit__(self, *exc):
        self.held.append(time.perf_counter() - self.since)
        self.real.release()


def run_one(name: str, db_path: str) -> dict:
    from tuoyu import db
    from tuoyu.uploads import checks, write

    con = db.connect(db_path)
    lock = TimedLock()
    write.LOCK = lock
    checking = threading.Event()
    real_check = checks.check_files

    def noted_check(files, known=None):
        if any(tf.table != "reports" or len(tf.raw) > 1 for tf in files):
            checking.set()
        return real_check(files, known)
    checks.check_files = noted_check
    file_name, data = scenario_file(name)
    small = [("reports.csv", (",".join(REPORTS_HEADER) + "\nA4,2024-09,12,0,6,4,2,2,是\n").encode())]
    out = {"scenario": name, "file_bytes": len(data)}
    finished = threading.Event()

    def big():
        started = time.perf_counter()
        result = write.import_files(con, [(file_name, data)], "测量", plan_region="990100")
        out["big_seconds"] = round(time.perf_counter() - started, 2)
        out["big_result"] = result.headline() if result.ok else str(result.problems[0])[:120]
        out["big_problems"] = len(result.problems)
        finished.set()

    def one_row():
        while not (checking.wait(0.05) or finished.is_set()):
            pass
        out["one_row_started_during"] = "the big one's checks" if not finished.is_set() else "after the big one"
        started = time.perf_counter()
        result = write.import_files(con, small, "测量", plan_region="990100")
        out["one_row_seconds"] = round(time.perf_counter() - started, 2)
        out["one_row_ok"] = result.ok

    threads = [threading.Thread(target=big), threading.Thread(target=one_row)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["lock_held_seconds"] = [round(s, 2) for s in lock.held]
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    con.close()
    return out


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(argv[1], argv[2]), ensure_ascii=False))
        return
    from tuoyu.loading.build import build_database

    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "fixture.duckdb"
        build_database(fixture, [ROOT / "tests" / "fixture"])
        for name in argv or ["rows100k", "bomb", "institutions50k"]:
            copy = Path(tmp) / f"{name}.duckdb"
            shutil.copyfile(fixture, copy)
            done = subprocess.run([sys.executable, __file__, "--one", name, str(copy)], capture_output=True, text=True,
                                  env={"TUOYU_TODAY": "2026-11-23", "PATH": "/usr/bin:/bin"})
            print(done.stdout.strip() or done.stderr[-2000:], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
