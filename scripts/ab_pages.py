"""Two versions of the code timed against each other, run by run, on the same database.

    .venv/bin/python scripts/ab_pages.py OLD_TREE NEW_TREE --db /tmp/national.duckdb [--runs 100]

OLD_TREE and NEW_TREE are working trees of this repository (e.g. `git worktree add /tmp/old
<commit>`). Each gets a worker process that imports its own `tuoyu` and opens the database
read-only; then every page measured by `python -m tuoyu bench` (tuoyu.tools.bench.page_calls:
总览 福建 and 全国, 县区对比 福建 and 全国, 评审指标, 机构明细) runs in the two workers in turn,
one run each, `--runs` times, the order alternating. Printed: per page and version, the
median wall and CPU milliseconds.

Why: this 2-core machine's speed drifts by 20–70 % within minutes, so two versions measured
one after the other can differ by more than the change does (docs/benchmarks.md, 第十步).
Runs taken in turn see the same drift."""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def worker(root: str, db: str) -> None:
    """Answers 'label' lines with 'wall_ms cpu_ms' for one run of that page."""
    sys.path.insert(0, root)
    import duckdb

    from tuoyu.tools import bench

    con = duckdb.connect(db, read_only=True)
    calls = {label: fn for label, (_, fn) in bench.page_calls(bench.selections(con)).items()}
    for fn in calls.values():   # warm: what a page finds after its first run
        fn(con)
    print("\t".join(calls), flush=True)
    for line in sys.stdin:
        fn = calls[line.rstrip("\n")]
        wall, cpu = time.perf_counter(), time.process_time()
        fn(con)
        print(f"{(time.perf_counter() - wall) * 1000:.2f} {(time.process_time() - cpu) * 1000:.2f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:   # ab_pages.py ROOT ROOT --db DB --worker
        worker(args.old, args.db)
        return 0
    trees = {"旧": Path(args.old).resolve(), "新": Path(args.new).resolve()}
    procs = {name: subprocess.Popen([sys.executable, __file__, str(root), str(root), "--db", args.db, "--worker"],
                                    cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for name, root in trees.items()}
    labels = [procs[name].stdout.readline().rstrip("\n").split("\t") for name in trees][-1]
    times: dict = {}
    try:
        for label in labels:
            for i in range(args.runs):
                for name in (list(trees) if i % 2 == 0 else list(trees)[::-1]):
                    procs[name].stdin.write(label + "\n")
                    procs[name].stdin.flush()
                    wall, cpu = map(float, procs[name].stdout.readline().split())
                    times.setdefault((label, name), []).append((wall, cpu))
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    print(f"| 页面（各 {args.runs} 次，两个版本轮流） | 旧 墙钟 / CPU ms | 新 墙钟 / CPU ms |")
    print("|---|---:|---:|")
    for label in labels:
        cells = []
        for name in trees:
            runs = times[(label, name)]
            cells.append(f"{statistics.median(w for w, _ in runs):.1f} / {statistics.median(c for _, c in runs):.1f}")
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
