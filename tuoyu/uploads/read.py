"""Reading an upload (数据上报), the first stage of an import: files → tables. Limits, the
file's table(s), the loader's reading (tuoyu.loading.read: encodings, headers) and formula
cells. Nothing here touches the store, so an import does all of it before it takes the
import lock.

Limits are checked on what a file holds, not only on what it weighs: a 167 KB XLSX can
hold 100,000 rows, and a 3 MB one can inflate to 756 MB. The XLSX's parts are counted
while they are streamed out of the zip (rows, cells, unpacked bytes), and the scan stops
at the first limit passed, before openpyxl (which reads a whole part into memory) is ever
called.

A workbook may hold several tables, one per sheet named for its table (机构报表,
托育机构名录 …); each is read. A sheet with data that names no table is refused by name
rather than dropped, except the first sheet of a file whose own name (or header) says its
table, and the helper sheets of our own template (填写说明, 机构名单, 区划代码)."""

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from ..loading.read import NO_DATA_ROWS, TableFile, decode_csv_bytes, read_table_file
from ..tables import TABLE_ZH, TABLES, column_for_header, table_for_name

# The tables county staff send. Regions and the plan tables are loaded with `init` only.
IMPORTABLE = ("reports", "institutions", "population", "region_indicators", "surveys", "incidents")
MAX_UPLOAD_MB = 20                # a file larger than this is refused in Chinese …
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
TRANSPORT_MB = 100                # … up to .streamlit/config.toml server.maxUploadSize (keep equal),
                                  # above which Streamlit's uploader refuses on its own, in English
MAX_ROWS = 50_000                 # rows in one file, header included, all sheets together
MAX_CELLS = 1_000_000             # cells in one file
MAX_UNPACKED_MB = 100             # an XLSX's parts, unpacked
MAX_UNPACKED_BYTES = MAX_UNPACKED_MB * 1024 * 1024
TEMPLATE_SHEETS = ("填写说明", "机构名单", "区划代码")  # the template's helper sheets (templates.template_bytes)
SPLIT = "，请分成几个文件上报"

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|v|is)[\s/>]")
_CHUNK = 1024 * 1024
NOT_XLSX = "不是有效的 XLSX 文件，请在 Excel 中另存为 .xlsx 后再上传"


@dataclass
class Upload:
    """What reading one uploaded file gave: its tables, its problems, and the (row,
    column) of each formula cell by table file (named once, as a formula)."""
    files: list[TableFile]
    problems: list[Problem]
    formulas: dict[str, set]


@dataclass
class Uploaded:
    """Every file of one upload, read: each table with the bytes of its file, the problems
    found while reading, the formula cells by table file, and the file names as sent."""
    parsed: list[tuple[TableFile, bytes]]
    problems: list[Problem]
    formulas: dict[str, set]
    names: list[str]


def size_problem(name: str, size: int) -> Problem | None:
    """The refusal of a file over MAX_UPLOAD_MB (also shown as soon as it is chosen)."""
    if size <= MAX_UPLOAD_BYTES:
        return None
    return Problem(name, None, None, f"文件大小{size / 1024 / 1024:.1f}MB，超过{MAX_UPLOAD_MB}MB上限{SPLIT}")


# ------------------------------------------------------------------ limits

class _Count:
    def __init__(self):
        self.rows = self.cells = self.unpacked = 0

    def problem(self) -> str | None:
        if self.unpacked > MAX_UNPACKED_BYTES:
            return f"文件解压后超过{MAX_UNPACKED_MB}MB{SPLIT}（或删去不需要的工作表、格式和图片）"
        if self.rows > MAX_ROWS:
            return f"文件超过{MAX_ROWS:,}行{SPLIT}"
        if self.cells > MAX_CELLS:
            return f"文件超过{MAX_CELLS:,}个单元格{SPLIT}"
        return None


def _csv_limits(data: bytes) -> str | None:
    count = _Count()
    count.rows = data.count(b"\n") + (not data.endswith(b"\n"))
    count.cells = data.count(b",") + count.rows
    return count.problem()


def _xlsx_limits(data: bytes) -> tuple[str | None, dict[str, int]]:
    """The first limit the workbook passes (None: within all), and the number of value
    cells in each part read (a sheet without any is empty)."""
    count, values = _Count(), {}

    def tags(text: bytes, part: str) -> None:
        for match in _TAG.finditer(text):
            tag = match.group(1)
            count.rows += tag == b"row"
            count.cells += tag == b"c"
            values[part] += tag in (b"v", b"is")

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        count.unpacked = sum(info.file_size for info in z.infolist())
        if count.problem():  # as declared: refused without unpacking anything
            return count.problem(), values
        count.unpacked = 0
        for info in z.infolist():
            sheet = info.filename.startswith("xl/worksheets/")
            values[info.filename] = 0
            tail = b""
            with z.open(info) as part:
                while chunk := part.read(_CHUNK):
                    count.unpacked += len(chunk)
                    if sheet:  # tags up to the last "<" of a chunk; the rest goes with the next
                        text = tail + chunk
                        cut = max(text.rfind(b"<"), 0)
                        tags(text[:cut], info.filename)
                        tail = text[cut:]
                    if count.problem():
                        return count.problem(), values
            tags(tail + b" ", info.filename)
    return count.problem(), values


# ------------------------------------------------------------------ which table(s)

def _xlsx_sheets(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, part path) of each sheet of an XLSX, in workbook order."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    out = []
    for sheet in book.find("m:sheets", _NS) or []:
        target = targets.get(sheet.get(_R_ID), "")
        out.append((sheet.get("name"), target.lstrip("/") if target.startswith("/") else "xl/" + target))
    return out


def _xlsx_merged(data: bytes, part: str) -> list[tuple[int, str]]:
    """(first row, range) of every merged range on a sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(part)
    out = []
    for m in _MERGE.finditer(xml):
        first = f"{m.group(1).decode()}{m.group(2).decode()}"
        span = f"{first}:{m.group(3).decode()}{m.group(4).decode()}" if m.group(3) else first
        out.append((int(m.group(2)), span))
    return sorted(out)


def _header_cells(name: str, data: bytes, sheet: str | None = None) -> list[str]:
    if name.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        try:
            ws = book[sheet] if sheet else book.worksheets[0]
            row = next(ws.iter_rows(max_row=1, values_only=True), ())
        finally:
            book.close()
        return [str(v).strip() for v in row if v is not None]
    line = decode_csv_bytes(data.split(b"\n", 1)[0]).splitlines()[:1]
    return [c.strip() for c in next(csv.reader(line), [])]


def _table_by_header(header: list[str]) -> str | None:
    """The importable table whose required columns are all in the header, with the most
    columns known: a header is read as the loader reads it (tables.column_for_header)."""
    best, best_score = None, 0
    for candidate in IMPORTABLE:
        column_for = column_for_header(candidate)
        present = {column_for(h) for h in header} - {None}
        required = {c.name for c in TABLES[candidate] if c.required}
        if required <= present and len(present) > best_score:
            best, best_score = candidate, len(present)
    return best


def _stem_table(name: str) -> str | None:
    return table_for_name(Path(name).name.rpartition(".")[0] or name)


def _sheet_tables(name: str, data: bytes, values: dict[str, int]) -> tuple[list[tuple[str, str, str]], list[Problem]]:
    """(sheet, part, table) for each sheet to read, and the refusals of sheets with data
    that say no table."""
    sheets = _xlsx_sheets(data)
    named = [(s, p, table_for_name(s)) for s, p in sheets if table_for_name(s)]
    chosen, problems = list(named), []
    for index, (sheet, part) in enumerate(sheets):
        if table_for_name(sheet) or sheet in TEMPLATE_SHEETS or not values.get(part):
            continue
        if index == 0 and not named:  # a file of one table on its first sheet, named by the file or its header
            table = _stem_table(name) or _table_by_header(_header_cells(name, data, sheet))
            if table:
                chosen.append((sheet, part, table))
                continue
        if named or index > 0:
            problems.append(Problem(name, None, None, f"工作表“{sheet}”有数据，但看不出是哪张表：请把它改名为"
                                                      f"表名（如 机构报表、托育机构名录），或删去该工作表后再上传"))
    return chosen, problems


# ------------------------------------------------------------------ reading

def _formulas(tf: TableFile) -> tuple[list[Problem], set]:
    problems, cells = [], set()
    zh = {c.name: c.zh for c in TABLES[tf.table]}
    for column in tf.raw.columns:
        for idx in tf.raw.index[tf.raw[column].str.startswith("=")]:
            row = int(tf.rows[idx])
            cells.add((row, zh[column]))
            problems.append(Problem(tf.file, row, zh[column], f"“{tf.raw.at[idx, column]}”是公式：请改为数值"
                                                              "（复制后“选择性粘贴 → 数值”）"))
    return problems, cells


def _importable(label: str, table: str | None) -> list[Problem]:
    if table is None:
        return [Problem(label, None, None, "无法识别文件对应的数据表：请使用模板，文件名或工作表名用表名"
                                           "（如 机构报表.xlsx），并保留模板的列名")]
    if table not in IMPORTABLE:
        allowed = "、".join(TABLE_ZH[t] for t in IMPORTABLE)
        return [Problem(label, None, None, f"“{TABLE_ZH[table]}”不通过数据上报导入；可上报：{allowed}")]
    return []


def _merged_problems(label: str, merged) -> list[Problem]:
    out = []
    for row, span in merged:
        if row <= 2:
            text = f"表头有合并单元格（{span}）：请删除标题行并取消合并，第1行应为列名（可对照模板）"
        else:
            text = f"有合并单元格（{span}）：请取消合并，每行填写完整"
        out.append(Problem(label, row, None, text))
    return out


def _read_xlsx_upload(name: str, data: bytes) -> Upload:
    try:
        limit, values = _xlsx_limits(data)
        if limit:
            return Upload([], [Problem(name, None, None, limit)], {})
        chosen, problems = _sheet_tables(name, data, values)
        merged = {sheet: _xlsx_merged(data, part) for sheet, part, _ in chosen}
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, OSError, EOFError,
            RuntimeError, NotImplementedError):  # encrypted or unsupported parts, too
        return Upload([], [Problem(name, None, None, NOT_XLSX)], {})
    if not chosen and not problems:
        problems = _importable(name, None)
    several = len(chosen) > 1
    files, formulas = [], {}
    for sheet, _, table in chosen:
        label = f"{name}（{sheet}）" if several else name
        refused = _importable(label, table) or _merged_problems(label, merged[sheet])
        if refused:
            problems += refused
            continue
        tf, found = read_table_file(name, data, table, sheet=sheet)
        if tf is None and several and [p.message for p in found] == [NO_DATA_ROWS]:
            continue  # a table's sheet left as in the template, beside one filled in
        if tf is None:
            problems += [Problem(label, p.row, p.column, p.message) for p in found]
            continue
        tf.file = label
        found, formulas[label] = _formulas(tf)
        problems += found
        files.append(tf)
    if not files and not problems:
        problems = [Problem(name, None, None, NO_DATA_ROWS)]
    return Upload(files, problems, formulas)


def read_upload(name: str, data: bytes) -> Upload:
    """One uploaded file: size and limits, its table(s), the loader's reading, formula cells."""
    too_big = size_problem(name, len(data))
    if too_big:
        return Upload([], [too_big], {})
    if not data.strip():
        return Upload([], [Problem(name, None, None, "文件为空")], {})
    ext = name.rpartition(".")[2].lower()
    if ext in ("xlsx", "xlsm"):
        return _read_xlsx_upload(name, data)
    if ext != "csv":
        hint = "（.xls 请在 Excel 中另存为 .xlsx）" if ext == "xls" else ""
        return Upload([], [Problem(name, None, None, f"只接受 CSV 或 XLSX 文件{hint}")], {})
    limit = _csv_limits(data)
    if limit:
        return Upload([], [Problem(name, None, None, limit)], {})
    try:
        table = _stem_table(name) or _table_by_header(_header_cells(name, data))
    except (UnicodeDecodeError, csv.Error):
        table = None
    refused = _importable(name, table)
    if refused:
        return Upload([], refused, {})
    tf, problems = read_table_file(name, data, table)
    if tf is None:
        return Upload([], problems, {})
    found, cells = _formulas(tf)
    return Upload([tf], problems + found, {name: cells})


def read_uploads(files: list[tuple[str, bytes]]) -> Uploaded:
    """Every file of an upload (file name, bytes), read one by one."""
    uploads = [read_upload(name, data) for name, data in files]
    return Uploaded([(tf, data) for u, (_, data) in zip(uploads, files) for tf in u.files],
                    [p for u in uploads for p in u.problems] or ([] if files else [Problem("", None, None, "没有选择文件")]),
                    {label: cells for u in uploads for label, cells in u.formulas.items()},
                    [name for name, _ in files])
