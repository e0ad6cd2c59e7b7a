"""任务台账's domain (DESIGN §6): the plan's tasks as they stood on a day, with their owners,
deadlines and status history, and every change to them.

A task's status as shown is derived at read time: a task past its due date that is not
已完成 is 滞后 from the day after the deadline, whoever last touched it and whatever is
stored. Stored rows change only through update_task (or the sample's recorded updates),
and every change is kept in task_history with who, when and old → new. What the page
and the Excel show of them is tuoyu/ledger.py."""

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from . import auth, db, periods, tables
from .errors import ImportRefused, LedgerError, Problem
from .fmt import date_zh

STATUSES = tables.ALLOWED[("tasks", "status")]
NOT_STARTED, IN_PROGRESS, DONE, LATE = STATUSES
ALL = "全部"
MAX_NOTE_CHARS = 1000
# Recorded progress that ships with the sample (示例数据). A subfolder, because every CSV
# directly in a data folder must be one of the interchange tables.
SAMPLE_UPDATES = Path("ledger") / "task_updates.csv"
# How each status is shown beside its word (never colour alone): `colour` and `symbol` for
# the timeline's markers (and the colour for the departments' bars), `background` for the
# ledger's table cells. In the order tasks are listed and the timeline's legend reads: late
# first, then work under way, not started, done.
STATUS_STYLE = {
    LATE: {"colour": "#c0392b", "background": "#f8d7da", "symbol": "x"},
    IN_PROGRESS: {"colour": "#1f5fa8", "background": "#dbe7f6", "symbol": "circle"},
    NOT_STARTED: {"colour": "#8a8f98", "background": "#e9ecef", "symbol": "circle-open"},
    DONE: {"colour": "#2e8b57", "background": "#d8f0dd", "symbol": "diamond"},
}
STATUS_ORDER = {status: rank for rank, status in enumerate(STATUS_STYLE)}


def styles(kind: str) -> dict[str, str]:
    """Status → its `colour`, `background` or `symbol` (STATUS_STYLE)."""
    return {status: style[kind] for status, style in STATUS_STYLE.items()}


units_of = tables.split_list  # 责任单位 (lead first) and 关联指标: one split everywhere


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


def history(con, plan_code: str, as_of: date | None = None) -> pd.DataFrame:
    """Every change to the plan's tasks recorded up to the end of `as_of` (default today),
    newest first, with 'old → new' worded."""
    frame = db.run(con, "task_history", plan_code=plan_code, as_of=as_of or periods.today())
    frame = frame.astype(object).where(frame.notna(), None)
    frame["status_change"] = [f"{o or '（无）'} → {n}" if o != n else f"{n}（未变）"
                              for o, n in zip(frame["old_status"], frame["new_status"])]
    return frame


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
    rows = db.execute(cur, "task_row", task_id=task_id).fetchall()
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
    db.execute(cur, "task_history_insert", **params)
    db.execute(cur, "task_update", task_id=task_id, status=status, progress_note=note, updated_on=at.date())
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
    tasks, inside the caller's transaction (tuoyu.loading.build). A folder without
    the file adds nothing; a bad row refuses the build with file, row and reason."""
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
