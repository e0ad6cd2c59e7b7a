"""One upload written as numbered batches (数据上报, issue #4, DESIGN §2 and §7.6).

The upload is read (read.py), checked whole (checks.py) and planned: for each file (each
table sheet of a workbook) the rows it adds, the stored rows it replaces and the rows it
leaves alone. Any problem refuses the whole upload and nothing is written. A clean upload
is written in one transaction, one numbered batch per file, recording every row it added
and the previous value of every row it replaced, so that undo (history.py) restores
exactly the state before the batch.

Concurrency: the dashboard shares one read-write connection between sessions; every
import and undo runs on its own cursor in one transaction. LOCK serialises the writes
only: an import is read, checked and planned without it, against the committed state, and
planned again if another write landed meanwhile; so two sessions importing at once both
land, a large file being checked keeps nobody waiting, and readers keep reading the last
committed state."""

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from .. import auth, db, totals
from ..errors import Problem
from ..loading.read import TableFile
from ..loading.write import prepare_rows
from ..tables import LOAD_ORDER, TABLE_ZH
from . import checks, rows
from .read import Uploaded, read_uploads

LOCK = threading.Lock()  # one import or undo writes at a time per process
_written = 0  # imports and undos this process has committed: a plan made before the last one is stale
_REPLANS = 3


def committed() -> None:
    """Note an import or undo committed: every plan made before it is stale."""
    global _written
    _written += 1


@dataclass
class FileOutcome:
    file: str
    table: str
    rows_added: int
    rows_replaced: int
    rows_unchanged: int
    batch_id: int | None = None

    def sentence(self) -> str:
        where = f"第{self.batch_id}批 · " if self.batch_id else ""
        text = (f"{where}{self.file}（{TABLE_ZH[self.table]}）：新增{self.rows_added}行，"
                f"替换{self.rows_replaced}行")
        return text + (f"，{self.rows_unchanged}行与库中相同" if self.rows_unchanged else "")


@dataclass
class ImportResult:
    files: list[FileOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def batch_ids(self) -> list[int]:
        return [f.batch_id for f in self.files if f.batch_id is not None]

    def headline(self) -> str:
        if self.problems:
            return f"发现{len(self.problems)}处问题，未写入任何数据。请修改后重新上传。"
        if self.dry_run:
            return "检查通过（仅检查，未写入）。"
        if not self.batch_ids:
            return "文件内容与库中数据相同，没有需要写入的数据。"
        numbers = "、".join(f"第{b}批" for b in self.batch_ids)
        return f"导入成功：{numbers}。"

    def problem_table(self) -> pd.DataFrame:
        """问题 first: on a phone it is the column that stays on screen."""
        return pd.DataFrame({
            "问题": [p.message for p in self.problems],
            "行": pd.array([p.row for p in self.problems], dtype="Int64"),
            "列": [p.column or "" for p in self.problems],
            "文件": [p.file for p in self.problems],
        })


@dataclass
class _Plan:
    tf: TableFile
    sha256: str
    added: list[tuple[str, dict]]
    replaced: list[tuple[str, dict, dict]]
    unchanged: int
    replaced_rows: list[int] = field(default_factory=list)  # spreadsheet row of each replaced


def _plan(cur, tf: TableFile, data: bytes) -> _Plan:
    columns = rows.columns(cur, tf.table)
    prepared = prepare_rows(tf.table, tf.typed)
    records = [{c: rows.native(r.get(c)) for c in columns} for r in prepared.to_dict("records")]
    existing = rows.existing(cur, tf.table, records)
    plan = _Plan(tf, hashlib.sha256(data).hexdigest(), [], [], 0)
    for row, record in zip(tf.rows, records):
        key = rows.key_json(tf.table, record)
        old = existing.get(key)
        if old is None:
            plan.added.append((key, record))
        elif old != record:
            plan.replaced.append((key, old, record))
            plan.replaced_rows.append(int(row))
        else:
            plan.unchanged += 1
    return plan


def _commit_plan(cur, plan: _Plan, batch_id: int, by: str, at: datetime) -> None:
    table = plan.tf.table
    rows.write(cur, table, [r for _, r in plan.added], "insert")
    rows.replace(cur, table, [(old, new) for _, old, new in plan.replaced])
    record = pd.DataFrame({
        "table_name": [table] * (len(plan.added) + len(plan.replaced)),
        "key_json": [k for k, _ in plan.added] + [k for k, _, _ in plan.replaced],
        "action": ["added"] * len(plan.added) + ["replaced"] * len(plan.replaced),
        "old_json": [None] * len(plan.added) + [rows.dumps(old) for _, old, _ in plan.replaced],
        "new_json": [rows.dumps(r) for _, r in plan.added] + [rows.dumps(new) for _, _, new in plan.replaced],
    }, dtype="string")
    cur.register("import_rows_incoming", record)
    try:
        db.execute(cur, "record_import_rows", batch_id=batch_id)
    finally:
        cur.unregister("import_rows_incoming")
    db.execute(cur, "record_import_batch", batch_id=batch_id, imported_at=at, imported_by=by, file_name=plan.tf.file,
               sha256=plan.sha256, table_name=table, rows_added=len(plan.added),
               rows_replaced=len(plan.replaced), rows_unchanged=plan.unchanged)


def import_files(con, files: list[tuple[str, bytes]], by: str, dry_run: bool = False,
                 plan_region: str | None = None, user: auth.User | None = None) -> ImportResult:
    """Check every file, then (unless dry_run or any problem) write each as a numbered batch,
    all in one transaction. `files` are (file name, bytes); `by` is who sends them. With a
    signed-in `user`, the account is read again first (auth.current: SessionEnded if it was
    disabled or its password changed), only rows within their regions are accepted (a
    县区填报 account), the batch is recorded under their user name, and the attempt goes to
    the audit log."""
    if user is not None:
        user = auth.current(con, user, "import")
        if not auth.may_import(user):
            auth.audit(con, user, "import", "角色无上报权限", ok=False)
            return ImportResult(problems=[Problem("", None, None, f"{user.role}账号不能上报数据")], dry_run=dry_run)
        by = user.username
    result = _import_files(con, files, by, dry_run, plan_region, user)
    if user is not None and not dry_run:
        names = "、".join(name for name, _ in files)
        detail = (f"批次 {'、'.join(map(str, result.batch_ids))}：{names}" if result.ok
                  else f"被拒绝（{len(result.problems)}处问题）：{names}")
        auth.audit(con, user, "import", detail, ok=result.ok)
    return result


def _import_files(con, files, by, dry_run, plan_region, user) -> ImportResult:
    """Read, then check and plan against the committed state, then write: only the write
    holds the import lock, so a large upload being read or checked keeps nobody waiting.
    A plan made before another import or undo committed is checked and made again (the
    last of _REPLANS tries under the lock, so that a busy server cannot starve it)."""
    by = (by or "").strip()
    if not by:
        raise ValueError("请填写记录人/上报单位")
    names = [name for name, _ in files]
    if len(set(names)) < len(names):
        return ImportResult(problems=[Problem(n, None, None, "同名文件上传了两次") for n in sorted(
            {n for n in names if names.count(n) > 1})], dry_run=dry_run)
    read = read_uploads(files)
    for _ in range(_REPLANS):
        seen = _written
        planned = _check_and_plan(con, read, plan_region, user)
        if dry_run or not _to_write(planned):
            return _unwritten(planned, dry_run)
        with LOCK:
            if _written == seen:
                return _write_plans(con, planned, by)
        # another import or undo committed while this one was checked: check it again
    with LOCK:  # others keep writing: check and write without letting them in between
        planned = _check_and_plan(con, read, plan_region, user)
        return _write_plans(con, planned, by) if _to_write(planned) else _unwritten(planned, dry_run)


def _to_write(planned) -> bool:
    return isinstance(planned, list) and any(p.added or p.replaced for p in planned)


def _unwritten(planned, dry_run: bool) -> ImportResult:
    """The answer to an upload that writes nothing: its problems, or what it would write."""
    if isinstance(planned, ImportResult):
        planned.dry_run = dry_run
        return planned
    return ImportResult(files=[_outcome(p) for p in planned], dry_run=dry_run)


def _outcome(plan: "_Plan") -> FileOutcome:
    return FileOutcome(plan.tf.file, plan.tf.table, len(plan.added), len(plan.replaced), plan.unchanged)


def _check_and_plan(con, read: Uploaded, plan_region, user) -> "list[_Plan] | ImportResult":
    """The checks against the store and what each file would write, on one snapshot of
    it (a transaction that is rolled back): the plans, or the refusal."""
    cur = con.cursor()
    try:
        cur.begin()
        problems = checks.upload_problems(con, cur, read, plan_region, user)
        if problems:
            return ImportResult(problems=checks.order(problems, read.names))
        parsed = sorted(read.parsed, key=lambda item: LOAD_ORDER.index(item[0].table))  # institutions first
        plans = [_plan(cur, tf, data) for tf, data in parsed]
        problems = [p for plan in plans for p in checks.plan_problems(cur, plan)]
        return ImportResult(problems=checks.order(problems, read.names)) if problems else plans
    finally:
        rows.rollback_quietly(cur)
        cur.close()


def _write_plans(con, plans: "list[_Plan]", by: str) -> ImportResult:
    """Write each plan that changes something as a numbered batch, in one transaction;
    the caller holds the import lock."""
    outcomes = [_outcome(p) for p in plans]
    cur = con.cursor()
    try:
        cur.begin()
        batch_id = int(rows.query(cur, "next_batch_id")["batch_id"].iloc[0])
        at = datetime.now().replace(microsecond=0)
        touched = set()
        for plan, outcome in zip(plans, outcomes):
            if plan.added or plan.replaced:
                written = [r for _, r in plan.added] + [new for _, _, new in plan.replaced]
                touched |= rows.units(cur, plan.tf.table, written)
                _commit_plan(cur, plan, batch_id, by, at)
                touched |= rows.units(cur, plan.tf.table, written)
                outcome.batch_id = batch_id
                batch_id += 1
        totals.refresh(cur, touched)
        cur.commit()
        committed()
        return ImportResult(files=outcomes)
    except Exception:
        rows.rollback_quietly(cur)
        raise
    finally:
        cur.close()
