"""python -m tuoyu: the subcommands of 数据上报 (tuoyu.uploads)."""

import argparse
import getpass
import sys
from pathlib import Path

from ..loading import database
from ..uploads.history import batches, history_table, undo
from ..uploads.read import IMPORTABLE
from ..uploads.templates import template_bytes, template_name
from ..uploads.write import import_files
from ..tables import TABLE_ZH, table_for_name


def _table_arg(text: str) -> str:
    table = table_for_name(text)
    if table not in IMPORTABLE:
        raise argparse.ArgumentTypeError(f"可选：{'、'.join(f'{t}（{TABLE_ZH[t]}）' for t in IMPORTABLE)}")
    return table


def _cmd_template(args) -> int:
    output = Path(args.output or template_name(args.table, "xlsx"))
    kind = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    con = database.open_database(args.db) if args.region else None
    if args.region and con is None:
        return 1
    try:
        output.write_bytes(template_bytes(args.table, kind, con, args.region))
    finally:
        if con is not None:
            con.close()
    print(f"已写出模板 {output}")
    return 0


def _cmd_import(args) -> int:
    files = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"文件不存在：{path}", file=sys.stderr)
            return 2
        files.append((path.name, path.read_bytes()))
    con = database.open_database(args.db)
    try:
        result = import_files(con, files, args.by, dry_run=args.dry_run, plan_region=args.region)
    finally:
        con.close()
    stream = sys.stdout if result.ok else sys.stderr
    print(result.headline(), file=stream)
    for p in result.problems[:500]:
        print(f"  {p}", file=stream)
    if len(result.problems) > 500:
        print(f"  ……另有{len(result.problems) - 500}处问题", file=stream)
    for f in result.files:
        print(f"  {f.sentence()}", file=stream)
    return 0 if result.ok else 1


def _cmd_batches(args) -> int:
    con = database.open_database(args.db)
    try:
        frame = batches(con)
    finally:
        con.close()
    if frame.empty:
        print("尚无导入批次")
        return 0
    for row in history_table(frame.head(args.limit)).to_dict("records"):
        print(f"第{row['批次']}批  {row['导入时间']}  {row['记录人/上报单位']}  {row['文件']}（{row['数据表']}）"
              f"  新增{row['新增']}  替换{row['替换']}  {row['状态']}")
    return 0


def _cmd_undo(args) -> int:
    con = database.open_database(args.db)
    try:
        result = undo(con, args.batch, args.by)
    finally:
        con.close()
    print(result.message(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def add_imports_commands(sub) -> None:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "命令行"
    p = sub.add_parser("template", help="写出数据上报模板（XLSX 或 CSV，按文件扩展名）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("table", type=_table_arg, help="表名，如 reports 或 机构报表")
    p.add_argument("-o", "--output", help="输出文件（.xlsx 或 .csv；默认 <表名>_模板.xlsx）")
    p.add_argument("--region", help="附上该区划内的机构名单和区划代码供选择（读取数据库）")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("import", help="检查并导入数据文件：全部通过才写入，每个文件一个批次")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("files", nargs="+", help="CSV（UTF-8 或 GBK）或 XLSX 文件")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument("--by", default=user, help=f"记录人/上报单位（默认 {user}）")
    p.add_argument("--region", help="方案区域的区划代码：区域外的数据视为错误")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("batches", help="导入批次记录（最新在前）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_cmd_batches)

    p = sub.add_parser("undo", help="撤销一个导入批次（恢复导入前的数据）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("batch", type=int, help="批次号")
    p.add_argument("--by", default=user, help=f"操作人（默认 {user}）")
    p.set_defaults(func=_cmd_undo)
