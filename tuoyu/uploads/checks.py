"""The checks of a whole upload against the store, before anything is planned: the
loader's row rules (tuoyu.loading.rules.check_files) with the keys the store knows, and what only
an upload needs — a region outside the plan's area or outside the sender's regions, as sent
and as stored, one key in two files — and, once planned, a stored institution that would
move county while rows refer to it. Each finding is a Problem named by file, row and column."""

from typing import NamedTuple

import pandas as pd

from .. import auth
from ..errors import Problem
from ..loading.read import TableFile
from ..loading.rules import check_files
from ..tables import KEYS, TABLES
from .read import Uploaded
from .rows import native, query, referenced


def known_keys(cur, plan_region: str | None) -> pd.DataFrame:
    """The keys the store holds (regions with whether they lie in the plan's area,
    institutions with their region, plans)."""
    return query(cur, "known_keys", region=plan_region)


def upload_problems(con, cur, read: Uploaded, plan_region: str | None, user: auth.User | None) -> list[Problem]:
    """Everything wrong with the upload as read, against the store as `cur` sees it."""
    tfs = [tf for tf, _ in read.parsed]
    ref = known_keys(cur, plan_region)
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
    return problems


def order(problems: list[Problem], names: list[str]) -> list[Problem]:
    """By file as sent (a sheet's problems with its workbook), then by row."""
    def rank(p: Problem) -> int:
        return next((i for i, n in enumerate(names) if p.file == n or p.file.startswith(n + "（")), len(names))
    return sorted(problems, key=lambda p: (rank(p), p.row or 0))


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
            k = (tf.table,) + tuple(native(v) for v in values)
            first = seen.get(k)
            if first and first[0] != tf.file:
                out.append(Problem(tf.file, int(row), None, f"与 {first[0]} 第{first[1]}行重复"
                                                            f"（{'、'.join(str(v) for v in k[1:])}）"))
            seen.setdefault(k, (tf.file, int(row)))
    return out


def plan_problems(cur, plan) -> list[Problem]:
    """A planned write that would move a stored institution to another region while its
    reports or incidents refer to it (rows.FROZEN_WHEN_REFERENCED)."""
    table = plan.tf.table
    stuck = referenced(cur, table, [(old, new) for _, old, new in plan.replaced])
    out = []
    for row, (_, old, new) in zip(plan.replaced_rows, plan.replaced):
        if table == "institutions" and new["institution_id"] in stuck:
            out.append(Problem(plan.tf.file, row, {c.name: c.zh for c in TABLES[table]}["region_code"],
                               f"机构 {new['institution_id']} 已有报表或事故记录，所在区划不能通过数据上报更改"
                               f"（库中为 {old['region_code']}）；如确需更改，请联系管理员"))
    return out
