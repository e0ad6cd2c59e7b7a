"""Opening the database for the dashboard and the CLI: built from the shipped sample on
first use, and brought up to this code's schema and formulas (with the stored totals that
follow them) when an older version built it — without a rebuild that would lose imported
data or edits. A writer: it calls the loader and the totals, which the store (tuoyu/db.py)
may not."""

import os
import threading
from pathlib import Path

import duckdb

from .. import db, paths, totals
from .build import build_database

_build_lock = threading.Lock()


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Tables added since are created (the schema is all `if not exists`), the macros carry
    the current formulas and the stored totals follow them."""
    if db.is_current(con):
        return
    con.execute("begin")
    try:
        # derived, so dropped rather than altered: its columns follow the macros
        con.execute("drop table if exists unit_quarter_totals")
        con.execute(db.schema_text())
        db.create_macros(con)
        totals.refresh(con)
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")


def _upgrade_for_reading(path: Path) -> None:
    """upgrade() for a caller that will open the file read-only. Skipped when another
    process holds the file for writing (that process upgraded it when it opened it)."""
    try:
        con = db.connect_raw(path)
    except duckdb.Error:
        return
    try:
        upgrade(con)
    finally:
        con.close()


def ensure_database(path: Path, progress=None) -> Path:
    """Build the database from the shipped sample if it does not exist yet."""
    with _build_lock:
        if not path.exists():
            build_database(path, [paths.BASE_DATA, paths.SAMPLE_DATA], progress=progress)
    return path


def open_database(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The store at `path` (--db, $TUOYU_DB, var/tuoyu.duckdb), built on first use and
    upgraded to this code."""
    path = ensure_database(db.db_path(path))
    if read_only:
        _upgrade_for_reading(path)
        return db.connect_raw(path, read_only=True)
    con = db.connect_raw(path)
    upgrade(con)
    return con
