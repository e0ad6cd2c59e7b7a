"""The import batches (数据上报's history) and undo: a batch is undone by deleting the rows
it added and writing back the rows it replaced, under the import lock (write.LOCK), and
only while no later batch depends on it and no row it wrote has changed since."""

import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from .. import auth, db, totals
from ..tables import TABLE_ZH
from . import rows, write


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
    with write.LOCK:
        cur = con.cursor()
        try:
            cur.begin()
            batch = rows.query(cur, "import_batch", batch_id=batch_id)
            if batch.empty:
                cur.rollback()
                return UndoResult(batch_id, False, ["没有这个批次"])
            if pd.notna(batch["undone_at"].iloc[0]):
                cur.rollback()
                return UndoResult(batch_id, False, [f"已于{pd.Timestamp(batch['undone_at'].iloc[0]):%Y-%m-%d %H:%M}撤销"])
            reasons = _dependency_reasons(rows.query(cur, "batch_dependents", batch_id=batch_id))
            batch_rows = rows.query(cur, "import_batch_rows", batch_id=batch_id)
            table = batch["table_name"].iloc[0]
            written = [json.loads(j) for j in batch_rows["new_json"]]
            current = rows.existing(cur, table, written)
            changed = [k for k, new in zip(batch_rows["key_json"], written) if current.get(k) != new]
            if changed and not reasons:
                example = "、".join(v for v in json.loads(changed[0]) if v)
                reasons.append(f"本批写入的{len(changed)}行{TABLE_ZH[table]}已被改动（如 {example}）")
            if reasons:
                cur.rollback()
                return UndoResult(batch_id, False, reasons)
            added = batch_rows["action"].eq("added")
            restore = [(current[k], json.loads(j)) for k, j in zip(batch_rows.loc[~added, "key_json"], batch_rows.loc[~added, "old_json"])]
            stuck = rows.referenced(cur, table, restore)
            if stuck:
                cur.rollback()
                return UndoResult(batch_id, False, [f"机构 {'、'.join(sorted(stuck))} 在本批之后已有报表或事故记录，"
                                                    "不能恢复其原所在区划"])
            touched = rows.units(cur, table, written)
            rows.write(cur, table, [w for w, a in zip(written, added) if a], "delete")
            rows.replace(cur, table, restore)
            touched |= rows.units(cur, table, [new for _, new in restore])
            totals.refresh(cur, touched)
            db.execute(cur, "mark_batch_undone", batch_id=batch_id, undone_at=datetime.now().replace(microsecond=0),
                       undone_by=by)
            cur.commit()
            write.committed()
            return UndoResult(batch_id, True, rows_removed=int(added.sum()), rows_restored=int((~added).sum()))
        except Exception:
            rows.rollback_quietly(cur)
            raise
        finally:
            cur.close()
