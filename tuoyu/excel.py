"""Every Excel file the dashboard and the CLI hand out (任务台账, 机构明细, the briefing's
tables, export-excel, the collection templates) is written by `save`, so that one rule
decides how a text cell goes into a workbook.

The rule: text that begins with = + - @ (or a tab or carriage return) is written as text
with Excel's quote prefix, never as a formula. A task note, an institution name or a file
name typed by anyone would otherwise become a live formula (=HYPERLINK(…)) in a file that
the joint meeting opens; the quote prefix also keeps Excel from reading it as one when the
cell is edited. Imports refuse formula cells, so no export legitimately holds a formula."""

import io
import unicodedata
from datetime import date, datetime

import pandas as pd
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell) -> None:
    cell.data_type = "s"  # openpyxl took the leading = for a formula
    cell.quotePrefix = True


def save(book) -> bytes:
    """The workbook as .xlsx bytes, every formula-like text cell written as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    _as_text(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cell_value(value):
    """A pandas or numpy value as openpyxl takes it: blanks as None, numpy scalars as
    Python numbers, timestamps as datetimes."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes, date, datetime)):
        value = value.item()
        return None if isinstance(value, float) and value != value else value
    return value


def write_frame(sheet, frame: pd.DataFrame) -> None:
    """A table on an empty sheet: bold headers in row 1, one row per record."""
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False, name=None):
        sheet.append([cell_value(v) for v in record])


def display_width(value) -> int:
    """Columns a value takes in a spreadsheet cell: a CJK character takes two."""
    text = "" if cell_value(value) is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
