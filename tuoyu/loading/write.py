"""Writing checked rows into the store's tables: the derived columns the schema keeps and
the order rows are stored in. Used by the build and by uploads."""

import pandas as pd

from .. import periods
from ..tables import KEYS, LOAD_ORDER
from .read import TableFile


def combine(files: list[TableFile]) -> dict[str, pd.DataFrame]:
    """One typed frame per table; a later file's row replaces an earlier one with its key."""
    out = {}
    for table in LOAD_ORDER:
        parts = [tf.typed for tf in files if tf.table == table]
        if parts:
            frame = pd.concat(parts, ignore_index=True)
            out[table] = frame.drop_duplicates(subset=list(KEYS[table]), keep="last")
    return out


def prepare_rows(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns the schema keeps (quarter, period end) and defaults."""
    frame = frame.copy()
    if table in ("reports", "region_indicators"):
        frame["quarter"] = frame["period"].map(periods.quarter_of)
        frame["period_end"] = frame["period"].map(periods.period_end)
    if table == "institutions":
        for flag in ("is_puhui", "is_demonstration", "is_guidance_center"):
            frame[flag] = frame[flag].fillna(False)
    if table == "targets":
        frame["benchmark"] = frame["benchmark"].fillna("value")
    return frame


# Reports are stored by quarter, so that one quarter's reports (机构明细, the stored totals
# of tuoyu/totals.py) are a few row groups; sorting further by institution cost a second
# of the national build for a few milliseconds on 机构明细.
INSERT_ORDER = {"reports": "quarter"}


def insert_frame(con, table: str, frame: pd.DataFrame) -> int:
    columns = ", ".join(frame.columns)  # names come from TABLES, never from input
    order = f" order by {INSERT_ORDER[table]}" if table in INSERT_ORDER else ""
    con.register("incoming", frame)
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from incoming{order}")
    finally:
        con.unregister("incoming")
    return len(frame)

