"""python -m tuoyu — build the database and print indicators from the command line."""

import argparse
import json
import sys
from pathlib import Path

from .. import auth, db, indicators, paths, periods
from ..errors import ImportRefused, UnknownRegion
from ..loading import database, rebuild
from ..loading.build import build_database
from ..snapshot import snapshot
from . import accounts, data, documents, tasks, tools

# Each area's subcommands: a module of this package with add_<area>_commands(subparsers).
FEATURE_COMMANDS = ((accounts, "auth"), (data, "imports"), (tasks, "ledger"), (documents, "briefing"),
                    (documents, "notices"), (tools, "tools"))


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value))


def cmd_init(args) -> int:
    path = db.db_path(args.db)
    folders = [paths.BASE_DATA, Path(args.data) if args.data else paths.SAMPLE_DATA]
    try:
        backup = rebuild.prepare(path, args.force)
        if backup:
            print(f"已将原数据库备份为 {backup}")
        counts = build_database(path, folders, progress=lambda t: print(f"  写入 {t} …", file=sys.stderr))
    except rebuild.RebuildRefused as refused:
        print(refused, file=sys.stderr)
        return 5
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
        print(f"数据库未改动：{path}", file=sys.stderr)
        return 1
    con = database.open_database(path)
    try:
        auth.audit(con, auth.LOCAL_ADMIN, "init", "重建数据库（数据目录 " + "、".join(map(str, folders))
                   + (f"；原库备份为 {backup}" if backup else "") + "）")
    finally:
        con.close()
    print(f"已建立数据库 {path}")
    for table, n in counts.items():
        print(f"  {table:<18} {n:>9,} 行" + ("（原库保留）" if table in dict(rebuild.KEPT_TABLES) else ""))
    return 0


def _fmt(code: str, value) -> str:
    if value is None:
        return "无数据"
    info = indicators.catalogue().get(code, {})
    unit = info.get("unit", "")
    if info.get("kind") == "count":
        return f"{int(value):,} {unit}"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.2f} {unit}".strip()
    return f"{value:,} {unit}".strip()


def cmd_indicators(args) -> int:
    con = database.open_database(args.db)
    try:
        snap = snapshot(con, args.region, args.period, args.plan, args.counting)
    except (UnknownRegion, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if args.json:
        print(json.dumps(snap, ensure_ascii=False, indent=2, default=_json_default))
        return 0
    names = indicators.catalogue()
    label = f"（{snap['dataset']}）" if snap["dataset"] else ""
    print(f"{snap['region']['name']} {snap['period_label']}{label}")
    for code in indicators.CORE:
        shown = "未设目标" if code == "slots_needed" and snap["year_target"] is None else _fmt(code, snap[code])
        print(f"  {names[code]['short_zh']:<12} {shown}")
    for t in snap["targets"]:
        print(f"  目标 {t['year']}年 {names[t['indicator']]['short_zh']}：{t['status']}。{t['detail']}")
    for r in snap["references"]:
        print(f"  {names[r['indicator']]['short_zh']}：{r['detail']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tuoyu", description="托育示范城市创建监测")
    parser.add_argument("--db", help="数据库文件（默认 $TUOYU_DB 或 var/tuoyu.duckdb）")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="从数据目录（默认：示例数据）重建数据库；账号和审计日志保留")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--data", help="交换格式文件所在目录（默认 data/sample）")
    p.add_argument("--force", action="store_true",
                   help="库中有导入批次或任务进展记录时也重建（先把原文件复制为带日期的备份）")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("indicators", help="某地区某报告期的全部指标")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--region", required=True, help="区划代码，如 640500")
    p.add_argument("--period", default=periods.latest_complete_quarter(), help="报告期，如 2024Q3")
    p.add_argument("--plan", help="方案代码，如 ZHONGWEI")
    p.add_argument("--counting", choices=sorted(indicators.COUNTING_RULES), default=indicators.DEFAULT_COUNTING)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_indicators)
    for module, area in FEATURE_COMMANDS:
        getattr(module, f"add_{area}_commands")(sub)
    return parser


def main(argv=None) -> int:
    import duckdb

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except duckdb.IOException as exc:
        # DuckDB lets one process write a file; a running dashboard holds it.
        print(f"无法打开数据库（{exc}）。\n如看板正在运行，请在页面上操作，或先停止看板。", file=sys.stderr)
        return 4
