"""Building a database from a folder of files in the interchange format (python -m tuoyu
init, and the sample on first use). Everything is checked before anything is written: a
folder with any problem is refused whole, every problem named in Chinese by file, row and
column."""

import os
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from .. import db, tasks, totals
from ..errors import ImportRefused, Problem
from ..tables import LOAD_ORDER
from . import fast as fastpath, rebuild
from .read import read_folder
from .rules import check_files
from .write import combine, insert_frame, prepare_rows


def _read_folders(folders: list[Path], defer=None):
    files, meta, problems = [], {}, []
    for folder in folders:
        if not folder.is_dir():
            raise ImportRefused([Problem(str(folder), None, None, "数据目录不存在")])
        found, folder_meta, folder_problems = read_folder(folder, defer)
        files += found
        meta.update(folder_meta)
        problems += folder_problems
    return files, meta, problems


def _pandas_path(folders: list[Path]):
    """Every file read and checked the usual way: files, meta and every problem, worded."""
    files, meta, problems = _read_folders(folders)
    return files, meta, problems + check_files(files, {})


def _insert(con, frames, fast, progress) -> dict[str, int]:
    """Every table's rows, from the fast path's temp tables or the checked frames."""
    counts = {}
    for table in LOAD_ORDER:
        if table in frames or table in fast:
            if progress:
                progress(table)
            counts[table] = (fastpath.insert(con, table) if table in fast
                             else insert_frame(con, table, prepare_rows(table, frames[table])))
    return counts


def build_database(db_path: Path, folders: list[Path], progress=None, fast_path: bool = True) -> dict[str, int]:
    """(Re)build the database at db_path from the folders, later folders overriding
    earlier ones. The new database is written beside the old one and swapped in only when
    complete, so a refused folder or a crash leaves an existing database as it was. An
    existing database is replaced only while no other process holds it, and its accounts
    and audit log are carried into the new one (rebuild.py).
    A large CSV of institutions or reports is checked in DuckDB first (fast.py); if any
    file is not plainly clean, every file is read and checked the usual way instead (as
    all are with fast_path=False)."""
    deferred: dict[str, list[Path]] = {}
    files, meta, problems = _read_folders(folders, fastpath.defer_large(deferred) if fast_path else None)
    fast = {table: paths[0] for table, paths in deferred.items()}
    if deferred and (problems or any(len(paths) > 1 for paths in deferred.values())
                     or any(tf.table in fast for tf in files)):
        fast = {}
        files, meta, problems = _read_folders(folders)

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    rebuild.clean_leftovers(db_path)
    replacing = db_path.exists()
    if replacing:
        rebuild.ensure_free(db_path)
    building = db_path.with_name(db_path.name + f".building-{os.getpid()}")
    for leftover in (building, Path(str(building) + ".wal")):
        leftover.unlink(missing_ok=True)
    con, keyed = None, False
    try:
        known = {}
        if fast:
            con = db.connect_raw(building)
            db.create_schema(con, keys=False)
            known = fastpath.load_all(con, fast, files)
            if known is None:  # let the pandas path find and word every problem
                fast, known = {}, {}
                files, meta, problems = _read_folders(folders)
        problems += check_files(files, known)
        if problems and fast and fastpath.any_key_twice(con, fast):
            fast = {}  # a key twice in a large file: only the pandas path names both rows
            files, meta, problems = _pandas_path(folders)
        if problems:
            raise ImportRefused(problems)
        if con is None:
            con = db.connect_raw(building)
            db.create_schema(con, keys=False)
        con.execute("begin")
        counts = _insert(con, combine(files), fast, progress)
        totals.refresh_derived(con)
        counts["task_history"] = tasks.apply_sample_updates(con, folders)
        # when the data was loaded: pages show it as 数据更新于 until an import changes it
        meta = meta | {"built_at": datetime.now().isoformat(sep=" ", timespec="seconds"),
                       # what pages keep of the plans and the region tree is kept per build (indicators.per_build)
                       "build_id": uuid.uuid4().hex}
        # what the build itself recorded, so that later changes can be told apart (rebuild.work_in)
        con.execute("insert or replace into meta values ('task_changes_at_build', ?)", [str(counts["task_history"])])
        for key, value in sorted(meta.items()):
            con.execute("insert into meta values (?, ?)", [key, value])
        con.execute("commit")
        db.add_keys(con)  # after the rows: building the key from them is the cheaper way
        keyed = True
        if replacing:
            counts.update(rebuild.carry_over(con, db_path))
        con.execute("checkpoint")
        con.close()
        con = None
        if replacing:  # again: a dashboard may have started on the old file meanwhile
            rebuild.ensure_free(db_path)
    except BaseException as error:  # an interrupted build (Ctrl-C) removes its file too
        if con is not None:
            con.close()
        building.unlink(missing_ok=True)
        Path(str(building) + ".wal").unlink(missing_ok=True)
        if fast and not keyed and isinstance(error, duckdb.ConstraintException):
            # a key twice in a large file, which the fast path leaves to the table's key:
            # the pandas path names both rows and refuses the folder
            return build_database(db_path, folders, progress, fast_path=False)
        raise
    os.replace(building, db_path)
    Path(str(db_path) + ".wal").unlink(missing_ok=True)
    return counts
