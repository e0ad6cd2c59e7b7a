"""The DuckDB store: where it lives, building it on first use, and running named queries.

Queries are the .sql files in queries/; `run` accepts only their names and binds every
parameter, so no input ever becomes SQL text."""

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DDL = QUERIES / "ddl"
DATA = ROOT / "data"
BASE_DATA = DATA / "base"      # the plans, their targets, phases and tasks; the national series
SAMPLE_DATA = DATA / "sample"  # 示例数据
DEFAULT_DB = ROOT / "var" / "tuoyu.duckdb"

_build_lock = threading.Lock()


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db, else $TUOYU_DB, else var/tuoyu.duckdb under the repository (git-ignored)."""
    return Path(explicit or os.environ.get("TUOYU_DB") or DEFAULT_DB)


def connect_raw(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_schema_text())
    create_macros(con)


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    text = (DDL / "macros.sql").read_text(encoding="utf-8")
    con.execute(text)
    con.execute("insert or replace into meta values ('macros_sha256', ?)", [_digest(text + _schema_text())])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a database built by an older version up to the code: tables added since are
    created (the schema is all `if not exists`) and the macros carry the current formulas,
    without a rebuild that would lose imported data or edits."""
    text = (DDL / "macros.sql").read_text(encoding="utf-8")
    stored = con.execute("select value from meta where key = 'macros_sha256'").fetchone()
    if stored and stored[0] == _digest(text + _schema_text()):
        return
    from . import totals

    con.execute("begin")
    try:
        # derived, so dropped rather than altered: its columns follow the macros
        con.execute("drop table if exists unit_quarter_totals")
        con.execute(_schema_text())
        create_macros(con)
        totals.refresh(con)  # the stored totals follow the formulas
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")


def _schema_text() -> str:
    """schema.sql, then each feature's own schema_<feature>.sql (import batches, task
    history …), all idempotent."""
    files = [DDL / "schema.sql"] + sorted(DDL.glob("schema_*.sql"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def refresh_macros(path: Path) -> None:
    """upgrade() for a caller that will open the file read-only. Skipped when another
    process holds the file for writing (that process upgraded it when it opened it)."""
    try:
        con = connect_raw(path)
    except duckdb.Error:
        return
    try:
        upgrade(con)
    finally:
        con.close()


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild tables derived from others (the region closure, the per-unit totals) inside
    the caller's transaction."""
    from . import totals

    con.execute("delete from region_tree")
    con.execute((DDL / "region_tree.sql").read_text(encoding="utf-8"))
    totals.refresh(con)


def ensure_database(path: Path, progress=None) -> Path:
    """Build the database from the shipped sample if it does not exist yet."""
    from .ingest import build_database

    with _build_lock:
        if not path.exists():
            build_database(path, [BASE_DATA, SAMPLE_DATA], progress=progress)
    return path


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store, building it from the sample on first use."""
    path = ensure_database(db_path(path))
    if read_only:
        refresh_macros(path)
        return connect_raw(path, read_only=True)
    con = connect_raw(path)
    upgrade(con)
    return con


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.sql"))


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    """The text of queries/<name>.sql, read once per process (listing the folder on every
    query cost a page at national scale ~13 ms)."""
    if name not in query_names():
        raise KeyError(f"unknown query {name!r}")
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters on its own cursor (a connection is
    shared between Streamlit's session threads; a cursor is not)."""
    cur = con.cursor()
    try:
        return cur.execute(query_text(name), params).df()
    finally:
        cur.close()


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
