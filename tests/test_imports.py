"""数据上报 (issue #4): every file of the bad-file corpus is refused with its Chinese message
and row and leaves the database exactly as it was; templates filled in and imported move
the indicators to hand-computed values; undo restores exactly and refuses when a later
batch depends on the batch; importing the same file twice changes nothing; the page and
the command line do the same.

Every test that writes works on its own copy of the fixture database."""

import hashlib
import io
import shutil
import tempfile
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from openpyxl import load_workbook

from tests.apptest import chart_rows, metric, run_app, table_with, target_table, units_table
from tuoyu import cli, db, freshness, indicators, periods, totals
from tuoyu.loading.read import read_table_file
from tuoyu.loading.rules import MAX_ENROLMENT_OVER_SLOTS, check_files
from tuoyu.uploads import history, read, templates, write

BAD = Path(__file__).parent / "bad_files"
ROOT = Path(__file__).resolve().parent.parent
AREA = "990100"  # 测试市, the fixture plan's region
REPORTS_HEADER = "institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,caregivers,caregivers_certified,meets_standard\n"


def state(con, data_only: bool = False) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the content of every table (import_* left out when
    data_only: undo records itself there)."""
    tables = [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()]
    out = {}
    for table in tables:
        if data_only and table.startswith("import_"):
            continue
        rows = con.execute(f"select * from {table}").fetchall()
        out[table] = (len(rows), hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest())
    return out


def value(con, code: str, region: str, quarter: str = "2024Q3"):
    return indicators.row_dict(indicators.values(con, [region], [quarter]), region, quarter)[code]


def send(con, *files, by="甲县卫健局", **kw) -> write.ImportResult:
    return write.import_files(con, [(n, d.encode("utf-8") if isinstance(d, str) else d) for n, d in files],
                                by, plan_region=kw.pop("plan_region", AREA), **kw)


# ------------------------------------------------------------------ the bad-file corpus

CORPUS = [  # file, row, column, message
    ("institutions_unknown_region.csv", 2, "所在县区(或乡镇)代码", "未知区划代码 990199"),
    ("托育机构名录_区域外_gbk.csv", 2, "所在县区(或乡镇)代码", "区划 990200（丙市）不在本方案区域（测试市）内"),
    ("机构报表_未知机构_gbk.csv", 3, "机构编码", "未知机构编码（机构名录中没有） Z9"),
    ("reports_negative_slots.xlsx", 2, "托位数", "不能为负数"),
    ("reports_non_integer.csv", 3, "托位数", "“10.5”应为整数"),
    ("reports_over_150.csv", 2, "托位数", "在托人数超过托位数的150%"),
    ("reports_certified_over.csv", 2, "持证保育人员数", "持证保育人员数超过保育人员数"),
    ("reports_future_period.csv", 2, "报告期", "报告期在未来（尚未结束）"),
    ("reports_before_2019.csv", 2, "报告期", "报告期早于2019年"),
    ("reports_duplicate_key.csv", 3, None, "与第2行重复（A4、2024Q3）"),
    ("reports_missing_column.csv", 1, "托位数", "缺少必填列（slots）"),
    ("reports_empty.csv", None, None, "文件为空"),
    ("reports_header_only.csv", None, None, "文件没有数据行"),
    ("reports_merged_header.xlsx", 1, None, "表头有合并单元格（A1:I1）：请删除标题行并取消合并，第1行应为列名（可对照模板）"),
    ("reports_formula.xlsx", 3, "托位数", "“=5+5”是公式：请改为数值（复制后“选择性粘贴 → 数值”）"),
]


def test_corpus_is_complete():
    stored = {p.name for p in BAD.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert stored == {name for name, *_ in CORPUS}
    assert any(p.suffix == ".xlsx" for p in BAD.iterdir())
    gbk = [p for p in BAD.iterdir() if p.name.endswith("_gbk.csv")]
    assert gbk and all(_not_utf8(p.read_bytes()) for p in gbk)


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


@pytest.mark.parametrize("name, row, column, message", CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_file_is_refused_and_nothing_changes(wcon, name, row, column, message):
    before = state(wcon)
    result = write.import_files(wcon, [(name, (BAD / name).read_bytes())], "测试", plan_region=AREA)
    assert not result.ok and result.batch_ids == []
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [(name, row, column, message)]
    where = f"{name} 第{row}行" if row else name
    assert str(result.problems[0]).startswith(where)
    table = result.problem_table()
    assert list(table.columns) == ["问题", "行", "列", "文件"] and table["问题"].iloc[0] == message
    assert state(wcon) == before


def test_oversized_file_is_refused(wcon):
    # 20 MB and one byte
    data = (REPORTS_HEADER.encode() + b"A2,2024Q3,40,0,0,35,5,4,0\n" * 900_000)[: read.MAX_UPLOAD_BYTES + 1]
    assert len(data) == 20 * 1024 * 1024 + 1
    before = state(wcon)
    result = write.import_files(wcon, [("reports.csv", data)], "测试", plan_region=AREA)
    assert [str(p) for p in result.problems] == ["reports.csv：文件大小20.0MB，超过20MB上限，请分成几个文件上报"]
    assert state(wcon) == before


def test_streamlit_accepts_more_than_the_limit_so_that_the_refusal_is_in_chinese():

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == read.TRANSPORT_MB > read.MAX_UPLOAD_MB


def test_one_bad_file_refuses_the_whole_upload(wcon):
    before = state(wcon)
    good = REPORTS_HEADER + "B1,2024Q3,50,5,15,20,8,6,是\n"
    result = send(wcon, ("reports_good.csv", good), ("reports_over.csv", (BAD / "reports_over_150.csv").read_bytes()))
    assert [p.file for p in result.problems] == ["reports_over.csv"]
    assert state(wcon) == before


def test_one_key_in_two_files_is_refused(wcon):
    row = "B1,2024Q3,50,5,15,20,8,6,是\n"
    result = send(wcon, ("reports_a.csv", REPORTS_HEADER + row), ("机构报表_b.csv", REPORTS_HEADER + row), dry_run=True)
    assert [str(p) for p in result.problems] == ["机构报表_b.csv 第2行：与 reports_a.csv 第2行重复（B1、2024Q3）"]


def test_unrecognised_and_non_importable_files(wcon):
    result = send(wcon, ("随便.csv", "a,b\n1,2\n"), ("regions.csv", "code,name,level\n990103,丙县,county\n"))
    assert [p.message[:9] for p in result.problems] == ["无法识别文件对应的", "“行政区划”不通过"]
    # a file named anything holds reports when its header says so
    result = send(wcon, ("沙坡头区2024年三季度.csv", REPORTS_HEADER + "B1,2024Q3,50,5,15,20,8,6,是\n"), dry_run=True)
    assert result.ok and result.files[0].table == "reports" and result.files[0].rows_added == 1


def test_report_of_an_institution_outside_the_area(wcon):
    result = send(wcon, ("reports.csv", REPORTS_HEADER + "C1,2024Q3,60,4,16,24,7,7,是\n"), dry_run=True)
    assert [str(p) for p in result.problems] == [
        "reports.csv 第2行 “机构编码”列：机构 C1 所在区划 990200（丙市）不在本方案区域（测试市）内"]
    assert send(wcon, ("reports.csv", REPORTS_HEADER + "C1,2024Q3,61,4,16,24,7,7,是\n"),
                plan_region=None, dry_run=True).ok


# ------------------------------------------------------------------ round trips

def test_xlsx_template_filled_and_imported_moves_the_indicators(wcon):
    book = load_workbook(io.BytesIO(templates.template_bytes("reports", "xlsx", wcon, AREA)))
    sheet = book["机构报表"]
    sheet.append(["B1", "2024年第3季度", 50, 5, 15, 20, 8, 6, "是"])   # a new report
    sheet.append(["A2", "2024Q3", 45, 0, 0, 35, 5, 4, "否"])           # re-sent: 40 → 45 slots
    buf = io.BytesIO()
    book.save(buf)
    assert value(wcon, "slots_per_1000", "990100") == pytest.approx(160 / 150)  # 1.07 before

    result = send(wcon, (templates.template_name("reports", "xlsx"), buf.getvalue()))
    assert result.ok and result.batch_ids == [1]
    assert (result.files[0].rows_added, result.files[0].rows_replaced) == (1, 1)
    # 测试市 2024Q3, counted = filed and active: A1 120 (its 2024-09 report), A2 45, B1 50,
    # B2 0 (A3 closed on 2024-09-30, A4 not filed) → 215 slots / 150,000 × 1000 = 1.4333
    assert value(wcon, "slots_per_1000", "990100") == pytest.approx(215 / 150)
    # enrolled: A1 9+30+60 = 99, A2 35, B1 5+15+20 = 40, B2 0 → 174 / 3,000 under-3s = 5.8%
    assert value(wcon, "enrolment_rate", "990100") == pytest.approx(174 / 3000)
    # 乙县: B1 50 + B2 0 = 50 / 50,000 (its 2023 population, the latest year) × 1000 = 1.00
    assert value(wcon, "slots_per_1000", "990102") == pytest.approx(1.0)


def test_csv_templates_new_institution_and_its_report_in_one_upload(wcon):
    header_i = templates.template_bytes("institutions", "csv").decode("utf-8-sig")
    header_r = templates.template_bytes("reports", "csv").decode("utf-8-sig")
    institutions = header_i + "N1,乙县新苗二园,990102,托育机构,民办,是,2024-01-01,2024年2月1日,,否,否\r\n"
    reports = header_r + "N1,2024-09,３０,0,10,10,4,4,Y\r\n"   # a month report, full-width digits
    result = send(wcon, ("机构报表.csv", reports.encode("gbk")), ("托育机构名录.csv", "\ufeff" + institutions))
    assert result.ok and result.batch_ids == [1, 2]
    assert [f.table for f in result.files] == ["institutions", "reports"]  # parents first
    # 乙县 2024Q3: B1 no Q3 report, B2 0, N1 30 (its 2024-09 report) → 30 / 50,000 × 1000 = 0.60
    assert value(wcon, "slots_per_1000", "990102") == pytest.approx(0.6)
    # 普惠 share: N1 is 普惠 and holds all 30 counted slots → 100%
    assert value(wcon, "puhui_slot_share", "990102") == pytest.approx(1.0)


def test_quarter_row_beside_month_rows_is_counted_once(wcon):
    # A1 has 2024-07 (100) and 2024-09 (120); a 2024Q3 row is a different period: it is added,
    # the month rows stay, and the quarter row wins at the equal period end (DESIGN §3).
    result = send(wcon, ("reports.csv", REPORTS_HEADER + "A1,2024Q3,130,9,30,60,15,12,是\n"))
    assert (result.files[0].rows_added, result.files[0].rows_replaced) == (1, 0)
    assert wcon.execute("select count(*) from reports where institution_id = 'A1'").fetchone()[0] == 4  # Q2, 07, 09, Q3
    # 测试市: A1 130 + A2 40 + B1 0 + B2 0 = 170 / 150,000 × 1000 = 1.1333
    assert value(wcon, "slots_per_1000", "990100") == pytest.approx(170 / 150)


# ------------------------------------------------------------------ undo

def test_undo_restores_exactly(wcon):
    before, before_value = state(wcon, data_only=True), value(wcon, "slots_per_1000", "990100")
    rows = "B1,2024Q3,50,5,15,20,8,6,是\nA2,2024Q3,45,0,0,35,5,4,否\n"
    result = send(wcon, ("reports.csv", REPORTS_HEADER + rows))
    assert state(wcon, data_only=True) != before
    undone = history.undo(wcon, result.batch_ids[0], "市卫健委")
    assert undone.ok and (undone.rows_removed, undone.rows_restored) == (1, 1)
    assert state(wcon, data_only=True) == before
    assert value(wcon, "slots_per_1000", "990100") == before_value
    listed = history.batches(wcon)
    assert listed["is_undone"].tolist() == [True] and listed["undone_by"].tolist() == ["市卫健委"]
    again = history.undo(wcon, result.batch_ids[0], "市卫健委")
    assert not again.ok and "已于" in again.message()
    assert not history.undo(wcon, 99, "x").ok


def test_undo_refused_while_a_later_batch_replaced_its_rows(wcon):
    before = state(wcon, data_only=True)
    first = send(wcon, ("reports.csv", REPORTS_HEADER + "B1,2024Q3,50,5,15,20,8,6,是\n")).batch_ids[0]
    second = send(wcon, ("reports.csv", REPORTS_HEADER + "B1,2024Q3,55,5,15,20,8,6,是\n")).batch_ids[0]
    refused = history.undo(wcon, first, "x")
    assert not refused.ok
    assert refused.message() == (f"不能撤销第{first}批：第{second}批又替换了本批写入的1行机构报表（如 B1、2024Q3），"
                                 f"请先撤销第{second}批")
    assert history.undo(wcon, second, "x").ok
    assert wcon.execute("select slots from reports where institution_id = 'B1' and period = '2024Q3'").fetchone() == (50,)
    assert history.undo(wcon, first, "x").ok
    assert state(wcon, data_only=True) == before


def test_undo_refused_while_a_later_batch_refers_to_its_institutions(wcon):
    before = state(wcon, data_only=True)
    institutions = templates.template_bytes("institutions", "csv").decode("utf-8-sig") + \
        "N1,乙县新苗二园,990102,托育机构,民办,是,2024-01-01,2024-02-01,,否,否\n"
    first = send(wcon, ("托育机构名录.csv", institutions)).batch_ids[0]
    second = send(wcon, ("reports.csv", REPORTS_HEADER + "N1,2024Q3,30,0,10,10,4,4,是\n")).batch_ids[0]
    refused = history.undo(wcon, first, "x")
    assert not refused.ok and f"第{second}批的1行机构报表引用了本批新增的机构（如 N1、2024Q3）" in refused.message()
    assert history.undo(wcon, second, "x").ok and history.undo(wcon, first, "x").ok
    assert state(wcon, data_only=True) == before


def test_resending_an_institution_updates_it_and_undo_restores_it(wcon):
    before = state(wcon, data_only=True)
    text = ("institution_id,name,region_code,type,ownership,is_puhui,registered_on,filed_on\n"
            "B1,乙县工业园职工托育室（更名）,990102,用人单位办托,公办民营,否,2021-06-01,2021-07-01\n")
    result = send(wcon, ("institutions.csv", text))
    assert (result.files[0].rows_added, result.files[0].rows_replaced) == (0, 1)
    assert wcon.execute("select name, is_puhui, is_guidance_center from institutions where institution_id = 'B1'") \
        .fetchone() == ("乙县工业园职工托育室（更名）", False, False)
    assert history.undo(wcon, result.batch_ids[0], "x").ok
    assert state(wcon, data_only=True) == before


def test_moving_an_institution_with_reports_is_refused_one_without_is_moved(wcon):
    header = "institution_id,name,region_code,type,ownership,is_puhui,registered_on,filed_on\n"
    result = send(wcon, ("institutions.csv", header + "B1,乙县工业园职工托育室,990101,用人单位办托,公办民营,是,2021-06-01,2021-07-01\n"))
    assert [str(p) for p in result.problems] == [
        "institutions.csv 第2行 “所在县区(或乡镇)代码”列：机构 B1 已有报表或事故记录，所在区划不能通过数据上报更改"
        "（库中为 990102）；如确需更改，请联系管理员"]
    before = state(wcon, data_only=True)
    send(wcon, ("institutions.csv", header + "N1,新园,990102,托育机构,民办,否,2024-01-01,2024-02-01\n"))
    moved = send(wcon, ("institutions.csv", header + "N1,新园,990101,托育机构,民办,否,2024-01-01,2024-02-01\n"))
    assert moved.ok and moved.files[0].rows_replaced == 1
    assert wcon.execute("select region_code from institutions where institution_id = 'N1'").fetchone() == ("990101",)
    assert history.undo(wcon, moved.batch_ids[0], "x").ok
    assert wcon.execute("select region_code from institutions where institution_id = 'N1'").fetchone() == ("990102",)
    assert history.undo(wcon, moved.batch_ids[0] - 1, "x").ok and state(wcon, data_only=True) == before


# ------------------------------------------------------------------ idempotence and concurrency

_PERIODS = ("2024Q3", "2024-08", "2025Q1", "2024年第4季度")


@hs.composite
def report_rows(draw):
    keys = draw(hs.sets(hs.tuples(hs.sampled_from(("A1", "A2", "A4", "B1", "B2")), hs.sampled_from(_PERIODS)),
                        min_size=1, max_size=6))
    keys = {(i, periods.parse_period(p)): (i, p) for i, p in keys}  # one row per canonical key
    lines = []
    for inst, period in keys.values():
        parts = draw(hs.lists(hs.integers(0, 40), min_size=3, max_size=3))
        slots = max(draw(hs.integers(0, 200)), -(-sum(parts) * 2 // 3))
        caregivers = draw(hs.integers(0, 20))
        lines.append(f"{inst},{period},{slots},{parts[0]},{parts[1]},{parts[2]},{caregivers},"
                     f"{draw(hs.integers(0, caregivers))},{draw(hs.sampled_from(['是', '否', 'Y', 'n']))}")
    return REPORTS_HEADER + "\n".join(lines) + "\n"


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=report_rows())
def test_importing_the_same_file_twice_changes_nothing_the_second_time(fixture_db_path, text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "copy.duckdb"
        shutil.copyfile(fixture_db_path, path)
        con = db.connect(path)
        try:
            first = send(con, ("reports.csv", text), plan_region=None)
            assert first.ok, [str(p) for p in first.problems]
            after_first = state(con)
            second = send(con, ("reports.csv", text), plan_region=None)
            assert second.ok and second.batch_ids == []
            assert second.files[0].rows_unchanged == first.files[0].rows_added + first.files[0].rows_replaced \
                + first.files[0].rows_unchanged
            assert state(con) == after_first
        finally:
            con.close()


def test_two_sessions_importing_at_once_both_land_while_readers_read(wcon):
    files = [("reports_b1.csv", REPORTS_HEADER + "B1,2024Q3,50,5,15,20,8,6,是\n"),
             ("reports_a4.csv", REPORTS_HEADER + "A4,2024-09,12,0,6,4,2,2,是\n")]
    results, errors, done = [], [], threading.Event()

    def importer(name, text):
        try:
            results.append(send(wcon, (name, text), by=name))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    def reader():
        try:
            while not done.is_set():
                db.run(wcon, "report_quarters")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=importer, args=f) for f in files]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join()
    assert not errors
    assert sorted(b for r in results for b in r.batch_ids) == [1, 2]
    assert wcon.execute("select count(*) from reports where (institution_id, period) in "
                        "(('B1', '2024Q3'), ('A4', '2024-09'))").fetchone() == (2,)


# ------------------------------------------------------------------ templates and freshness

def test_xlsx_template_has_instructions_and_validation_lists(wcon):
    book = load_workbook(io.BytesIO(templates.template_bytes("institutions", "xlsx", wcon, AREA)))
    assert book.sheetnames == ["托育机构名录", "填写说明", "区划代码"]
    data = book["托育机构名录"]
    assert [c.value for c in data[1]][:4] == ["机构编码", "机构名称", "所在县区(或乡镇)代码", "类型"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in data.data_validations.dataValidation}
    assert lists["D2"] == '"托育机构,幼儿园托班,用人单位办托,社区托育点,家庭托育点"'
    assert lists["F2"] == '"是,否"'
    assert lists["C2"].startswith("'区划代码'!$A$2")
    codes = [r[0] for r in book["区划代码"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["990100", "990101", "990101001", "990102"]  # the area only, not 丙市
    guide = [r[0] for r in book["填写说明"].iter_rows(values_only=True)]
    assert "类型" in guide and any("2024年第3季度" in (g or "") for g in guide)
    # the empty template reads back as the right table with no data rows
    tf, problems = read_table_file("托育机构名录_模板.xlsx", templates.template_bytes("institutions", "xlsx"))
    assert tf is None and [p.message for p in problems] == ["文件没有数据行"]


def test_the_template_states_the_numbers_the_checks_use(monkeypatch):
    """The help text names no rule's number itself: 150% and 20MB come from where the
    rules are checked, so changing a rule changes what the template says."""
    def guide_and_notes():
        templates._help.cache_clear()
        book = load_workbook(io.BytesIO(templates.template_bytes("reports", "xlsx")))
        guide = "\n".join(str(v) for r in book["填写说明"].iter_rows(values_only=True) for v in r if v is not None)
        notes = "\n".join(c.comment.text for c in book["机构报表"][1] if c.comment)
        return guide, notes

    guide, notes = guide_and_notes()
    over = check_files([read_table_file("reports.csv", (REPORTS_HEADER + "A2,2024Q3,10,0,0,16,3,1,是\n").encode())[0]])
    assert f"在托人数超过托位数的{MAX_ENROLMENT_OVER_SLOTS:.0%}" in [p.message for p in over]
    assert f"三项合计不得超过托位数的{MAX_ENROLMENT_OVER_SLOTS:.0%}" in guide and "150%" in notes
    assert f"一个文件不超过{read.MAX_UPLOAD_MB}MB" in guide and "{" not in guide + notes
    monkeypatch.setattr(templates, "RULE_NUMBERS", {"max_upload_mb": 7, "max_enrolment_over_slots": 1.25})
    guide, notes = guide_and_notes()
    assert "三项合计不得超过托位数的125%" in guide and "125%" in notes and "150%" not in guide + notes
    assert "一个文件不超过7MB" in guide and "20MB" not in guide
    monkeypatch.undo()
    templates._help.cache_clear()


def test_freshness_by_county(wcon):
    fresh = freshness.freshness(wcon, AREA)
    assert fresh.expected_quarter == "2024Q3"
    # 甲县 at 2024Q3's end: A1, A2, A4 active (A3 closed on 2024-09-30), all reported;
    # 乙县: B1 and B2 active, only B2 reported — listed first, the county to chase
    assert fresh.counties[["县区", "应报机构", "已报", "未报", "情况"]].values.tolist() == [
        ["乙县", 2, 1, 1, "未报齐（缺1家）"], ["甲县", 3, 3, 0, "已报齐"]]
    assert fresh.missing.values.tolist() == [["乙县", "B1", "乙县工业园职工托育室"]]
    assert freshness.notice(wcon, AREA, "2024Q3") is None


def test_notice_of_silent_counties_inside_and_outside_the_stored_quarters(wcon):
    # inside the stored quarters the counties are chosen in SQL, outside in Python: one answer
    assert indicators.stored_span(wcon) is not None
    assert totals.covers(indicators.stored_span(wcon), ["2023Q4"])
    assert not totals.covers(indicators.stored_span(wcon), ["2025Q1"])
    # 2023Q4: 甲县 has A1, A2, A3 active and 乙县 B1, and nobody reported before 2024Q2; both
    # reported later (2024Q3), so no 最新为 is added
    assert freshness.silent_codes(wcon, AREA, "2023Q4") == {"990101", "990102"}
    assert freshness.notice(wcon, AREA, "2023Q4") == (
        "甲县、乙县没有2023年第4季度的机构报表，本期数字未包含其机构的报表数据（报送情况见“数据上报”）。")
    # 2025Q1: A1, A2, A4 and B1, B2 active, no reports; both last reported 2024Q3
    assert freshness.notice(wcon, AREA, "2025Q1") == (
        "甲县（最新为2024年第3季度）、乙县（最新为2024年第3季度）没有2025年第1季度的机构报表，"
        "本期数字未包含其机构的报表数据（报送情况见“数据上报”）。")
    # 2024Q2: each county has a report (A1…A4, B1)
    assert freshness.silent_codes(wcon, AREA, "2024Q2") == set()
    # 数据上报's table says the same of 2025Q1, by the same rule
    assert freshness.freshness(wcon, AREA, "2025Q1").counties[["县区", "应报机构", "已报", "情况"]].values.tolist() == [
        ["甲县", 3, 0, "本期未报送（最新为2024年第3季度）"], ["乙县", 2, 0, "本期未报送（最新为2024年第3季度）"]]


# ------------------------------------------------------------------ the page

def trend_now(at) -> float:
    """总览's trend chart: 测试市's value in its latest quarter, as drawn."""
    rows = chart_rows(at, "每千人口拥有3岁以下婴幼儿托位数", "测试市")
    return round(max(rows, key=lambda r: r["日期"])["值"], 2)


def counties_tables(at) -> tuple:
    """乙县's 每千人口托位数 in 县区对比's indicator table and in its what-if (nothing added)."""
    table = table_with(at, "县区").set_index("县区")
    what_if = table_with(at, "新增后能否达到目标").set_index("地区")
    return table.loc["乙县", "每千人口托位数（个/千人）"], what_if.loc["乙县", "现每千人口托位数"]


def test_upload_page_imports_and_undoes_and_the_overview_follows(monkeypatch, db_copy):
    at = run_app(monkeypatch, db_copy, plan="TESTPLAN", region="990100", period="2024Q3")
    assert metric(at, "每千人口托位数") == "1.07个"
    # the trend chart is kept for every session (tuoyu.ui.figures): it must follow each write too
    assert trend_now(at) == 1.07
    # so are both tables (drawn once per selection and replayed)
    assert "1.07 个/千人" in target_table(at)["评价值"].tolist()
    assert units_table(at).set_index("县区").loc["乙县", "每千人口托位数（个/千人）"] == 0.0
    # 县区对比's table and its what-if with nothing typed in are kept for every session too
    at.switch_page("pages/counties.py").run()
    assert counties_tables(at) == (0.0, 0.0)
    at.switch_page("pages/upload.py").run()
    assert at.title[0].value == "数据上报" and not at.exception
    assert at.dataframe[0].value["县区"].tolist() == ["乙县", "甲县"]  # freshness: 乙县 未报齐 first

    at.file_uploader(key="upload_files").set_value(
        ("reports.csv", (BAD / "reports_over_150.csv").read_bytes(), "text/csv"))
    at.text_input(key="upload_by").input("甲县卫健局 张三")
    at.run()
    at.button(key="upload_go").click().run()
    assert "未写入任何数据" in at.error[0].value
    assert at.dataframe[0].value.to_dict("records")[0]["问题"] == "在托人数超过托位数的150%"

    good = (REPORTS_HEADER + "B1,2024Q3,50,5,15,20,8,6,是\n").encode()
    at.file_uploader(key="upload_files").set_value(("机构报表.csv", good, "text/csv")).run()
    at.button(key="upload_go").click().run()
    assert not at.exception and "导入成功：第1批" in at.success[0].value
    assert any("第1批" in m.value and "新增1行" in m.value for m in at.markdown)

    at.switch_page("pages/overview.py").run()
    # 测试市: A1 120 + A2 40 + B1 50 + B2 0 = 210 / 150,000 × 1000 = 1.40
    assert metric(at, "每千人口托位数") == "1.40个"
    assert trend_now(at) == 1.40
    assert "1.40 个/千人" in target_table(at)["评价值"].tolist()
    # 乙县: B1 50 / 50,000 × 1000 = 1.00
    assert units_table(at).set_index("县区").loc["乙县", "每千人口托位数（个/千人）"] == 1.0
    at.switch_page("pages/counties.py").run()
    assert counties_tables(at) == (1.0, 1.0)

    at.switch_page("pages/upload.py").run()
    at.button(key="upload_undo_1").click().run()
    assert not at.exception and "已撤销第1批" in at.success[0].value
    at.switch_page("pages/overview.py").run()
    assert metric(at, "每千人口托位数") == "1.07个"
    assert trend_now(at) == 1.07
    assert "1.40 个/千人" not in target_table(at)["评价值"].tolist()
    assert units_table(at).set_index("县区").loc["乙县", "每千人口托位数（个/千人）"] == 0.0


def test_overview_names_a_county_that_has_not_reported(monkeypatch, db_copy):
    con = db.connect(db_copy)
    try:
        assert send(con, ("reports.csv", REPORTS_HEADER + "A1,2024Q4,120,9,30,60,15,12,是\n")).ok
    finally:
        con.close()
    at = run_app(monkeypatch, db_copy, plan="TESTPLAN", region="990100", period="2024Q4")
    notices = [i.value for i in at.info]
    assert "乙县（最新为2024年第3季度）没有2024年第4季度的机构报表，本期数字未包含其机构的报表数据（报送情况见“数据上报”）。" \
        in notices


# ------------------------------------------------------------------ the command line

def test_cli_template_import_batches_undo(db_copy, tmp_path, capsys):
    xlsx, csv_file = tmp_path / "报表.xlsx", tmp_path / "报表.csv"
    assert cli.main(["--db", str(db_copy), "template", "机构报表", "-o", str(xlsx), "--region", AREA]) == 0
    assert cli.main(["template", "reports", "-o", str(csv_file)]) == 0
    assert load_workbook(xlsx).sheetnames == ["机构报表", "填写说明", "机构名单"]
    assert csv_file.read_bytes().startswith("\ufeff机构编码,报告期,托位数".encode("utf-8"))

    good = tmp_path / "reports.csv"
    good.write_text(REPORTS_HEADER + "B1,2024Q3,50,5,15,20,8,6,是\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["--db", str(db_copy), "import", str(good), "--dry-run", "--region", AREA]) == 0
    assert "检查通过（仅检查，未写入）" in capsys.readouterr().out
    assert cli.main(["--db", str(db_copy), "import", str(BAD / "reports_over_150.csv")]) == 1
    assert "reports_over_150.csv 第2行 “托位数”列：在托人数超过托位数的150%" in capsys.readouterr().err
    assert cli.main(["--db", str(db_copy), "import", str(good), "--by", "甲县"]) == 0
    assert "导入成功：第1批" in capsys.readouterr().out
    assert cli.main(["--db", str(db_copy), "batches"]) == 0
    assert "第1批" in capsys.readouterr().out
    assert cli.main(["--db", str(db_copy), "undo", "1"]) == 0
    assert "已撤销第1批" in capsys.readouterr().out
    assert cli.main(["--db", str(db_copy), "undo", "1"]) == 1
