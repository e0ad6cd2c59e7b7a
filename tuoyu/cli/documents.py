"""python -m tuoyu: the subcommands of briefing, notices."""

import argparse
import sys
from datetime import date
from pathlib import Path

from ..loading import database
from .. import db, indicators, periods
from ..briefing import SUFFIXES, Files, generate
from ..briefing.notices import build
from ..errors import BriefingError


def _latest_quarter(con) -> str:
    quarters = db.run(con, "report_quarters")["quarter"].tolist()
    return quarters[0] if quarters else periods.latest_complete_quarter()


def _write(files: Files, outputs: list[Path]) -> list[str]:
    missing = []
    for path in outputs:
        data = {".docx": files.docx, ".pdf": files.pdf, ".xlsx": files.xlsx,
                ".html": files.html.encode("utf-8") if files.html else None}[path.suffix.lower()]
        if data is None:
            missing.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"已写入 {path}（{len(data) / 1024:.0f} KB）")
    return missing


def cmd_briefing(args) -> int:
    outputs = [Path(o) for o in args.output]
    wrong = [str(p) for p in outputs if p.suffix.lower() not in SUFFIXES]
    if wrong:
        print(f"错误：不支持的输出格式 {'、'.join(wrong)}（可用 {' / '.join(SUFFIXES)}）", file=sys.stderr)
        return 2
    con = database.open_database(args.db)
    try:
        period = args.period or _latest_quarter(con)
        files = generate(con, args.plan, args.region, period, args.counting,
                         formats={p.suffix.lower() for p in outputs},
                         progress=lambda f, text: print(f"  {text}", file=sys.stderr),
                         issued=getattr(args, "issued", None))
    except BriefingError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    print(files.headline)
    missing = _write(files, outputs)
    for error in files.errors:
        print(f"注意：{error}", file=sys.stderr)
    return 3 if missing else 0


def cmd_export_excel(args) -> int:
    args.output = [args.output if args.output.lower().endswith(".xlsx") else args.output + ".xlsx"]
    return cmd_briefing(args)


def add_briefing_commands(subparsers) -> None:
    def common(p):
        p.add_argument("--db", default=argparse.SUPPRESS)
        p.add_argument("--plan", required=True, help="方案代码，如 ZHONGWEI")
        p.add_argument("--region", required=True, help="区划代码，如 640500")
        p.add_argument("--period", help="报告期，如 2024Q3（默认：有数据的最新季度）")
        p.add_argument("--counting", choices=sorted(indicators.COUNTING_RULES), default=indicators.DEFAULT_COUNTING)

    p = subparsers.add_parser("briefing", help="生成联席会议简报（Word / PDF，另可导出 Excel、HTML）")
    common(p)
    p.add_argument("--issued", type=date.fromisoformat, help="印发日期，如 2025-01-10（默认：数据截至日）")
    p.add_argument("-o", "--output", action="append", required=True,
                   help="输出文件，按扩展名决定格式：.docx、.pdf、.xlsx、.html；可重复给出")
    p.set_defaults(func=cmd_briefing)

    p = subparsers.add_parser("export-excel", help="把各页面的表格导出为一个 Excel 工作簿（每表一个工作表）")
    common(p)
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
    p.set_defaults(func=cmd_export_excel)


def cmd_notices(args) -> int:
    con = database.open_database(args.db)
    try:
        found = build(con, args.plan, args.period, args.counting, region=args.region)
    except (BriefingError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    if not found:
        print("所辖各地区本期均无需督办（没有未达标、有风险的目标，也没有未报送的）。")
    for n in found:
        (folder / n.file_name).write_bytes(n.docx)
        print(f"已写入 {folder / n.file_name}：{'；'.join(n.reasons)}")
    return 0


def add_notices_commands(subparsers) -> None:
    p = subparsers.add_parser("notices", help="为有未达标、有风险目标或未报送的县区各生成一份督办通知（Word）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--plan", required=True, help="方案代码，如 ZHONGWEI")
    p.add_argument("--period", required=True, help="报告期，如 2024Q4")
    p.add_argument("--region", help="上级地区的区划代码（默认：方案所在地区）")
    p.add_argument("--counting", choices=sorted(indicators.COUNTING_RULES), default=indicators.DEFAULT_COUNTING)
    p.add_argument("-o", "--output", required=True, help="输出目录")
    p.set_defaults(func=cmd_notices)
