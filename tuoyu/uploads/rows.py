"""Rows as JSON records, and the one writer of a store table's rows: insert, update by key
or delete, with the table and column names from the catalogue, never from the upload.
An import and an undo write through here, on the caller's cursor and transaction."""

import json
import math
import re
from datetime import date, datetime

import pandas as pd

from .. import db, totals
from ..tables import KEYS
from .read import IMPORTABLE

_TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_ ]*$")


def query(cur, name: str, **params) -> pd.DataFrame:
    """A named query's rows on the caller's cursor, inside its transaction (db.run would
    open another cursor and so another transaction)."""
    return db.execute(cur, name, **params).df()


def rollback_quietly(cur) -> None:
    """Roll back after an error without hiding it (there may be no transaction left)."""
    try:
        cur.rollback()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def native(value):
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


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def key_json(table: str, record: dict) -> str:
    return dumps([_as_text(record[k]) for k in KEYS[table]])


def columns(cur, table: str) -> dict[str, str]:
    """Column → DuckDB type of a store table, from the catalogue (never from input)."""
    assert table in IMPORTABLE, table
    cols = query(cur, "table_columns", table_name=table)
    types = dict(zip(cols["column_name"], cols["data_type"]))
    assert types and all(_TYPE_NAME.match(t) for t in types.values()), types
    return types


def _text_frame(columns, records) -> pd.DataFrame:
    return pd.DataFrame({c: pd.array([_as_text(r.get(c)) for r in records], dtype="string") for c in columns})


def existing(cur, table: str, keys: list[dict]) -> dict[str, dict]:
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
    records = [{n: native(v) for n, v in zip(names, row)} for row in rows]
    return {key_json(table, r): r for r in records}


def write(cur, table: str, records: list[dict], how: str, skip: tuple = ()) -> None:
    """Insert, update (non-key columns but `skip`, by key) or delete rows given as JSON
    records. The table and column names come from IMPORTABLE and the catalogue."""
    if not records:
        return
    types = columns(cur, table)
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


def referenced(cur, table: str, pairs: list[tuple[dict, dict]]) -> set[str]:
    """Keys of the rows that would change a frozen column while other rows refer to them."""
    ids = [new["institution_id"] for old, new in pairs if _moves(table, old, new)]
    if not ids:
        return set()
    return set(query(cur, "institution_references", institution_ids=ids)["institution_id"])


def replace(cur, table: str, pairs: list[tuple[dict, dict]]) -> None:
    """Overwrite rows (old → new by key)."""
    write(cur, table, [new for old, new in pairs if _moves(table, old, new)], "update")
    write(cur, table, [new for old, new in pairs if not _moves(table, old, new)], "update",
          skip=FROZEN_WHEN_REFERENCED.get(table, ()))


def units(cur, table: str, records: list[dict]) -> set[str]:
    """The units (as they stand now) of the institutions these rows are or belong to: the
    stored totals (tuoyu/totals.py) to recompute. Called before a write and after it, so a
    moved institution counts in its old unit and its new one."""
    if table not in ("institutions", "reports"):
        return set()
    return totals.units_of(cur, [r.get("institution_id") for r in records])
