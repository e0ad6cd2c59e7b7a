"""Issue 16 items 6 and 8: what an upload holds is limited while it is read, before the
import lock is taken; only the write holds the lock; every table sheet of a workbook is
read, and a sheet that names no table is refused by name. On copies of the fixture."""

import io
import json
import threading

import pytest
from openpyxl import Workbook

from tests import xlsx_files
from tuoyu.uploads import checks, history, write

AREA = "990100"
REPORTS_HEADER = ["institution_id", "period", "slots", "enrolled_infant", "enrolled_toddler", "enrolled_preschool",
                  "caregivers", "caregivers_certified", "meets_standard"]
B1_Q3 = ["B1", "2024Q3", "50", "5", "15", "20", "8", "6", "是"]
A4_Q3 = ["A4", "2024-09", "12", "0", "6", "4", "2", "2", "是"]
INSTITUTION_C2 = ["C2", "乙县新办托育点", "990102", "托育机构", "民办", "否", "2024-01-02", "", "", "否", "否"]
INSTITUTIONS_HEADER = ["机构编码", "机构名称", "所在县区(或乡镇)代码", "类型", "举办性质", "是否普惠", "登记日期",
                       "备案日期", "注销日期", "是否示范", "是否指导中心"]


def send(con, *files, by="甲县卫健局", **kw):
    return write.import_files(con, list(files), by, plan_region=AREA, **kw)


def csv_file(name, header, rows) -> tuple[str, bytes]:
    return name, ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode("utf-8")


def workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROW = xlsx_files.row(B1_Q3)


class LockSpy:
    """Stands in for the import lock and notes whether it was ever taken."""

    def __init__(self):
        self.real, self.taken = threading.Lock(), 0

    def __enter__(self):
        self.taken += 1
        return self.real.__enter__()

    def __exit__(self, *exc):
        return self.real.__exit__(*exc)


@pytest.fixture
def lock(monkeypatch):
    spy = LockSpy()
    monkeypatch.setattr(write, "LOCK", spy)
    return spy


@pytest.fixture
def no_openpyxl_reads(monkeypatch):
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl read a workbook that the limits should have refused")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# ------------------------------------------------------------------ limits, before the lock

def test_too_many_rows_in_a_small_xlsx_refused_before_the_lock(wcon, lock, no_openpyxl_reads):
    data = xlsx_files.streamed_xlsx(b"", ROW, 100_000)
    assert len(data) < 1024 * 1024                      # under 1 MB sent, 100,000 rows inside
    result = send(wcon, ("机构报表.xlsx", data))
    assert [str(p) for p in result.problems] == ["机构报表.xlsx：文件超过50,000行，请分成几个文件上报"]
    assert lock.taken == 0


def test_an_xlsx_that_inflates_past_the_limit_is_refused_unread(wcon, lock, no_openpyxl_reads):
    data = xlsx_files.streamed_xlsx(b"", xlsx_files.row(["x" * 60_000]), 2_000)   # 120 MB unpacked
    assert len(data) < 2 * 1024 * 1024
    result = send(wcon, ("机构报表.xlsx", data))
    assert [p.message for p in result.problems] == [
        "文件解压后超过100MB，请分成几个文件上报（或删去不需要的工作表、格式和图片）"]
    assert lock.taken == 0


def test_too_many_rows_or_cells_in_a_csv(wcon, lock):
    rows = csv_file("reports.csv", REPORTS_HEADER, [B1_Q3] * 50_000)  # 50,001 rows with the header
    assert [p.message for p in send(wcon, rows).problems] == ["文件超过50,000行，请分成几个文件上报"]
    wide = csv_file("reports.csv", REPORTS_HEADER + [f"备注{i}" for i in range(40)], [B1_Q3 + ["x"] * 40] * 25_000)
    assert [p.message for p in send(wcon, wide).problems] == ["文件超过1,000,000个单元格，请分成几个文件上报"]
    assert lock.taken == 0


def test_a_file_within_the_limits_takes_the_lock_once_to_write(wcon, lock):
    result = send(wcon, csv_file("reports.csv", REPORTS_HEADER, [B1_Q3]))
    assert result.ok and result.batch_ids == [1] and lock.taken == 1
    assert send(wcon, csv_file("reports.csv", REPORTS_HEADER, [B1_Q3]), dry_run=True).ok
    assert send(wcon, csv_file("reports.csv", REPORTS_HEADER, [B1_Q3])).batch_ids == []  # nothing to write
    assert lock.taken == 1


# ------------------------------------------------------------------ the lock is for the write only

def test_an_upload_being_checked_keeps_no_one_waiting(wcon, monkeypatch):
    """A is held inside its checks; B (same key, other figures) imports meanwhile. A then
    plans again under the lock, so its batch replaces B's row and undoing A brings B's back."""
    checking, release = threading.Event(), threading.Event()
    real_check = checks.check_files

    def held_check(files, known=None):
        if any(tf.file == "a.csv" for tf in files) and not checking.is_set():
            checking.set()
            release.wait(timeout=120)
        return real_check(files, known)

    monkeypatch.setattr(checks, "check_files", held_check)
    a_row, b_row = B1_Q3[:2] + ["40"] + B1_Q3[3:], B1_Q3
    results = {}
    a = threading.Thread(target=lambda: results.setdefault("a", send(wcon, csv_file("a.csv", REPORTS_HEADER, [a_row]))))
    b = threading.Thread(target=lambda: results.setdefault("b", send(wcon, csv_file("b.csv", REPORTS_HEADER, [b_row]))))
    a.start()
    assert checking.wait(timeout=60)
    b.start()
    b.join(timeout=60)
    b_finished_while_a_was_checked = not b.is_alive()
    release.set()
    a.join(timeout=120)
    b.join(timeout=120)
    assert b_finished_while_a_was_checked
    assert results["b"].batch_ids == [1] and results["a"].batch_ids == [2]
    assert results["a"].files[0].rows_replaced == 1          # planned again: B's row was there by then
    (old,) = [json.loads(j) for (j,) in wcon.execute(
        "select old_json from import_batch_rows where batch_id = 2").fetchall()]
    assert old["slots"] == 50
    assert history.undo(wcon, 2, "测试").ok
    assert wcon.execute("select slots from reports where institution_id = 'B1' and period = '2024Q3'").fetchone() == (50,)


# ------------------------------------------------------------------ workbooks of several sheets

def test_every_table_sheet_of_a_workbook_is_read(wcon):
    data = workbook({"托育机构名录": [INSTITUTIONS_HEADER, INSTITUTION_C2],
                     "机构报表": [REPORTS_HEADER, ["C2", "2024Q3", "30", "0", "10", "10", "4", "3", "是"], A4_Q3],
                     "填写说明": [["说明"], ["随便写"]]})
    result = send(wcon, ("乙县2024Q3.xlsx", data))
    assert result.ok, result.problems
    assert [(f.file, f.table, f.rows_added, f.batch_id) for f in result.files] == [
        ("乙县2024Q3.xlsx（托育机构名录）", "institutions", 1, 1), ("乙县2024Q3.xlsx（机构报表）", "reports", 2, 2)]
    assert wcon.execute("select count(*) from reports where (institution_id, period) in "
                        "(('C2', '2024Q3'), ('A4', '2024-09'))").fetchone() == (2,)


def test_a_sheet_that_names_no_table_is_refused_by_name(wcon):
    before = wcon.execute("select count(*) from reports").fetchone()
    data = workbook({"机构报表": [REPORTS_HEADER, B1_Q3], "Sheet2": [REPORTS_HEADER, A4_Q3]})
    result = send(wcon, ("报表.xlsx", data))
    assert [str(p) for p in result.problems] == [
        "报表.xlsx：工作表“Sheet2”有数据，但看不出是哪张表：请把它改名为表名（如 机构报表、托育机构名录），"
        "或删去该工作表后再上传"]
    assert wcon.execute("select count(*) from reports").fetchone() == before
    # a file named for its table, its data on an unnamed first sheet and nothing else, is read as before
    assert send(wcon, ("reports.xlsx", workbook({"Sheet1": [REPORTS_HEADER, B1_Q3], "Sheet2": []}))).ok


def test_a_template_sheet_left_empty_beside_a_filled_one_is_skipped(wcon):
    data = workbook({"托育机构名录": [INSTITUTIONS_HEADER], "机构报表": [REPORTS_HEADER, B1_Q3]})
    result = send(wcon, ("上报.xlsx", data))
    assert result.ok and [f.table for f in result.files] == ["reports"]


def test_a_file_named_for_no_table_is_recognised_by_its_header_as_the_loader_reads_it(wcon):
    """One header rule (tables.column_for_header): a header the loader reads (English in
    any case, 全角 digits) also tells which table an unnamed file is."""
    upper = [h.upper() for h in REPORTS_HEADER]
    result = send(wcon, csv_file("九月.csv", upper, [B1_Q3]), dry_run=True)
    assert result.ok and [(f.table, f.rows_added) for f in result.files] == [("reports", 1)]
    population = ["区划代码", "年份", "常住人口", "３岁以下婴幼儿数"]
    result = send(wcon, csv_file("普查.csv", population, [["990101", "2025", "80000", "1600"]]), dry_run=True)
    assert result.ok and [f.table for f in result.files] == ["population"]
