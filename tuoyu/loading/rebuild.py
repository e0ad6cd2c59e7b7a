"""Rebuilding a database that people have worked in (`python -m tuoyu init`).

A rebuild writes a new file beside the old one and swaps it in. Done under a running
dashboard, the dashboard kept writing to the old file (a task update said 已记录 and was
lost) and its write-ahead log was left beside the new one ("WAL does not match database
file"); done on a database with accounts, it opened writes to anyone. So:

- no rebuild while any process holds the file (checked before and again just before the
  swap; DuckDB lets one process open a file for writing, so opening it is the test);
- accounts and the audit log are always carried into the new database;
- import batches and task changes cannot be carried (they are changes to the data being
  replaced): a rebuild of a database that holds any is refused unless forced, and a forced
  one first writes a dated copy of the whole file;
- build files left by an interrupted rebuild (.building-PID) are removed."""

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from .. import db
from ..errors import DatabaseInUse, RebuildRefused

KEPT_TABLES = (("users", None), ("audit_log", "audit_event_seq"))  # (table, the sequence its ids come from)
_BUILDING = re.compile(r"\.building-(\d+)(\.wal)?$")


def ensure_free(path: Path) -> None:
    """DatabaseInUse unless this process can open the file for writing, i.e. no other
    process (a running dashboard, another command) holds it. Opening also replays a
    write-ahead log left by a process that was killed, into the file it belongs to. A file
    that cannot be opened for another reason is not "in use": prepare() decides."""
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            return
        holder = re.search(r"PID (\d+)", str(exc))
        who = f"进程 {holder.group(1)} " if holder else "另一个进程"
        raise DatabaseInUse(f"数据库 {path} 正被{who}使用（如正在运行的看板），未重建。\n"
                            "请先停止看板（或该进程）再运行 init。") from exc
    except duckdb.Error:
        return


def work_in(path: Path) -> dict[str, int]:
    """What people did in the database that a rebuild would lose: import batches, and
    task changes beyond those the build itself recorded."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        if not {"import_batches", "task_history", "meta"} <= tables:
            return {"import_batches": 0, "task_changes": 0}
        row = db.run(con, "work_since_build").iloc[0]
        return {"import_batches": int(row["n_batches"]), "task_changes": int(row["n_task_changes"])}
    finally:
        con.close()


def back_up(path: Path, at: datetime | None = None) -> Path:
    """A copy of the whole file beside it, named for the moment: tuoyu.duckdb.backup-20261123-093000."""
    target = path.with_name(f"{path.name}.backup-{(at or datetime.now()):%Y%m%d-%H%M%S}")
    shutil.copyfile(path, target)
    return target


def prepare(path: Path, force: bool) -> Path | None:
    """Before a rebuild of `path`: DatabaseInUse while another process holds it;
    RebuildRefused while it holds work (or cannot be read) and `force` is not given; with
    `force`, the backup written first."""
    if not path.exists():
        return None
    ensure_free(path)
    try:
        work = work_in(path)
    except duckdb.Error as exc:
        if not force:
            raise RebuildRefused(f"无法读取现有数据库 {path}（{exc}），未重建。\n"
                                 "确需重建请加 --force：会先把原文件复制为带日期的备份。") from exc
        return back_up(path)
    if not any(work.values()):
        return None
    if not force:
        raise RebuildRefused(
            f"数据库 {path} 中有在看板或命令行里写入的数据（导入批次 {work['import_batches']} 个、任务进展记录 "
            f"{work['task_changes']} 条），重建会丢失它们，未重建。\n"
            "账号和审计日志总会保留。确需重建请加 --force：会先把原文件复制为带日期的备份。")
    return back_up(path)


def carry_over(con, old: Path) -> dict[str, int]:
    """Copy the accounts and the audit log of the database at `old` into the one `con`
    is building, ids included, in a transaction of its own; rows carried per table. A file
    that cannot be read carries nothing (a forced rebuild has backed it up)."""
    try:
        con.execute(f"attach '{str(old).replace(chr(39), chr(39) * 2)}' as old_db (read_only)")
    except duckdb.Error:
        return {}
    carried = {}
    try:
        present = {t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'old_db'").fetchall()}
        con.execute("begin")
        for table, sequence in KEPT_TABLES:  # names from this module, never from input
            if table not in present:
                continue
            con.execute(f"insert into {table} by name select * from old_db.main.{table}")
            carried[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            if sequence and carried[table]:
                con.execute(f"select setval('{sequence}', (select max(event_id) from {table}))")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("detach old_db")
    return carried


def clean_leftovers(path: Path) -> list[Path]:
    """Remove the build files (and their logs) that a rebuild of `path` interrupted before
    it could clean up: those of processes no longer running."""
    removed = []
    for leftover in path.parent.glob(f"{path.name}.building-*"):
        match = _BUILDING.search(leftover.name)
        if match and not _running(int(match.group(1))):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
