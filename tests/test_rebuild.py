"""Issue 16 item 1: `python -m tuoyu init` never loses what people did. It refuses while a
dashboard holds the database, keeps accounts and the audit log across a rebuild, refuses
a rebuild that would drop import batches or task changes unless forced (and then writes a
dated backup first), and leaves no build files behind. On copies of the fixture."""

import signal
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import FIXTURE
from tuoyu import auth, cli, db, tasks
from tuoyu.loading import database
from tuoyu.uploads import write

REPORT = ("reports.csv", b"institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,"
                         b"caregivers,caregivers_certified,meets_standard\nB1,2024Q3,50,5,15,20,8,6,\xe6\x98\xaf\n")


def init(path, *extra) -> int:
    return cli.main(["--db", str(path), "init", "--data", str(FIXTURE), *extra])


def leftovers(path):
    return sorted(p.name for p in path.parent.iterdir() if ".building-" in p.name)


def rows(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def with_account(path):
    con = db.connect(path)
    try:
        auth.add_user(con, "jia", "甲县填报员", "password-jia", "县区填报", ("990101",))
        auth.sign_in(con, "jia", "password-jia")
    finally:
        con.close()


HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(600)"


def test_init_refuses_while_another_process_holds_the_database(db_copy, capsys):
    with_account(db_copy)
    before = rows(db_copy, "select count(*), sum(slots) from reports") + rows(db_copy, "select count(*) from users")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db_copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert init(db_copy) == 5
        assert init(db_copy, "--force") == 5                       # --force never overrides a holder
        err = capsys.readouterr().err
        assert f"数据库 {db_copy} 正被进程 {holder.pid} 使用（如正在运行的看板），未重建" in err
    finally:
        holder.send_signal(signal.SIGTERM)
        holder.wait(timeout=30)
    assert rows(db_copy, "select count(*), sum(slots) from reports") + rows(db_copy, "select count(*) from users") \
        == before
    assert leftovers(db_copy) == [] and not [p for p in db_copy.parent.iterdir() if ".backup-" in p.name]


def test_a_rebuild_keeps_accounts_and_the_audit_log(db_copy, capsys):
    with_account(db_copy)
    events = rows(db_copy, "select event_id, username, action from audit_log order by event_id")
    assert init(db_copy) == 0
    assert "users                      1 行（原库保留）" in capsys.readouterr().out
    after = rows(db_copy, "select event_id, username, action from audit_log order by event_id")
    assert after[:len(events)] == events and after[-1][1:] == ("cli", "init")
    con = db.connect(db_copy)
    try:
        assert auth.sign_in(con, "jia", "password-jia").region_codes == ("990101",)
    finally:
        con.close()
    ids = [i for (i,) in rows(db_copy, "select event_id from audit_log order by event_id")]
    assert ids == list(range(1, len(after) + 2))                   # the sign-in's id goes on from the kept ones


def test_a_rebuild_that_would_drop_batches_or_task_changes_needs_force_and_backs_up(db_copy, capsys):
    con = db.connect(db_copy)
    try:
        (batch,) = write.import_files(con, [REPORT], "甲县卫健局").batch_ids
        tasks.update_task(con, "T-1", "已完成", "验收完毕", by="张三")
    finally:
        con.close()
    assert init(db_copy) == 5
    assert "导入批次 1 个、任务进展记录 1 条" in capsys.readouterr().err
    assert rows(db_copy, "select count(*) from import_batches") == [(1,)]

    assert init(db_copy, "--force") == 0
    out = capsys.readouterr().out
    (backup,) = [p for p in db_copy.parent.iterdir() if ".backup-" in p.name]
    assert f"已将原数据库备份为 {backup}" in out
    assert backup.name.startswith("copy.duckdb.backup-20")
    assert rows(backup, "select batch_id from import_batches") == [(batch,)]
    assert rows(backup, "select new_note from task_history") == [("验收完毕",)]
    assert rows(db_copy, "select count(*) from import_batches") == [(0,)]
    assert init(db_copy) == 0                                       # nothing left to lose: no --force needed


def test_build_files_of_an_interrupted_init_are_removed(db_copy, monkeypatch):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for name in (f"copy.duckdb.building-{dead.pid}", f"copy.duckdb.building-{dead.pid}.wal"):
        (db_copy.parent / name).write_bytes(b"half a database")
    assert init(db_copy) == 0
    assert leftovers(db_copy) == []

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(tasks, "apply_sample_updates", interrupted)
    with pytest.raises(KeyboardInterrupt):
        init(db_copy)
    assert leftovers(db_copy) == []


# ---------------------------------------------------------------- what a build leaves in the store

def indexes(path):
    return [name for (name,) in rows(path, "select index_name from duckdb_indexes() where table_name = 'reports' "
                                           "order by index_name")]


def test_reports_have_no_quarter_index_and_an_older_database_loses_it(db_copy):
    assert indexes(db_copy) == ["reports_key"]   # the key only (ddl/reports_key.sql)
    con = db.connect(db_copy)
    try:  # as a build before this change left it
        con.execute("create index reports_quarter on reports (quarter)")
        con.execute("update meta set value = 'older' where key = 'macros_sha256'")
    finally:
        con.close()
    assert indexes(db_copy) == ["reports_key", "reports_quarter"]
    database.open_database(db_copy).close()  # opening upgrades it
    assert indexes(db_copy) == ["reports_key"]
