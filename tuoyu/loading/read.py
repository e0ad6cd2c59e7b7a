"""Reading files in the interchange format (DESIGN §2): CSV (UTF-8 or GB18030) and XLSX,
headers in English or Chinese, into raw text rows with English column names. Row numbers
are the ones a person sees in Excel: the header is row 1, the first data row is row 2."""

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem
from ..tables import FULLWIDTH, FULLWIDTH_ANY, TABLES, column_for_header, table_for_name

NO_DATA_ROWS = "文件没有数据行"


@dataclass
class TableFile:
    """One file's rows for one table: raw text cells and, after checking, typed columns."""
    table: str
    file: str
    raw: pd.DataFrame          # text, columns renamed to the English names
    rows: pd.Series            # spreadsheet row number of each row
    typed: pd.DataFrame | None = None



def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel on Chinese
    Windows writes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(data: bytes) -> pd.DataFrame:
    text = decode_csv_bytes(data)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime from Excel
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, table_hint: str | None, sheet_name: str | None = None) -> pd.DataFrame:
    """The named sheet, else the one named for the table, else the first."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheet = book.worksheets[0]
    for ws in book.worksheets:
        if ws.title == sheet_name or (not sheet_name and table_hint and table_for_name(ws.title) == table_hint):
            sheet = ws
            break
    values = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    while values and not any(v.strip() for v in values[-1]):
        values.pop()
    if not values:
        return pd.DataFrame()
    header = [h.strip() for h in values[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in values[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    return frame.loc[:, [h != "" for h in header]]


def _ascii(column: pd.Series) -> pd.Series:
    """The column with 全角 digits and separators made ASCII. Looked for first, in one pass
    over the column: translating cell by cell took 0.3 s of the national build's small files,
    which have none."""
    return column.str.translate(FULLWIDTH) if column.str.contains(FULLWIDTH_ANY, regex=True).any() else column


def read_table_file(name: str, data: bytes, table: str | None = None,
                    sheet: str | None = None) -> tuple[TableFile | None, list[Problem]]:
    """Parse one uploaded or on-disk file (of an XLSX, `sheet`, else the sheet named for
    the table, else the first) into raw text rows with English column names."""
    stem, _, ext = name.rpartition(".")
    ext = ext.lower()
    table = table or table_for_name(Path(stem).name)
    if table is None:
        return None, [Problem(name, None, None,
                              "无法识别文件对应的数据表，文件名应为表名，如 reports.csv 或 机构报表.xlsx")]
    if not data.strip():
        return None, [Problem(name, None, None, "文件为空")]
    try:
        if ext == "csv":
            frame = _read_csv(data)
        elif ext in ("xlsx", "xlsm"):
            frame = _read_xlsx(data, table, sheet)
        else:
            return None, [Problem(name, None, None, "只接受 CSV 或 XLSX 文件")]
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as exc:
        return None, [Problem(name, None, None, f"文件无法读取（{type(exc).__name__}），请检查格式")]
    if frame.empty and len(frame.columns) == 0:
        return None, [Problem(name, None, None, "文件为空")]

    column_for = column_for_header(table)
    rename, problems = {}, []
    for header in frame.columns:
        target = column_for(header)
        if target is None:
            continue  # an extra column (a remark, a running number) is ignored
        if target in rename.values():
            problems.append(Problem(name, 1, str(header), "列重复"))
        rename[header] = target
    frame = frame[list(rename)].rename(columns=rename)
    for col in TABLES[table]:
        if col.name not in frame.columns:
            if col.required:
                problems.append(Problem(name, 1, col.zh, f"缺少必填列（{col.name}）"))
            frame[col.name] = ""
    if problems:
        return None, problems
    frame = frame[[c.name for c in TABLES[table]]]
    # 全角 digits and separators become ASCII where a value is read (codes, numbers, dates);
    # free text (names, notes) keeps its Chinese punctuation
    prose = {c.name for c in TABLES[table] if c.prose}
    frame = frame.apply(lambda s: s.astype(str).str.strip() if s.name in prose else _ascii(s.astype(str)).str.strip())
    keep = frame.ne("").any(axis=1)
    rows = pd.Series(range(2, len(frame) + 2), index=frame.index)[keep]
    frame = frame[keep]
    if frame.empty:
        return None, [Problem(name, None, None, NO_DATA_ROWS)]
    return TableFile(table, name, frame.reset_index(drop=True), rows.reset_index(drop=True)), []


def read_folder(folder: Path, defer=None) -> tuple[list[TableFile], dict[str, str], list[Problem]]:
    """Every table file in a folder, plus dataset.csv (key,value) as metadata. A file for
    which defer(path) is true is not read; defer collects it (the build's fast path)."""
    files, problems, meta = [], [], {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm") or path.name.startswith("~$"):
            continue
        if path.stem == "dataset":
            meta = dict(_read_csv(path.read_bytes()).itertuples(index=False, name=None))
            continue
        if defer and defer(path):
            continue
        tf, found = read_table_file(path.name, path.read_bytes())
        problems += found
        if tf is not None:
            files.append(tf)
    return files, meta, problems

