"""The DuckDB store: where it lives, building it on first use, and running named queries.

Queries are the .sql files in queries/; `run` accepts only their names and binds every
parameter, so no input ever becomes SQL text."""

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# The store imports nothing of the package: its own folders are found from here.
ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DDL = QUERIES / "ddl"
DEFAULT_DB = ROOT / "var" / "tuoyu.duckdb"

def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db, else $TUOYU_DB, else var/tuoyu.duckdb under the repository (git-ignored)."""
    return Path(explicit or os.environ.get("TUOYU_DB") or DEFAULT_DB)


def connect_raw(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def create_schema(con: duckdb.DuckDBPyConnection, keys: bool = True) -> None:
    """Every table and macro; keys=False leaves reports without its key, for a build to
    add once its rows are in (add_keys)."""
    con.execute(schema_text())
    if keys:
        add_keys(con)
    create_macros(con)


def add_keys(con: duckdb.DuckDBPyConnection) -> None:
    """The key of reports (ddl/reports_key.sql: a unique index), unless the table has one.
    A key twice among the rows raises duckdb.ConstraintException."""
    has_key = con.execute(query_text("reports_has_key")).fetchone()[0]
    if not has_key:
        con.execute((DDL / "reports_key.sql").read_text(encoding="utf-8"))


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    text = (DDL / "macros.sql").read_text(encoding="utf-8")
    con.execute(text)
    con.execute("insert or replace into meta values ('macros_sha256', ?)", [_digest(text + schema_text())])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_text() -> str:
    """schema.sql, then each feature's own schema_<feature>.sql (import batches, task
    history …), all idempotent."""
    files = [DDL / "schema.sql"] + sorted(DDL.glob("schema_*.sql"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database carries this code's schema and formulas (the digest that
    create_macros records)."""
    text = (DDL / "macros.sql").read_text(encoding="utf-8")
    stored = con.execute("select value from meta where key = 'macros_sha256'").fetchone()
    return bool(stored) and stored[0] == _digest(text + schema_text())


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open an existing store as it is (tuoyu.loading.database.open_database builds and upgrades)."""
    return connect_raw(db_path(path), read_only=read_only)


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.sql"))


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    """The text of queries/<name>.sql, read once per process (listing the folder on every
    query cost a page at national scale ~13 ms)."""
    if name not in query_names():
        raise KeyError(f"unknown query {name!r}")
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def execute(cur, name: str, **params):
    """Run queries/<name>.sql with bound parameters on the caller's cursor, inside its
    transaction (a writer's several statements must see each other); the cursor."""
    return cur.execute(query_text(name), params)


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters on its own cursor (a connection is
    shared between Streamlit's session threads; a cursor is not)."""
    cur = con.cursor()
    try:
        return cur.execute(query_text(name), params).df()
    finally:
        cur.close()


def run_objects(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """run(), with every column of Python objects and None for a missing value (NULL or
    NaN) — what tuoyu.indicators.nulls_as_none makes of run()'s frame, built straight from
    DuckDB's arrays: under half the time for thousands of wide indicator rows. Dates come
    as pandas Timestamps, as from run()."""
    return pd.DataFrame({column: _objects(array) for column, array in _arrays(con, name, params).items()},
                        dtype=object)


def run_rows(con: duckdb.DuckDBPyConnection, name: str, **params) -> tuple[list[str], list[dict]]:
    """(column names, rows as dicts) of run_objects(), with the same values, without a frame:
    for pages that look rows up by key, building the frame and taking it apart again cost
    more than the query (and fetchall() boxes value by value: slower still)."""
    arrays = _arrays(con, name, params)
    names = list(arrays)
    return names, [dict(zip(names, values)) for values in zip(*(_objects(a).tolist() for a in arrays.values()))]


def _arrays(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> dict:
    """A named query's columns as DuckDB's numpy arrays, on its own cursor."""
    cur = con.cursor()
    try:
        return cur.execute(query_text(name), params).fetchnumpy()
    finally:
        cur.close()


def _objects(array) -> np.ndarray:
    data = np.ma.getdata(array)
    missing = np.ma.getmaskarray(array)
    if data.dtype.kind == "f":
        missing = missing | np.isnan(data)
    if data.dtype.kind == "M":
        out = np.array(pd.Series(data).astype(object), dtype=object)
    else:
        out = data.astype(object, copy=True)  # numbers become Python ints and floats
    out[missing] = None
    return out


def run_steps(con: duckdb.DuckDBPyConnection, steps: list[tuple[str, dict]]) -> pd.DataFrame:
    """Several named queries on one cursor (a temporary table made by one is seen by the
    next); the last one's result."""
    cur = con.cursor()
    try:
        for name, params in steps[:-1]:
            cur.execute(query_text(name), params)
        name, params = steps[-1]
        return cur.execute(query_text(name), params).df()
    finally:
        cur.close()


def dataset_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The loaded dataset's meta rows, key → value (label, default_plan …)."""
    _, rows = run_rows(con, "dataset_meta")   # no frame: every page run reads these few rows
    return {row["key"]: row["value"] for row in rows}


def dataset_label(con: duckdb.DuckDBPyConnection) -> str | None:
    """What the loaded data is called wherever it is shown (示例数据 for the shipped sample)."""
    return dataset_meta(con).get("label")
