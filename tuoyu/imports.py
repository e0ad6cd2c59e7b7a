"""数据上报: collection templates, validated all-or-nothing imports as numbered batches,
undo, and reporting freshness (issue #4, DESIGN §2 and §7.6).

An upload (one or more files) is read (tuoyu.upload_read: limits, sheets, merged cells,
formulas) and checked whole with the loader's rules (tuoyu.ingest) plus the checks only an
upload needs (region outside the plan's area or the sender's, as sent and as stored; one
key in two files). Any problem refuses the whole upload; nothing is written. A clean upload
is written in one transaction, one numbered batch per file (per table sheet of a
workbook), recording every row it added and the previous value of every row it replaced,
so that undo restores exactly the state before the batch.

Re-sending: a row whose key (tuoyu.tables.KEYS) is already in the store replaces that row,
and the batch keeps the old one; an identical row is left alone (an upload that changes
nothing makes no batch, so sending the same file twice changes nothing). For reports the
key is (institution, period) exactly as reported: a re-sent 2024Q3 replaces the 2024Q3
row and a re-sent 2024-09 the 2024-09 row, and a quarter row never deletes the month rows
of its quarter (nor the reverse). That never double-counts, because the indicators take
one report per institution and quarter (the latest period end; at equal ends the quarter
row, DESIGN §3). For institutions, re-sending an id updates the institution.

Concurrency: the dashboard shares one read-write connection between sessions; every
import and undo runs on its own cursor in one transaction. A lock in this module
serialises the writes only: an import is read, checked and planned without it, against
the committed state, and planned again if another write landed meanwhile; so two sessions
importing at once both land, a large file being checked keeps nobody waiting, and readers
keep reading the last committed state."""

import csv
import hashlib
import io
import json
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

import pandas as pd

from . import auth, db, excel, indicators, totals
from .errors import Problem
from .loading.read import TableFile
from .loading.rules import check_files
from .loading.write import prepare_rows
from .tables import ALLOWED, KEYS, LOAD_ORDER, TABLE_ZH, TABLES

# IMPORTABLE, the limits and size_problem are used through this module by the page and the tests
from .upload_read import (  # noqa: F401
    IMPORTABLE,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    read_upload,
    size_problem,
)

TEMPLATE_ROWS = 5000  # rows of the XLSX template that carry the validation lists

_LOCK = threading.Lock()  # one import or undo writes at a time per process
_written = 0  # imports and undos this process has committed: a plan made before the last one is stale
_REPLANS = 3
_TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_ ]*$")

# Per column of the template: an example value and the 口径 in a sentence.
COLUMN_HELP = {
    ("institutions", "institution_id"): ("91640500MA76XXXX1X", "统一社会信用代码；没有的填本地编码，全市唯一、不再变更。再次上报同一编码即更新该机构信息"),
    ("institutions", "name"): ("沙坡头区阳光托育中心", "机构全称"),
    ("institutions", "region_code"): ("640502", "所在县区或乡镇（街道）的区划代码，6位或9位"),
    ("institutions", "type"): ("托育机构", "按托育服务形式选择"),
    ("institutions", "ownership"): ("民办", "举办性质"),
    ("institutions", "is_puhui"): ("是", "是否为普惠托育机构"),
    ("institutions", "registered_on"): ("2023-05-10", "在登记机关登记的日期"),
    ("institutions", "filed_on"): ("2023/6/1", "在卫生健康部门备案的日期；未备案留空"),
    ("institutions", "closed_on"): ("", "注销或停办日期；在营留空"),
    ("institutions", "is_demonstration"): ("否", "是否为示范托育机构"),
    ("institutions", "is_guidance_center"): ("否", "是否为托育综合服务（指导）中心"),
    ("reports", "institution_id"): ("91640500MA76XXXX1X", "机构名录中已有的机构编码"),
    ("reports", "period"): ("2024Q3", "季度填 2024Q3 或 2024年第3季度；按月报送填 2024-09"),
    ("reports", "slots"): ("60", "报告期末可提供的托位数"),
    ("reports", "enrolled_infant"): ("5", "报告期末在托的6–12月龄婴幼儿数"),
    ("reports", "enrolled_toddler"): ("20", "报告期末在托的12–24月龄婴幼儿数"),
    ("reports", "enrolled_preschool"): ("25", "报告期末在托的24–36月龄婴幼儿数；三项合计不得超过托位数的150%"),
    ("reports", "caregivers"): ("10", "报告期末在岗保育人员数"),
    ("reports", "caregivers_certified"): ("8", "其中持有保育师、育婴员等证书的人数，不超过保育人员数"),
    ("reports", "meets_standard"): ("是", "是否符合托育机构设置标准和管理规范"),
    ("population", "region_code"): ("640502", "县区或市的区划代码"),
    ("population", "year"): ("2024", "年份"),
    ("population", "resident_population"): ("408,000", "年末常住人口"),
    ("population", "under3_population"): ("9800", "3岁以下婴幼儿数"),
    ("population", "births"): ("3100", "全年出生人口"),
    ("region_indicators", "region_code"): ("640502", "县区或市的区划代码"),
    ("region_indicators", "period"): ("2024Q3", "报告期"),
    ("region_indicators", "value"): ("95%", "比率填 95% 或 0.95"),
    ("region_indicators", "source"): ("县卫生健康局统计", "数据来源"),
    ("surveys", "region_code"): ("640502", "县区或市的区划代码"),
    ("surveys", "year"): ("2024", "调查年份"),
    ("surveys", "respondent_type"): ("家庭", "调查对象"),
    ("surveys", "respondents"): ("200", "有效答卷数"),
    ("surveys", "satisfied"): ("188", "满意及非常满意的答卷数，不超过调查人数"),
    ("incidents", "institution_id"): ("91640500MA76XXXX1X", "发生事故的机构编码"),
    ("incidents", "occurred_on"): ("2024-05-01", "事故发生日期"),
    ("incidents", "severity"): ("一般", "事故等级"),
    ("incidents", "summary"): ("午睡时幼儿跌落床下，轻微擦伤", "简要经过"),
}

RULES = (
    "第1行为列名，请勿修改、删除或合并；从第2行起每行一条记录。列名用中文或英文均可，多出的列（如备注）不导入。",
    "橙色列名为必填列。整数列填不小于0的整数，可带千分位逗号；是/否 列填 是、否（或 Y、N）。",
    "日期填 2024-09-30、2024/9/30 或 2024年9月30日；报告期填 2024Q3、2024年第3季度，按月报送填 2024-09。",
    f"请勿使用公式和合并单元格；一个文件不超过{MAX_UPLOAD_MB}MB。可上传 XLSX（第一个工作表，或与表同名的工作表）或 CSV（UTF-8 或 GBK 编码）。",
    "上传后系统先检查全部数据：有任何问题则一行也不写入，并列出每个问题所在的行和列；全部通过才写入，并生成一个批次号。",
    "再次上报同一机构同一报告期，新数据替换旧数据；误传的批次可在“数据上报”页撤销。月报和季报是不同的报告期：同一季度内以截止最晚的一期为准，截止日相同时以季报为准。",
)


# ------------------------------------------------------------------ results

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
class UndoResult:
    batch_id: int
    ok: bool
    reasons: list[str] = field(default_factory=list)
    rows_removed: int = 0
    rows_restored: int = 0

    def message(self) -> str:
        if self.ok:
            return (f"已撤销第{self.batch_id}批：删除新增的{self.rows_removed}行，"
                    f"恢复被替换的{self.rows_restored}行。")
        return f"不能撤销第{self.batch_id}批：" + "；".join(self.reasons)


# ------------------------------------------------------------------ checks against the store

def _q(cur, name: str, **params) -> pd.DataFrame:
    """A named query on the caller's cursor, inside its transaction (db.run would open
    another cursor and so another transaction)."""
    return cur.execute(db.query_text(name), params).df()


def _reference(cur, plan_region: str | None) -> pd.DataFrame:
    return _q(cur, "known_keys", region=plan_region)


class RowRegion(NamedTuple):
    file: str
    row: int
    column: str
    code: str
    institution: str | None  # the row's institution, when the region is the institution's
    stored: bool             # the institution's region in the store, which the row would change


def _row_regions(files: list[TableFile], ref: pd.DataFrame):
    """Every region a row writes for: its own (or its institution's) region as sent, and,
    where the row changes an institution already stored, the region the store holds for
    it. Both must be allowed: an institution re-sent by another county's clerk with their
    own code would otherwise move into their county (issue 16)."""
    stored = ref[ref["table_name"] == "institutions"].set_index("key")["region_code"].to_dict()
    sent = {}
    for tf in files:
        if tf.table == "institutions":
            sent.update(zip(tf.typed["institution_id"], tf.typed["region_code"]))
    for tf in files:
        zh = {c.name: c.zh for c in TABLES[tf.table]}
        if tf.table == "institutions":
            for row, inst, code in zip(tf.rows, tf.typed["institution_id"], tf.typed["region_code"]):
                yield RowRegion(tf.file, int(row), zh["region_code"], code, None, False)
                if stored.get(inst) not in (None, code):
                    yield RowRegion(tf.file, int(row), zh["region_code"], stored[inst], inst, True)
        elif "region_code" in tf.typed:  # the region is part of the key: the stored row's is the same
            for row, code in zip(tf.rows, tf.typed["region_code"]):
                yield RowRegion(tf.file, int(row), zh["region_code"], code, None, False)
        elif "institution_id" in tf.typed:
            for row, inst in zip(tf.rows, tf.typed["institution_id"]):
                for code in dict.fromkeys(c for c in (sent.get(inst), stored.get(inst)) if c is not None):
                    yield RowRegion(tf.file, int(row), zh["institution_id"], code, inst, False)


def _whose(r: RowRegion, place: str) -> str:
    if r.stored:
        return f"机构 {r.institution} 库中所在{place}"
    return f"机构 {r.institution} 所在{place}" if r.institution else place


def _area_problems(files: list[TableFile], ref: pd.DataFrame, plan_region: str) -> list[Problem]:
    """Rows whose region (or whose institution's region, as sent or as stored) lies
    outside the plan's area."""
    regions = ref[ref["table_name"] == "regions"].set_index("key")
    area_name = regions["name"].get(plan_region, plan_region)
    in_area = set(regions.index[regions["is_in_area"].astype(bool)])
    out = []
    for r in _row_regions(files, ref):
        if r.code not in regions.index or r.code in in_area:
            continue
        place = f"区划 {r.code}（{regions.at[r.code, 'name']}）"
        out.append(Problem(r.file, r.row, r.column, f"{_whose(r, place)}不在本方案区域（{area_name}）内"))
    return out


def _permission_problems(con, files: list[TableFile], ref: pd.DataFrame, user: auth.User) -> list[Problem]:
    """Rows outside the regions the signed-in user may write for (issue 9), by the region
    sent and by the region stored (issue 16): the whole upload is refused, naming each row."""
    rows = list(_row_regions(files, ref))
    outside = auth.regions_outside(con, user, [r.code for r in rows])
    scope = "、".join(user.region_codes) or "无"
    return [Problem(r.file, r.row, r.column,
                    f"{_whose(r, f'区划 {r.code}')} 不在您负责的范围（{scope}）内，无权" + ("修改" if r.stored else "上报"))
            for r in rows if r.code in outside]


def _cross_file_duplicates(files: list[TableFile]) -> list[Problem]:
    """One key in two files of the same upload: which one is right is for the sender to say."""
    seen: dict[tuple, tuple[str, int]] = {}
    out = []
    for tf in files:
        key = list(KEYS[tf.table])
        for row, values in zip(tf.rows, tf.typed[key].itertuples(index=False, name=None)):
            k = (tf.table,) + tuple(_native(v) for v in values)
            first = seen.get(k)
            if first and first[0] != tf.file:
                out.append(Problem(tf.file, int(row), None, f"与 {first[0]} 第{first[1]}行重复"
                                                            f"（{'、'.join(str(v) for v in k[1:])}）"))
            seen.setdefault(k, (tf.file, int(row)))
    return out


# ------------------------------------------------------------------ rows as JSON

def _native(value):
    """A cell as a JSON value: None, bool, int, float, str (dates as ISO text)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _key_json(table: str, record: dict) -> str:
    return _dumps([_as_text(record[k]) for k in KEYS[table]])


def _columns(cur, table: str) -> dict[str, str]:
    """Column → DuckDB type of a store table, from the catalogue (never from input)."""
    assert table in IMPORTABLE, table
    cols = _q(cur, "table_columns", table_name=table)
    types = dict(zip(cols["column_name"], cols["data_type"]))
    assert types and all(_TYPE_NAME.match(t) for t in types.values()), types
    return types


def _text_frame(columns, records) -> pd.DataFrame:
    return pd.DataFrame({c: pd.array([_as_text(r.get(c)) for r in records], dtype="string") for c in columns})


def _existing(cur, table: str, keys: list[dict]) -> dict[str, dict]:
    """The stored rows with the given keys, as JSON records by key_json."""
    if not keys:
        return {}
    key = KEYS[table]
    cur.register("import_keys", _text_frame(key, keys))
    try:
        match = " and ".join(f"cast(t.{k} as varchar) is not distinct from import_keys.{k}" for k in key)
        rows = cur.execute(f"select t.* from {table} as t join import_keys on {match}").fetchall()
        names = [d[0] for d in cur.description]
    finally:
        cur.unregister("import_keys")
    records = [{n: _native(v) for n, v in zip(names, row)} for row in rows]
    return {_key_json(table, r): r for r in records}


def _write(cur, table: str, records: list[dict], how: str, skip: tuple = ()) -> None:
    """Insert, update (non-key columns but `skip`, by key) or delete rows given as JSON
    records. The table and column names come from IMPORTABLE and the catalogue."""
    if not records:
        return
    types = _columns(cur, table)
    key = KEYS[table] + tuple(skip)
    cur.register("import_incoming", _text_frame(types, records))
    try:
        value = {c: f"cast(import_incoming.{c} as {t})" for c, t in types.items()}
        match = " and ".join(f"{table}.{k} is not distinct from {value[k]}" for k in KEYS[table])
        if how == "insert":
            cur.execute(f"insert into {table} ({', '.join(types)}) "
                        f"select {', '.join(value.values())} from import_incoming")
        elif how == "update":
            sets = ", ".join(f"{c} = {value[c]}" for c in types if c not in key)
            cur.execute(f"update {table} set {sets} from import_incoming where {match}")
        elif how == "delete":
            cur.execute(f"delete from {table} using import_incoming where {match}")
        else:
            raise ValueError(how)
    finally:
        cur.unregister("import_incoming")


# DuckDB carries out an update of an indexed (foreign-key) column as delete + insert, which
# its reference check refuses while other rows refer to the row: such a column is written
# only where it changes, and a change is refused while the row is referred to.
FROZEN_WHEN_REFERENCED = {"institutions": ("region_code",)}


def _moves(table: str, old: dict, new: dict) -> bool:
    return any(old.get(c) != new.get(c) for c in FROZEN_WHEN_REFERENCED.get(table, ()))


def _referenced(cur, table: str, pairs: list[tuple[dict, dict]]) -> set[str]:
    """Keys of the rows that would change a frozen column while other rows refer to them."""
    ids = [new["institution_id"] for old, new in pairs if _moves(table, old, new)]
    if not ids:
        return set()
    return set(_q(cur, "institution_references", institution_ids=ids)["institution_id"])


def _replace(cur, table: str, pairs: list[tuple[dict, dict]]) -> None:
    """Overwrite rows (old → new by key)."""
    _write(cur, table, [new for old, new in pairs if _moves(table, old, new)], "update")
    _write(cur, table, [new for old, new in pairs if not _moves(table, old, new)], "update",
           skip=FROZEN_WHEN_REFERENCED.get(table, ()))


def _units(cur, table: str, records: list[dict]) -> set[str]:
    """The units (as they stand now) of the institutions these rows are or belong to: the
    stored totals (tuoyu/totals.py) to recompute. Called before a write and after it, so a
    moved institution counts in its old unit and its new one."""
    if table not in ("institutions", "reports"):
        return set()
    return totals.units_of(cur, [r.get("institution_id") for r in records])


# ------------------------------------------------------------------ importing

@dataclass
class _Plan:
    tf: TableFile
    sha256: str
    added: list[tuple[str, dict]]
    replaced: list[tuple[str, dict, dict]]
    unchanged: int
    replaced_rows: list[int] = field(default_factory=list)  # spreadsheet row of each replaced


def _plan(cur, tf: TableFile, data: bytes) -> _Plan:
    columns = _columns(cur, tf.table)
    prepared = prepare_rows(tf.table, tf.typed)
    records = [{c: _native(r.get(c)) for c in columns} for r in prepared.to_dict("records")]
    existing = _existing(cur, tf.table, records)
    plan = _Plan(tf, hashlib.sha256(data).hexdigest(), [], [], 0)
    for row, record in zip(tf.rows, records):
        key = _key_json(tf.table, record)
        old = existing.get(key)
        if old is None:
            plan.added.append((key, record))
        elif old != record:
            plan.replaced.append((key, old, record))
            plan.replaced_rows.append(int(row))
        else:
            plan.unchanged += 1
    return plan


def _plan_problems(cur, plan: _Plan) -> list[Problem]:
    table = plan.tf.table
    stuck = _referenced(cur, table, [(old, new) for _, old, new in plan.replaced])
    out = []
    for row, (_, old, new) in zip(plan.replaced_rows, plan.replaced):
        if table == "institutions" and new["institution_id"] in stuck:
            out.append(Problem(plan.tf.file, row, {c.name: c.zh for c in TABLES[table]}["region_code"],
                               f"机构 {new['institution_id']} 已有报表或事故记录，所在区划不能通过数据上报更改"
                               f"（库中为 {old['region_code']}）；如确需更改，请联系管理员"))
    return out


def _commit_plan(cur, plan: _Plan, batch_id: int, by: str, at: datetime) -> None:
    table = plan.tf.table
    _write(cur, table, [r for _, r in plan.added], "insert")
    _replace(cur, table, [(old, new) for _, old, new in plan.replaced])
    rows = pd.DataFrame({
        "table_name": [table] * (len(plan.added) + len(plan.replaced)),
        "key_json": [k for k, _ in plan.added] + [k for k, _, _ in plan.replaced],
        "action": ["added"] * len(plan.added) + ["replaced"] * len(plan.replaced),
        "old_json": [None] * len(plan.added) + [_dumps(old) for _, old, _ in plan.replaced],
        "new_json": [_dumps(r) for _, r in plan.added] + [_dumps(new) for _, _, new in plan.replaced],
    }, dtype="string")
    cur.register("import_rows_incoming", rows)
    try:
        cur.execute(db.query_text("record_import_rows"), {"batch_id": batch_id})
    finally:
        cur.unregister("import_rows_incoming")
    cur.execute(db.query_text("record_import_batch"), {
        "batch_id": batch_id, "imported_at": at, "imported_by": by, "file_name": plan.tf.file,
        "sha256": plan.sha256, "table_name": table, "rows_added": len(plan.added),
        "rows_replaced": len(plan.replaced), "rows_unchanged": plan.unchanged})


def _rollback_quietly(cur) -> None:
    """Roll back after an error without hiding it (there may be no transaction left)."""
    try:
        cur.rollback()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _order(problems: list[Problem], names: list[str]) -> list[Problem]:
    """By file as sent (a sheet's problems with its workbook), then by row."""
    def rank(p: Problem) -> int:
        return next((i for i, n in enumerate(names) if p.file == n or p.file.startswith(n + "（")), len(names))
    return sorted(problems, key=lambda p: (rank(p), p.row or 0))


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
    uploads = [read_upload(name, data) for name, data in files]
    read = _Read([(tf, data) for u, (_, data) in zip(uploads, files) for tf in u.files],
                 [p for u in uploads for p in u.problems] or ([] if files else [Problem("", None, None, "没有选择文件")]),
                 {label: cells for u in uploads for label, cells in u.formulas.items()}, names)
    for _ in range(_REPLANS):
        seen = _written
        planned = _check_and_plan(con, read, plan_region, user)
        if dry_run or not _to_write(planned):
            return _unwritten(planned, dry_run)
        with _LOCK:
            if _written == seen:
                return _write_plans(con, planned, by)
        # another import or undo committed while this one was checked: check it again
    with _LOCK:  # others keep writing: check and write without letting them in between
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


@dataclass
class _Read:
    parsed: list[tuple[TableFile, bytes]]  # each table read, with the bytes of its file
    problems: list[Problem]                # found while reading
    formulas: dict[str, set]               # (row, column) of formula cells, by table file
    names: list[str]                       # the files as sent, in order


def _outcome(plan: "_Plan") -> FileOutcome:
    return FileOutcome(plan.tf.file, plan.tf.table, len(plan.added), len(plan.replaced), plan.unchanged)


def _check_and_plan(con, read: _Read, plan_region, user) -> "list[_Plan] | ImportResult":
    """The checks against the store and what each file would write, on one snapshot of
    it (a transaction that is rolled back): the plans, or the refusal."""
    cur = con.cursor()
    try:
        cur.begin()
        tfs = [tf for tf, _ in read.parsed]
        ref = _reference(cur, plan_region)
        known = {t: set(ref.loc[ref["table_name"] == t, "key"]) for t in ("regions", "institutions", "plans")}
        # a formula cell is named once, as a formula, not again as a bad number
        problems = list(read.problems) + [p for p in check_files(tfs, known)
                                          if (p.row, p.column) not in read.formulas.get(p.file, set())]
        typed = [tf for tf in tfs if tf.typed is not None]
        if plan_region:
            problems += _area_problems(typed, ref, plan_region)
        if user is not None:
            problems += _permission_problems(con, typed, ref, user)
        problems += _cross_file_duplicates(typed)
        if problems:
            return ImportResult(problems=_order(problems, read.names))
        parsed = sorted(read.parsed, key=lambda item: LOAD_ORDER.index(item[0].table))  # institutions first
        plans = [_plan(cur, tf, data) for tf, data in parsed]
        problems = [p for plan in plans for p in _plan_problems(cur, plan)]
        return ImportResult(problems=_order(problems, read.names)) if problems else plans
    finally:
        _rollback_quietly(cur)
        cur.close()


def _write_plans(con, plans: "list[_Plan]", by: str) -> ImportResult:
    """Write each plan that changes something as a numbered batch, in one transaction;
    the caller holds the import lock."""
    global _written
    outcomes = [_outcome(p) for p in plans]
    cur = con.cursor()
    try:
        cur.begin()
        batch_id = int(_q(cur, "next_batch_id")["batch_id"].iloc[0])
        at = datetime.now().replace(microsecond=0)
        touched = set()
        for plan, outcome in zip(plans, outcomes):
            if plan.added or plan.replaced:
                rows = [r for _, r in plan.added] + [new for _, _, new in plan.replaced]
                touched |= _units(cur, plan.tf.table, rows)
                _commit_plan(cur, plan, batch_id, by, at)
                touched |= _units(cur, plan.tf.table, rows)
                outcome.batch_id = batch_id
                batch_id += 1
        totals.refresh(cur, touched)
        cur.commit()
        _written += 1
        return ImportResult(files=outcomes)
    except Exception:
        _rollback_quietly(cur)
        raise
    finally:
        cur.close()


# ------------------------------------------------------------------ history and undo

def batches(con) -> pd.DataFrame:
    return db.run(con, "import_batches")


def history_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Batches with Chinese headers, as the 数据上报 page lists them."""
    return pd.DataFrame({
        "批次": frame["batch_id"],
        "导入时间": pd.to_datetime(frame["imported_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "记录人/上报单位": frame["imported_by"],
        "文件": frame["file_name"],
        "数据表": frame["table_name"].map(TABLE_ZH),
        "新增": frame["rows_added"],
        "替换": frame["rows_replaced"],
        "状态": [f"已撤销（{pd.Timestamp(u):%Y-%m-%d %H:%M}，{b}）" if pd.notna(u) else "有效"
               for u, b in zip(frame["undone_at"], frame["undone_by"])],
    })


def _dependency_reasons(deps: pd.DataFrame) -> list[str]:
    out = []
    for d in deps.to_dict("records"):
        example = "、".join(v for v in json.loads(d["example_key"]) if v)
        table = TABLE_ZH[d["table_name"]]
        if d["reason"] == "rewrote":
            out.append(f"第{d['batch_id']}批又替换了本批写入的{d['n_rows']}行{table}（如 {example}），请先撤销第{d['batch_id']}批")
        else:
            out.append(f"第{d['batch_id']}批的{d['n_rows']}行{table}引用了本批新增的机构（如 {example}），"
                       f"请先撤销第{d['batch_id']}批")
    return out


def undo(con, batch_id: int, by: str, user: auth.User | None = None) -> UndoResult:
    """Restore the state before a batch: delete the rows it added, write back the rows it
    replaced. Refused (with the reasons) when a later batch depends on it or a row it wrote
    has changed since; with a signed-in `user`, also unless it is theirs or they administer."""
    if user is not None:
        user = auth.current(con, user, "undo")
        batch = db.run(con, "import_batch", batch_id=int(batch_id))
        owner = None if batch.empty else batch["imported_by"].iloc[0]
        if not batch.empty and not auth.may_undo(user, owner):
            auth.audit(con, user, "undo", f"批次 {batch_id}：无权撤销（上报人 {owner}）", ok=False)
            return UndoResult(int(batch_id), False, [f"只能撤销本人上报的批次（本批上报人：{owner}）"])
        result = _undo(con, batch_id, user.username)
        auth.audit(con, user, "undo", f"批次 {batch_id}" + ("" if result.ok else "：" + "；".join(result.reasons)),
                   ok=result.ok)
        return result
    return _undo(con, batch_id, by)


def _undo(con, batch_id: int, by: str) -> UndoResult:
    batch_id = int(batch_id)
    with _LOCK:
        cur = con.cursor()
        try:
            cur.begin()
            batch = _q(cur, "import_batch", batch_id=batch_id)
            if batch.empty:
                cur.rollback()
                return UndoResult(batch_id, False, ["没有这个批次"])
            if pd.notna(batch["undone_at"].iloc[0]):
                cur.rollback()
                return UndoResult(batch_id, False, [f"已于{pd.Timestamp(batch['undone_at'].iloc[0]):%Y-%m-%d %H:%M}撤销"])
            reasons = _dependency_reasons(_q(cur, "batch_dependents", batch_id=batch_id))
            rows = _q(cur, "import_batch_rows", batch_id=batch_id)
            table = batch["table_name"].iloc[0]
            written = [json.loads(j) for j in rows["new_json"]]
            current = _existing(cur, table, written)
            changed = [k for k, new in zip(rows["key_json"], written) if current.get(k) != new]
            if changed and not reasons:
                example = "、".join(v for v in json.loads(changed[0]) if v)
                reasons.append(f"本批写入的{len(changed)}行{TABLE_ZH[table]}已被改动（如 {example}）")
            if reasons:
                cur.rollback()
                return UndoResult(batch_id, False, reasons)
            added = rows["action"].eq("added")
            restore = [(current[k], json.loads(j)) for k, j in zip(rows.loc[~added, "key_json"], rows.loc[~added, "old_json"])]
            stuck = _referenced(cur, table, restore)
            if stuck:
                cur.rollback()
                return UndoResult(batch_id, False, [f"机构 {'、'.join(sorted(stuck))} 在本批之后已有报表或事故记录，"
                                                    "不能恢复其原所在区划"])
            touched = _units(cur, table, written)
            _write(cur, table, [w for w, a in zip(written, added) if a], "delete")
            _replace(cur, table, restore)
            touched |= _units(cur, table, [new for _, new in restore])
            totals.refresh(cur, touched)
            cur.execute(db.query_text("mark_batch_undone"), {
                "batch_id": batch_id, "undone_at": datetime.now().replace(microsecond=0), "undone_by": by})
            cur.commit()
            global _written
            _written += 1
            return UndoResult(batch_id, True, rows_removed=int(added.sum()), rows_restored=int((~added).sum()))
        except Exception:
            _rollback_quietly(cur)
            raise
        finally:
            cur.close()


# ------------------------------------------------------------------ templates

def template_name(table: str, kind: str) -> str:
    return f"{TABLE_ZH[table]}_模板.{kind}"


def table_label(table: str) -> str:
    return TABLE_ZH[table]


def _format_hint(table: str, col) -> str:
    if col.kind == "int":
        return "整数，≥0"
    if col.kind == "float":
        return "数值"
    if col.kind == "bool":
        return "是 / 否"
    if col.kind == "date":
        return "日期"
    if col.kind == "period":
        return "报告期"
    return "文本"


def _allowed_text(table: str, col) -> str:
    if (table, col.name) in ALLOWED:
        return " / ".join(ALLOWED[(table, col.name)])
    if col.kind == "bool":
        return "是 / 否（或 Y / N）"
    if (table, col.name) == ("region_indicators", "indicator"):
        cat = indicators.catalogue()
        return " / ".join(f"{c}（{cat[c]['short_zh']}）" for c in indicators.REPORTED if c in cat)
    return ""


def _reference_lists(con, region: str | None) -> dict[str, pd.DataFrame]:
    if con is None or not region:
        return {}
    cur = con.cursor()
    try:
        ref = _reference(cur, region)
    finally:
        cur.close()
    ref = ref[ref["is_in_area"].astype(bool)].sort_values("key")
    return {"institutions": ref[ref["table_name"] == "institutions"], "regions": ref[ref["table_name"] == "regions"]}


def template_bytes(table: str, kind: str = "xlsx", con=None, region: str | None = None) -> bytes:
    """The collection template of a table: XLSX (data sheet with Chinese headers, formats and
    validation lists; 填写说明 sheet; with `con` and `region`, the area's institutions and
    region codes as lists to pick from) or CSV (UTF-8 with BOM, Chinese headers)."""
    if table not in IMPORTABLE:
        raise KeyError(table)
    cols = TABLES[table]
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow([c.zh for c in cols])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if kind != "xlsx":
        raise ValueError(kind)
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    ws.title = TABLE_ZH[table]
    required_fill, optional_fill = PatternFill("solid", fgColor="F8CBAD"), PatternFill("solid", fgColor="DDEBF7")
    names = {c.name for c in cols}
    lists = {k: v for k, v in _reference_lists(con, region).items()
             if (k == "regions" and "region_code" in names)
             or (k == "institutions" and "institution_id" in names and table != "institutions")}
    last = TEMPLATE_ROWS + 1
    for i, col in enumerate(cols, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.zh)
        cell.font = Font(bold=True)
        cell.fill = required_fill if col.required else optional_fill
        example, note = COLUMN_HELP.get((table, col.name), ("", ""))
        cell.comment = Comment(("必填。" if col.required else "选填。") + note, "模板")
        ws.column_dimensions[letter].width = max(12, len(col.zh) * 2 + 4)
        number_format = {"date": "yyyy-mm-dd", "int": "0", "float": "General", "bool": "@"}.get(col.kind, "@")
        ws.column_dimensions[letter].number_format = number_format  # 2024-09 stays text, not a date
        rng = f"{letter}2:{letter}{last}"
        dv = None
        if (table, col.name) in ALLOWED:
            dv = DataValidation(type="list", formula1='"' + ",".join(ALLOWED[(table, col.name)]) + '"')
        elif col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"')
        elif col.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif col.kind == "float":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        elif col.name == "institution_id" and table != "institutions" and not lists.get("institutions", pd.DataFrame()).empty:
            n = len(lists["institutions"])
            dv = DataValidation(type="list", formula1=f"'机构名单'!$A$2:$A${n + 1}", errorStyle="warning")
        elif col.name == "region_code" and not lists.get("regions", pd.DataFrame()).empty:
            n = len(lists["regions"])
            dv = DataValidation(type="list", formula1=f"'区划代码'!$A$2:$A${n + 1}", errorStyle="warning")
        if dv is not None:
            dv.showErrorMessage = True
            dv.error = f"{col.zh}：{_allowed_text(table, col) or _format_hint(table, col)}"
            dv.errorTitle = "取值不符合要求"
            dv.prompt, dv.promptTitle, dv.showInputMessage = note or col.zh, col.zh, True
            dv.add(rng)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    guide = book.create_sheet("填写说明")
    guide.append([f"{TABLE_ZH[table]}（{table}）填写说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for i, rule in enumerate(RULES, start=1):
        guide.append([f"{i}. {rule}"])
    guide.append([])
    header = ["列名", "英文列名", "是否必填", "格式", "允许取值", "示例", "说明（口径）"]
    guide.append(header)
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for col in cols:
        example, note = COLUMN_HELP.get((table, col.name), ("", ""))
        guide.append([col.zh, col.name, "必填" if col.required else "选填", _format_hint(table, col),
                      _allowed_text(table, col), example, note])
    for letter, width in zip("ABCDEFG", (18, 22, 10, 10, 40, 22, 60)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    for title, key, headers in (("机构名单", "institutions", ["机构编码", "机构名称", "所在区划"]),
                                ("区划代码", "regions", ["区划代码", "名称"])):
        frame = lists.get(key)
        if frame is None or frame.empty:
            continue
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for r in frame.to_dict("records"):
            sheet.append([r["key"], r["name"], r["region_code"]][:len(headers)])
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 24, 36
    return excel.save(book)
