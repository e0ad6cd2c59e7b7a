"""任务台账 (DESIGN §6): the plan's tasks with their owners, deadlines and status history.

A task's status as shown is derived at read time: a task past its due date that is not
已完成 is 滞后 from the day after the deadline, whoever last touched it and whatever is
stored. Stored rows change only through update_task (or the sample's recorded updates),
and every change is kept in task_history with who, when and old → new."""

import argparse
import csv
import getpass
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from . import auth, db, excel, fmt, indicators, periods, tables, targets, verdicts
from .markup import literal

STATUSES = tables.ALLOWED[("tasks", "status")]
NOT_STARTED, IN_PROGRESS, DONE, LATE = STATUSES
ALL = "全部"
MAX_NOTE_CHARS = 1000
# Recorded progress that ships with the sample (示例数据). A subfolder, because every CSV
# directly in a data folder must be one of the interchange tables.
SAMPLE_UPDATES = Path("ledger") / "task_updates.csv"
# Late first, then work under way, not started, done.
STATUS_ORDER = {LATE: 0, IN_PROGRESS: 1, NOT_STARTED: 2, DONE: 3}
STATUS_MARK = {LATE: "⚠ 滞后", IN_PROGRESS: "进行中", NOT_STARTED: "未开始", DONE: "✓ 已完成"}
NO_TARGET = "未设目标"

# Column headers of the ledger as the page and the Excel export show it.
HEADERS = {
    "task_id": "任务编号", "section": "条款", "title": "任务", "responsible_units": "责任单位",
    "lead_unit": "牵头单位", "due": "完成时限", "status": "状态", "late_text": "逾期情况",
    "progress_note": "最新进展", "updated_on": "进展日期", "indicator_text": "关联指标",
}
HISTORY_HEADERS = {"changed_at": "时间", "changed_by": "记录人", "status_change": "状态变化",
                   "new_note": "新进展", "old_note": "原进展"}


class LedgerError(ValueError):
    """A refused update, with the reason in Chinese."""


units_of = tables.split_list  # 责任单位 (lead first) and 关联指标: one split everywhere


def date_zh(value) -> str:
    """2023年10月1日 (empty for no date)."""
    if value is None or pd.isna(value):
        return ""
    value = pd.Timestamp(value)
    return f"{value.year}年{value.month}月{value.day}日"


# ---------------------------------------------------------------- reading

def load_phases(con, plan_code: str) -> pd.DataFrame:
    """The plan's stages in order, each with the start it is drawn from (plan_phases.sql)."""
    frame = db.run(con, "plan_phases", plan_code=plan_code)
    for col in ("starts_on", "ends_on", "drawn_starts_on"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


def phase_of(due, phases: pd.DataFrame) -> str | None:
    """The stage a task falls due in: the first stage ending on or after its deadline."""
    if due is None or pd.isna(due) or phases.empty:
        return None
    for phase, ends_on in zip(phases["phase"], phases["ends_on"]):
        if ends_on >= due:
            return phase
    return None


def derive(frame: pd.DataFrame, as_of: date, phases: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tasks as they stood at the end of `as_of` (plan_tasks) → the ledger as shown at that
    day: units split (lead first), status 滞后 once the due date has passed without 已完成
    (stored status kept as stored_status), the day it became late and the whole days since,
    the stage it falls due in; late first."""
    out = frame.copy()
    for col in ("progress_note", "indicators"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out["due"] = pd.to_datetime(out["due"]).dt.date
    out["updated_on"] = pd.to_datetime(out["updated_on"]).dt.date
    out["units"] = out["responsible_units"].map(units_of)
    out["lead_unit"] = out["units"].map(lambda u: u[0] if u else "")
    out["stored_status"] = out["status"]
    past_due = out["due"].map(lambda d: d is not None and not pd.isna(d) and d < as_of)
    out["is_late"] = (past_due & out["stored_status"].ne(DONE)) | out["stored_status"].eq(LATE)
    out["status"] = out["stored_status"].where(~out["is_late"], LATE)
    out["late_since"] = [d + timedelta(days=1) if late and d is not None and not pd.isna(d) and d < as_of else None
                         for d, late in zip(out["due"], out["is_late"])]
    days = [(as_of - s).days + 1 if s else None for s in out["late_since"]]  # the day after due is day 1
    out["days_late"] = pd.array(days, dtype="Int64")
    out["late_text"] = [f"逾期{n}天（自{date_zh(s)}起）" if s else ("已标记滞后" if late else "")
                        for s, n, late in zip(out["late_since"], days, out["is_late"])]
    out["phase"] = [phase_of(d, phases) for d in out["due"]] if phases is not None else None
    out["rank"] = out["status"].map(STATUS_ORDER)
    out = out.sort_values(["rank", "due", "task_id"], na_position="last").drop(columns="rank")
    return out.reset_index(drop=True)


def load_tasks(con, plan_code: str, as_of: date | None = None) -> pd.DataFrame:
    """The plan's tasks as they stood at the end of `as_of` (default periods.today()):
    statuses and notes recorded after that day are not seen (DESIGN §4.3)."""
    as_of = as_of or periods.today()
    return derive(db.run(con, "plan_tasks", plan_code=plan_code, as_of=as_of), as_of, load_phases(con, plan_code))


def departments(tasks: pd.DataFrame) -> list[str]:
    """Every unit named in the tasks' 责任单位, most tasks first, then as they first appear."""
    seen: dict[str, int] = {}
    for units in tasks.sort_values("task_id")["units"]:
        for unit in units:
            seen[unit] = seen.get(unit, 0) + 1
    order = list(seen)
    return sorted(order, key=lambda u: (-seen[u], order.index(u)))


def filter_tasks(tasks: pd.DataFrame, department: str | None = None, statuses=None,
                 phase: str | None = None) -> pd.DataFrame:
    """Tasks whose 责任单位 include the department (lead or not), in the statuses as shown,
    falling due in the stage; None / 全部 / empty means no filter."""
    keep = pd.Series(True, index=tasks.index)
    if department and department != ALL:
        keep &= tasks["units"].map(lambda units: department in units)
    if statuses:
        keep &= tasks["status"].isin(list(statuses))
    if phase and phase != ALL:
        keep &= tasks["phase"].eq(phase)
    return tasks[keep].reset_index(drop=True)


def department_counts(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per unit: tasks it shares, leads, has done and has late; most late first."""
    rows = []
    for unit in departments(tasks):
        mine = filter_tasks(tasks, unit)
        rows.append({"department": unit, "n_tasks": len(mine),
                     "n_lead": int(mine["lead_unit"].eq(unit).sum()),
                     "n_done": int(mine["status"].eq(DONE).sum()),
                     "n_late": int(mine["status"].eq(LATE).sum())})
    frame = pd.DataFrame(rows, columns=["department", "n_tasks", "n_lead", "n_done", "n_late"])
    return frame.sort_values(["n_late", "n_tasks"], ascending=False, kind="stable").reset_index(drop=True)


def summary(tasks: pd.DataFrame, department: str | None = None) -> str:
    """One sentence for the selection: how many tasks, done, under way, late and since when."""
    who = department if department and department != ALL else ""
    if tasks.empty:
        return f"{who}没有符合条件的任务。"
    counts = tasks["status"].value_counts()
    parts = [f"{s}{int(counts[s])}项" for s in (DONE, IN_PROGRESS, NOT_STARTED, LATE) if counts.get(s, 0)]
    text = f"{who}共{len(tasks)}项任务：" + "，".join(parts)
    since = [s for s in tasks["late_since"] if s]
    if since:
        text += f"；最早的自{date_zh(min(since))}起滞后"
    return text + "。"


def late_lines(tasks: pd.DataFrame) -> list[str]:
    """For each late task, what the meeting asks: since when, who leads, what was last
    reported; as Markdown, the stored text shown as typed (tuoyu.markup)."""
    lines = []
    for r in tasks[tasks["status"].eq(LATE)].to_dict("records"):
        last = (f"最近报告（{date_zh(r['updated_on'])}）：{literal(r['progress_note'])}" if r["progress_note"]
                else "尚无进展报告")
        lines.append(f"**{literal(r['task_id'])}** {literal(r['title'])} — {r['late_text'] or '已标记滞后'}，"
                     f"牵头单位{literal(r['lead_unit'])}。{last}")
    return lines


def history(con, plan_code: str, as_of: date | None = None) -> pd.DataFrame:
    """Every change to the plan's tasks recorded up to the end of `as_of` (default today),
    newest first, with 'old → new' worded."""
    frame = db.run(con, "task_history", plan_code=plan_code, as_of=as_of or periods.today())
    frame = frame.astype(object).where(frame.notna(), None)
    frame["status_change"] = [f"{o or '（无）'} → {n}" if o != n else f"{n}（未变）"
                              for o, n in zip(frame["old_status"], frame["new_status"])]
    return frame


def display_table(tasks: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns as text under their Chinese headers: dates as 2023-09-30, blanks empty."""
    out = tasks[columns].copy()
    for col in ("due", "updated_on"):
        if col in out:
            out[col] = out[col].map(lambda d: "" if d is None or pd.isna(d) else f"{d:%Y-%m-%d}")
    return out.astype(object).where(out.notna(), "").rename(columns=HEADERS)


def history_table(changes: pd.DataFrame, task_id: str) -> pd.DataFrame:
    """One task's changes, newest first, as the page shows them (Chinese headers)."""
    mine = changes[changes["task_id"] == task_id].copy()
    mine["changed_at"] = [f"{t:%Y-%m-%d %H:%M}" for t in mine["changed_at"]]
    for col in ("old_note", "new_note"):
        mine[col] = mine[col].map(lambda v: v or "")
    return mine[list(HISTORY_HEADERS)].rename(columns=HISTORY_HEADERS).reset_index(drop=True)


# ---------------------------------------------------------------- linked indicators

def linked_indicators(con, plan_code: str, region_code: str, quarter: str,
                      counting: str = indicators.DEFAULT_COUNTING) -> pd.DataFrame:
    """Each indicator the plan's tasks are linked to, with its value for the region at the
    quarter and its status against the plan's target for the quarter's year (targets.evaluate);
    未设目标 where the plan sets none for the region."""
    columns = ["indicator", "name", "value_text", "status", "detail"]
    stored = db.run(con, "plan_tasks", plan_code=plan_code, as_of=periods.today())  # only their indicators
    codes = sorted({c for text in stored["indicators"] for c in units_of(text)} & set(indicators.catalogue()))
    if not codes:
        return pd.DataFrame(columns=columns)
    evaluated = targets.evaluate(con, plan_code, region_code, quarter, counting)
    vals = indicators.values(con, [region_code], [quarter], counting)
    row = indicators.row_dict(vals, region_code, quarter) or {}
    records = []
    for code in codes:
        value = row.get(code)
        rows = evaluated[evaluated["indicator"] == code] if not evaluated.empty else evaluated
        if rows.empty:
            status, detail = NO_TARGET, ""
        else:
            year = targets.pick_row(rows, code, int(quarter[:4]))["year"]  # the year's, else the next
            chosen = rows[rows["year"] == year].to_dict("records")
            status = verdicts.combine(r["status"] for r in chosen)
            detail = "；".join(f"{targets.requirement(r)} {r['status']}" for r in chosen)
            if value is None:
                value = chosen[0]["value"]
        records.append({"indicator": code, "name": fmt.short(code), "value_text": fmt.value(code, value),
                        "status": status, "detail": detail})
    return pd.DataFrame(records, columns=columns)


def indicator_text(tasks: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """Per task, its linked indicators in words, never colour alone:
    '每千人口托位数 1.34 个/千人 ✗ 未达标；普惠托位占比 71.0%（未设目标）'."""
    by_code = {r["indicator"]: r for r in links.to_dict("records")}

    def words(text) -> str:
        out = []
        for code in units_of(text):
            link = by_code.get(code)
            if link is None:
                continue
            if link["status"] == NO_TARGET:
                out.append(f"{link['name']} {link['value_text']}（{NO_TARGET}）")
            else:
                out.append(f"{link['name']} {link['value_text']} {verdicts.style(link['status'])['mark']} {link['status']}")
        return "；".join(out)

    return tasks["indicators"].map(words)


# ---------------------------------------------------------------- writing

@dataclass(frozen=True)
class Change:
    task_id: str
    title: str
    changed_at: datetime
    changed_by: str
    old_status: str
    new_status: str
    old_note: str | None
    new_note: str | None

    def describe(self) -> str:
        """已记录 ZHONGWEI-02 的更新（记录人：张三，2025-03-01 09:30）：状态 进行中 → 已完成；进展说明改为“……”"""
        parts = [f"状态 {self.old_status} → {self.new_status}" if self.old_status != self.new_status
                 else f"状态仍为 {self.new_status}"]
        if self.old_note != self.new_note:
            parts.append(f"进展说明改为“{self.new_note}”")
        return f"已记录 {self.task_id} 的更新（记录人：{self.changed_by}，{self.changed_at:%Y-%m-%d %H:%M}）：" \
               + "；".join(parts)


def _now() -> datetime:
    """Now, on the day periods.today() gives (pinned in tests), to the second."""
    return datetime.combine(periods.today(), datetime.now().time().replace(microsecond=0))


def _record(cur, task_id: str, status: str | None, note: str | None, by: str,
            at: datetime) -> Change:
    """Check one change against the stored row and write it (history first, then the task)
    on the caller's cursor and transaction. Blank status or note keeps the stored one."""
    task_id = (task_id or "").strip()
    rows = cur.execute(db.query_text("task_row"), {"task_id": task_id}).fetchall()
    if not rows:
        raise LedgerError(f"未找到任务“{task_id}”，请检查任务编号。")
    _, _, title, old_status, old_note, _, _ = rows[0]
    status = (status or "").strip() or old_status
    if status not in STATUSES:
        raise LedgerError(f"状态“{status}”无效，应为：{' / '.join(STATUSES)}。")
    by = (by or "").strip()
    if not by:
        raise LedgerError("请填写记录人姓名。")
    note = (note or "").strip() or old_note
    if note and len(note) > MAX_NOTE_CHARS:
        raise LedgerError(f"进展说明不能超过{MAX_NOTE_CHARS}字。")
    if status == old_status and note == old_note:
        raise LedgerError("状态和进展说明都没有变化，未作记录。")
    params = dict(task_id=task_id, changed_at=at, changed_by=by, old_status=old_status,
                  new_status=status, old_note=old_note, new_note=note)
    cur.execute(db.query_text("task_history_insert"), params)
    cur.execute(db.query_text("task_update"), dict(task_id=task_id, status=status, progress_note=note,
                                                    updated_on=at.date()))
    return Change(task_id, title, at, by, old_status, status, old_note, note)


def update_task(con, task_id: str, status: str | None = None, note: str | None = None,
                by: str = "", at: datetime | None = None, user: auth.User | None = None) -> Change:
    """Set a task's status and/or progress note, keeping the change in its history, in one
    transaction on its own cursor. Raises LedgerError (Chinese) for an unknown task, an
    unknown status, a missing name or no change; nothing is written then. With a signed-in
    `user`, the account is read again first (auth.SessionEnded if it was disabled or its
    password changed), then only a task whose 责任单位 names their department (or any, for
    an administrator) may be changed; the change is recorded under their name and in the
    audit log."""
    if user is not None:
        user = auth.current(con, user, "task_update")
        task = db.run(con, "task_row", task_id=(task_id or "").strip())
        if not task.empty and not auth.may_update_task(user, task["responsible_units"].iloc[0]):
            auth.audit(con, user, "task_update", f"{task_id}：不在本单位责任范围", ok=False)
            raise LedgerError(f"任务 {task_id} 的责任单位不含{user.department or '您的单位'}，无权更新。")
        by = user.display_name
        change = _update(con, task_id, status, note, by, at)
        auth.audit(con, user, "task_update", f"{task_id}：{change.old_status} → {change.new_status}")
        return change
    return _update(con, task_id, status, note, by, at)


def _update(con, task_id, status, note, by, at) -> Change:
    cur = con.cursor()
    try:
        cur.execute("begin")
        try:
            change = _record(cur, task_id, status, note, by, at or _now())
            cur.execute("commit")
        except duckdb.TransactionException as exc:
            cur.execute("rollback")
            raise LedgerError("该任务刚被他人更新，请刷新后重试。") from exc
        except Exception:
            cur.execute("rollback")
            raise
        return change
    finally:
        cur.close()


def apply_sample_updates(con, folders) -> int:
    """Replay each folder's recorded task updates (ledger/task_updates.csv: task_id,
    changed_at, changed_by, new_status, new_note) in time order into task_history and
    tasks, inside the caller's transaction (tuoyu.ingest.build_database). A folder without
    the file adds nothing; a bad row refuses the build with file, row and reason."""
    from .ingest import ImportRefused, Problem  # late: ingest is the caller

    if isinstance(folders, (str, Path)):
        folders = [folders]
    applied = 0
    for folder in folders:
        path = Path(folder) / SAMPLE_UPDATES
        if not path.is_file():
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = [(n, r) for n, r in enumerate(csv.DictReader(f), start=2)]
        for n, r in sorted(rows, key=lambda nr: (nr[1].get("changed_at") or "", nr[0])):
            try:
                at = datetime.fromisoformat((r.get("changed_at") or "").strip())
                _record(con, r.get("task_id"), r.get("new_status"), r.get("new_note"), r.get("changed_by"), at)
            except (LedgerError, ValueError) as exc:
                raise ImportRefused([Problem(str(path), n, None, str(exc))]) from exc
            applied += 1
    return applied


# ---------------------------------------------------------------- export

def to_excel(tasks: pd.DataFrame, department_list: list[str] | None = None, title: str = "任务台账",
             subtitle: str = "") -> bytes:
    """The ledger as one .xlsx sheet for the meeting: under each department's heading row
    (with its counts), the tasks it shares, lead first marked; Chinese headers. A task with
    several 责任单位 appears under each of them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = ["task_id", "section", "title", "responsible_units", "role", "due", "status",
               "late_text", "progress_note", "updated_on", "indicator_text"]
    headers = {**HEADERS, "role": "本单位"}
    widths = [13, 10, 40, 30, 7, 12, 9, 22, 50, 12, 30]
    wb = Workbook()
    ws = wb.active
    ws.title = "任务台账"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle])
    ws.append([headers[c] for c in columns])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    ws.freeze_panes = "A4"
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    heading_fill, late_font = PatternFill("solid", fgColor="F1F3F5"), Font(color="C0392B", bold=True)
    for unit in department_list or departments(tasks):
        mine = filter_tasks(tasks, unit)
        if mine.empty:
            continue
        n_late, n_done = int(mine["status"].eq(LATE).sum()), int(mine["status"].eq(DONE).sum())
        ws.append([f"{unit}（{len(mine)}项：已完成{n_done}项，滞后{n_late}项）"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(columns))
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.cell(ws.max_row, 1).fill = heading_fill
        for r in mine.to_dict("records"):
            r = {**r, "role": "牵头" if r["lead_unit"] == unit else "配合",
                 "indicator_text": r.get("indicator_text") or ""}
            ws.append([_cell(r.get(c)) for c in columns])
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r["status"] == LATE:
                ws.cell(ws.max_row, columns.index("status") + 1).font = late_font
    return excel.save(wb)


def _cell(value):
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return None
    return value


# ---------------------------------------------------------------- command line

def cmd_task(args) -> int:
    con = db.connect(args.db)
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
    con = db.connect(args.db)
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


def add_commands(subparsers) -> None:
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
