"""How fast the dashboard answers a shared link, one user and many at once, measured beside
the floor of a minimal Streamlit app in the same run (absolute times move between machines).

    .venv/bin/python scripts/load_bench.py [--sessions 1 10 20 50] [--seconds 30] [--browser]

Builds the shipped sample in a temporary folder and starts `streamlit run dashboard.py` on it
(and a one-line app for the floor). Then:

- **load**: N concurrent sessions speak Streamlit's own websocket protocol (no browser cost):
  each connects, asks for a page with a selection in its query string (BackMsg.rerun_script,
  as a browser's first load does), and waits for script_finished; the mix runs over every page
  and over cached and uncached selections, for a bounded time. Reported: median and p95 per
  page, runs per second, and the server's CPU per run (from /proc over the whole phase).
- **browser** (--browser): headless Chromium (Debian's), a fresh context per load, the first
  heading drawn and the page fully drawn, for every page and for the floor (alone, and with one
  tiny Vega-Lite chart: what the first chart costs); each page on a cached selection (median of
  five) and on three selections never opened before (median of three). In rounds that load
  every one of them once, so that the floor is measured beside the pages, not minutes before.

Prints a Markdown table for docs/benchmarks.md; --json writes every figure."""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import harness  # noqa: E402
from tuoyu import paths  # noqa: E402
from tuoyu.loading.build import build_database  # noqa: E402

# page (its URL path; "" is 总览) → selections: the sample's city, a county, a province
PAGES = {"": "总览", "counties": "县区对比", "review": "评审指标", "institutions": "机构明细", "tasks": "任务台账"}
SELECTIONS = [
    {"plan": "ZHONGWEI", "region": "640500", "period": "2024Q4"},
    {"plan": "ZHONGWEI", "region": "640522", "period": "2024Q4"},
    {"plan": "ZHONGWEI", "region": "640500", "period": "2024Q2"},
    {"plan": "FUJIAN", "region": "350000", "period": "2026Q3"},
]
# never opened before the browser measures them, three for each page (pages share a
# selection's cached views): each load is an uncached selection
UNCACHED_PERIODS = ("2023Q4", "2023Q3", "2023Q2", "2023Q1", "2022Q4", "2022Q3", "2022Q2", "2022Q1", "2021Q4",
                    "2021Q3", "2021Q2", "2021Q1", "2025Q1", "2025Q2", "2025Q3")


def uncached(page: int) -> list[dict]:
    return [{"plan": "ZHONGWEI", "region": "640500", "period": q} for q in UNCACHED_PERIODS[3 * page:3 * page + 3]]


MINIMAL_APP = 'import streamlit as st\nst.title("最小应用")\nst.write("一行文字")\n'
# the floor with one tiny chart: what the first chart costs a fresh browser (Streamlit loads
# the chart library's bundle only when a page first draws one of its charts)
CHART_APP = MINIMAL_APP + 'st.line_chart({"a": [1, 3, 2]})\n'
RUN_TIMEOUT_S = 120


class AppServer(harness.Server):
    """harness.Server for another script than dashboard.py (the floor's one-line app)."""

    def __init__(self, db_path: Path, log_path: Path, script: Path | None = None):
        super().__init__(db_path, log_path)
        self.script = script

    def _spawn(self) -> None:
        if self.script is None:
            return super()._spawn()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.address=127.0.0.1",
               f"--server.port={self.port}", "--server.headless=true", "--server.fileWatcherType=none",
               "--browser.gatherUsageStats=false"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)


# ------------------------------------------------------------------ the websocket client

async def run_page(port: int, path: str, params: dict) -> float:
    """One session's first load of a page: connect, ask for the run, wait for it to finish.
    Seconds from the request to script_finished."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect  # installed with Streamlit's server

    async with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                       origin=f"http://127.0.0.1:{port}", max_size=None) as conn:
        msg = BackMsg()
        msg.rerun_script.query_string = urlencode(params)
        msg.rerun_script.page_name = path
        started = time.perf_counter()
        await conn.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg.FromString(await asyncio.wait_for(conn.recv(), RUN_TIMEOUT_S))
            if fm.WhichOneof("type") == "script_finished":
                return time.perf_counter() - started


def server_rss_mb(pid: int) -> int:
    """The server's resident memory now (MB), from /proc: watched because the server keeps
    views and figures in memory and runs without Streamlit's forced collection after each run."""
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) // 1024


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the server and its children so far, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / ticks


async def load(port: int, pid: int, sessions: int, seconds: float, seed: int, pages: dict = PAGES,
               selections: list = SELECTIONS) -> dict:
    """`sessions` clients, each loading pages one after another for `seconds`."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {title: [] for title in pages.values()}
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    cpu0, wall0 = server_cpu(pid), time.perf_counter()

    async def client(k: int):
        while time.monotonic() < deadline:
            path = rng.choice(list(pages))
            try:
                times[pages[path]].append(await run_page(port, path, rng.choice(selections)))
            except Exception as exc:  # a refused or timed-out run is counted, not fatal
                errors.append(f"{type(exc).__name__}: {exc}")

    await asyncio.gather(*(client(k) for k in range(sessions)))
    runs = sum(len(v) for v in times.values())
    cpu, wall = server_cpu(pid) - cpu0, time.perf_counter() - wall0
    return {"sessions": sessions, "seconds": round(wall, 1), "runs": runs, "errors": len(errors),
            "runs_per_s": round(runs / wall, 2), "cpu_per_run_ms": round(1000 * cpu / runs, 1) if runs else None,
            "rss_mb": server_rss_mb(pid),
            "pages": {title: summary(v) for title, v in times.items()}}


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {"n": len(values), "median_s": round(statistics.median(ordered), 3),
            "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3)}


# ------------------------------------------------------------------ the browser

def browser_times(servers: dict) -> dict:
    """Median seconds to the first heading and to fully drawn, a fresh context per load.
    servers: label → (server, path, selections), one load per selection (the same one three
    times for a cached page; three never opened before for an uncached one). Taken in rounds,
    each round loading every label once: this machine's speed drifts by tens of percent within
    minutes, and the floor measured in the same rounds drifts with the pages."""
    from playwright.sync_api import sync_playwright

    times = {label: ([], []) for label in servers}
    with sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        try:
            for round_ in range(max(len(selections) for _, _, selections in servers.values())):
                for label, (server, path, selections) in servers.items():
                    if round_ >= len(selections):
                        continue
                    context = browser.new_context(viewport=harness.DESKTOP, locale="zh-CN")
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(server.url("/" + path, **selections[round_]))
                    page.locator("h1").first.wait_for(timeout=RUN_TIMEOUT_S * 1000)
                    times[label][0].append(time.perf_counter() - started)
                    harness.wait_drawn(page)
                    if page.locator(harness.CHART).count():
                        harness.wait_for_chart(page, every=True)
                    times[label][1].append(time.perf_counter() - started)
                    context.close()
        finally:
            browser.close()
    return {label: {"first_heading_s": round(statistics.median(first), 2), "drawn_s": round(statistics.median(drawn), 2)}
            for label, (first, drawn) in times.items()}


# ------------------------------------------------------------------ the run

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} 核 {cpu}；负载 {', '.join(f'{x:.2f}' for x in os.getloadavg())}；Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 20, 50])
    parser.add_argument("--seconds", type=float, default=30, help="每档并发持续的秒数")
    parser.add_argument("--browser", action="store_true", help="另测浏览器中首个标题和全部绘出的时间")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="把全部数字写入此 JSON 文件")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES.values()), help="只测这些页面（默认：全部混合）")
    parser.add_argument("--cached", action="store_true", help="只用第一个选择（中卫市 2024Q4，预热后全部命中缓存）")
    args = parser.parse_args()
    pages = {path: title for path, title in PAGES.items() if not args.pages or title in args.pages}
    selections = SELECTIONS[:1] if args.cached else SELECTIONS
    os.environ.setdefault("TUOYU_REQUIRE_SIGNIN", "0")
    result = {"machine": machine(), "load": [], "browser": {}, "pages": list(pages.values()),
              "selections": selections}
    with tempfile.TemporaryDirectory(prefix="tuoyu-load-") as tmp:
        tmp = Path(tmp)
        database = tmp / "sample.duckdb"
        build_database(database, [paths.BASE_DATA, paths.SAMPLE_DATA])
        minimal = tmp / "minimal_app.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        app = AppServer(database, tmp / "app.log").start()
        floor = AppServer(database, tmp / "floor.log", minimal).start()
        charted = None   # the floor with one chart (--browser)
        try:
            # warm: every page and selection once, so that cached and uncached runs both occur
            for path in PAGES:
                for params in SELECTIONS[:2]:
                    asyncio.run(run_page(app.port, path, params))
            floor_ws = [asyncio.run(run_page(floor.port, "", {})) for _ in range(5)]
            result["floor_ws_s"] = round(statistics.median(floor_ws), 3)
            for n in args.sessions:
                result["load"].append(asyncio.run(load(app.port, app.proc.pid, n, args.seconds, args.seed,
                                                       pages, selections)))
                print(json.dumps(result["load"][-1], ensure_ascii=False), file=sys.stderr)
            if args.browser:
                params, reps = SELECTIONS[0], 5
                script = tmp / "chart_app.py"
                script.write_text(CHART_APP, encoding="utf-8")
                charted = AppServer(database, tmp / "chart_app.log", script).start()
                asyncio.run(run_page(charted.port, "", {}))   # warm, as the others are
                servers = {"最小应用（下限）": (floor, "", [{}] * reps),
                           "最小应用 + 一个 Vega-Lite 图": (charted, "", [{}] * reps)}
                servers |= {f"{title} {params['region']}": (app, path, [params] * reps)
                            for path, title in PAGES.items()}
                servers |= {f"{title} {params['region']} 未缓存": (app, path, uncached(i))
                            for i, (path, title) in enumerate(PAGES.items())}
                result["browser"] = browser_times(servers)
        finally:
            for server in [app, floor] + ([charted] if charted else []):
                server.stop()
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def report(result: dict) -> str:
    lines = [f"机器：{result['machine']}", "",
             f"最小应用一次运行（websocket）：{result['floor_ws_s']:.3f} s", "",
             "| 并发会话 | 运行次数 | 每秒 | 每次运行的服务器 CPU | 服务器内存 | " + " | ".join(
                 f"{t} 中位数 / p95" for t in result["pages"]) + " | 出错 |",
             "|---:|---:|---:|---:|---:|" + "---:|" * len(result["pages"]) + "---:|"]
    for row in result["load"]:
        cells = [f"{p['median_s']:.2f} / {p['p95_s']:.2f} s" if p.get("n") else "—" for p in row["pages"].values()]
        lines.append(f"| {row['sessions']} | {row['runs']} | {row['runs_per_s']} | {row['cpu_per_run_ms']} ms | "
                     f"{row['rss_mb']} MB | "
                     + " | ".join(cells) + f" | {row['errors']} |")
    if result["browser"]:
        lines += ["", "| 页面（浏览器，新上下文，各页轮流；缓存的 5 次、未缓存的 3 次取中位数） | 首个标题 | 全部绘出 |", "|---|---:|---:|"]
        lines += [f"| {label} | {v['first_heading_s']:.2f} s | {v['drawn_s']:.2f} s |"
                  for label, v in result["browser"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
