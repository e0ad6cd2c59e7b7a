"""Issue 16 item 4: no export writes a formula. Text typed by anyone (an institution name
loaded by `init --data`, a task note saved on the page) that begins with = + - @ or a tab
comes out of every Excel file as a text cell with Excel's quote prefix.

The exports: 任务台账 (ledger.to_excel), 机构明细 (institutions.to_excel), the briefing's
workbook (briefing.generate), `export-excel`, and every collection template with the
area's institution list (templates.template_bytes)."""

import io
import re
import shutil
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from tests.conftest import FIXTURE
from tuoyu import briefing, cli, db, institutions, ledger, tasks
from tuoyu.loading.build import build_database
from tuoyu.uploads import read, templates

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9999/x","点击查看附件")'
NAMES = {"A1": "=1+1", "A2": "@SUM(1+1)", "B1": "+1+1", "B2": "-1+1"}   # all active in 测试市 at 2024Q3
TAB_NOTE = "\t=1+1"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """The fixture with four institutions renamed to formulas (loaded by init, which takes
    any text) and the one task's note set to a HYPERLINK formula."""
    folder = tmp_path_factory.mktemp("hostile")
    data = shutil.copytree(FIXTURE, folder / "data")
    text = (data / "institutions.csv").read_text(encoding="utf-8")
    for inst, name in NAMES.items():
        text = re.sub(rf"^{inst},[^,]*,", f'{inst},"{name}",', text, flags=re.M)
    (data / "institutions.csv").write_text(text, encoding="utf-8")
    path = folder / "hostile.duckdb"
    build_database(path, [data])
    con = db.connect(path)
    try:
        # dated inside 2024Q3, so that the briefing of that quarter (as of its last day) shows it
        tasks.update_task(con, "T-1", "进行中", HYPERLINK, by="=cmd|' /C calc'!A0", at=datetime(2024, 9, 1, 10))
    finally:
        con.close()
    return path


def exports(path, tmp_path) -> dict[str, bytes]:
    con = db.connect(path)
    try:
        out = {
            "任务台账": ledger.to_excel(ledger.load_tasks(con, "TESTPLAN"), title="=任务台账", subtitle="-示例"),
            "机构明细": institutions.to_excel(institutions.details(con, "990100", "2024Q3", "filed")),
            "简报 Excel": briefing.generate(con, "TESTPLAN", "990100", "2024Q3", "filed", formats=(".xlsx",)).xlsx,
        }
        for table in read.IMPORTABLE:
            out[f"模板 {table}"] = templates.template_bytes(table, "xlsx", con, "990100")
    finally:
        con.close()
    target = tmp_path / "all.xlsx"
    assert cli.main(["--db", str(path), "export-excel", "--plan", "TESTPLAN", "--region", "990100",
                     "--period", "2024Q3", "-o", str(target)]) == 0
    out["export-excel"] = target.read_bytes()
    return out


def text_cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield sheet.title, cell


def problems_in(data: bytes) -> list[str]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for part in z.namelist():
            if part.startswith("xl/worksheets/sheet") and re.search(rb"<f[ >]", z.read(part)):
                out.append(f"{part} holds a formula")
    for sheet, cell in text_cells(data):
        if cell.data_type != "s":
            out.append(f"{sheet}!{cell.coordinate} {cell.value!r} is written as {cell.data_type}")
        elif cell.value.startswith(("=", "+", "-", "@", "\t", "\r")) and not cell.quotePrefix:
            out.append(f"{sheet}!{cell.coordinate} {cell.value!r} has no quote prefix")
    return out


def test_every_export_writes_formula_like_text_as_text(hostile_db, tmp_path):
    written = exports(hostile_db, tmp_path)
    assert {name: problems_in(data) for name, data in written.items() if problems_in(data)} == {}
    # each export holds the hostile text it should, exactly as typed
    for name, data in written.items():
        found = {cell.value for _, cell in text_cells(data)}
        if name in ("任务台账", "简报 Excel", "export-excel"):
            assert HYPERLINK in found, name
        if name in ("机构明细", "简报 Excel", "export-excel", "模板 reports", "模板 incidents"):
            assert set(NAMES.values()) <= found, name


def test_a_tab_led_note_stays_text(hostile_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(hostile_db, copy)
    con = db.connect(copy)
    try:
        tasks.update_task(con, "T-1", "进行中", TAB_NOTE.strip() + "（附件）", by="测试")
        ledger_rows = ledger.load_tasks(con, "TESTPLAN").assign(progress_note=TAB_NOTE)
    finally:
        con.close()
    cells = {c.value: c for _, c in text_cells(ledger.to_excel(ledger_rows))}
    assert cells[TAB_NOTE].data_type == "s" and cells[TAB_NOTE].quotePrefix
