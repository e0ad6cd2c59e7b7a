"""python -m tuoyu: the subcommands of ledger."""

import argparse
import getpass
import sys

from ..loading import database
from .. import db, periods
from ..errors import LedgerError
from ..ledger import summary
from ..tasks import STATUSES, date_zh, filter_tasks, history, load_tasks, update_task


def cmd_task(args) -> int:
    con = database.open_database(args.db)
    try:
        if args.status is None and args.note is None:
            return _show_task(con, args.task_id)
        try:
            change = update_task(con, args.task_id, args.status, args.note, args.by)
        except LedgerError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        print(change.describe())
        return 0
    finally:
        con.close()


def cmd_tasks(args) -> int:
    if args.status and args.status not in STATUSES:
        print(f"错误：状态“{args.status}”无效，应为：{' / '.join(STATUSES)}。", file=sys.stderr)
        return 2
    try:
        as_of = periods.as_of(periods.quarter_of(periods.parse_period(args.period))) if args.period else None
    except ValueError:
        print(f"错误：无法识别的报告期 {args.period}（应为 2024Q3 或 2024年第3季度）", file=sys.stderr)
        return 2
    con = database.open_database(args.db)
    try:
        tasks = filter_tasks(load_tasks(con, args.plan, as_of), args.unit, [args.status] if args.status else None)
    finally:
        con.close()
    print(f"截至{date_zh(as_of or periods.today())}：" + summary(tasks, args.unit))
    for r in tasks.to_dict("records"):
        late = f"  {r['late_text']}" if r["late_text"] else ""
        print(f"{r['task_id']:<12} {r['status']:<4} 时限 {r['due'] or '—'}{late}")
        print(f"    {r['title']}")
        print(f"    责任单位：{r['responsible_units']}")
        if r["progress_note"]:
            print(f"    最新进展（{r['updated_on']}）：{r['progress_note']}")
    return 0


def _show_task(con, task_id: str) -> int:
    rows = db.run(con, "task_row", task_id=task_id)
    if rows.empty:
        print(f"错误：未找到任务“{task_id}”，请检查任务编号。", file=sys.stderr)
        return 2
    plan = rows["plan_code"].iloc[0]
    task = load_tasks(con, plan).set_index("task_id").loc[task_id]
    print(f"{task_id} {task['title']}")
    print(f"  责任单位：{task['responsible_units']}  完成时限：{task['due']}  状态：{task['status']} {task['late_text']}")
    changes = history(con, plan)
    changes = changes[changes["task_id"] == task_id]
    if changes.empty:
        print("  （尚无进展记录）")
    for c in changes.to_dict("records"):
        print(f"  {c['changed_at']:%Y-%m-%d %H:%M}  {c['changed_by']}  {c['status_change']}  {c['new_note'] or ''}")
    return 0


def _default_by() -> str:
    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return ""


def add_ledger_commands(subparsers) -> None:
    p = subparsers.add_parser("task", help="更新任务状态和进展（不带 --status/--note 时显示任务及其更新记录）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("task_id", help="任务编号，如 ZHONGWEI-02")
    p.add_argument("--status", help=f"新状态：{' / '.join(STATUSES)}")
    p.add_argument("--note", help="最新进展说明")
    p.add_argument("--by", default=_default_by(), help="记录人姓名（默认：命令行（系统用户名））")
    p.set_defaults(func=cmd_task)

    p = subparsers.add_parser("tasks", help="列出方案的任务台账（滞后在前）")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--plan", required=True, help="方案代码，如 ZHONGWEI")
    p.add_argument("--unit", help="责任单位，如 市教育局")
    p.add_argument("--status", help=f"只列出该状态（{' / '.join(STATUSES)}；滞后按截至日判断）")
    p.add_argument("--period", help="报告期，如 2024Q4：台账截至该期末（默认今天）")
    p.set_defaults(func=cmd_tasks)
