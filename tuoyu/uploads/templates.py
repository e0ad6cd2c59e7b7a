"""The collection templates of 数据上报: per importable table an XLSX (data sheet with
Chinese headers, formats and validation lists, a 填写说明 sheet, and optionally the area's
institutions and region codes to pick from) or a CSV of the headers."""

import csv
import io
import tomllib
from functools import lru_cache

import pandas as pd

from .. import excel, indicators, paths
from ..loading.rules import MAX_ENROLMENT_OVER_SLOTS
from ..tables import ALLOWED, TABLE_ZH, TABLES
from .checks import known_keys
from .read import IMPORTABLE, MAX_UPLOAD_MB

TEMPLATE_ROWS = 5000  # rows of the XLSX template that carry the validation lists

HELP_FILE = paths.DATA / "templates.toml"
# The numbers the help text states, taken from where each rule is checked.
RULE_NUMBERS = {"max_upload_mb": MAX_UPLOAD_MB, "max_enrolment_over_slots": MAX_ENROLMENT_OVER_SLOTS}


@lru_cache(maxsize=1)
def _help() -> tuple[dict[tuple[str, str], tuple[str, str]], tuple[str, ...]]:
    """(per (table, column) its example value and 口径, the numbered rules) from
    data/templates.toml, with the rules' numbers filled in."""
    with HELP_FILE.open("rb") as f:
        text = tomllib.load(f)
    columns = {(table, name): (entry["example"], entry["note"].format(**RULE_NUMBERS))
               for table, entries in text["columns"].items() for name, entry in entries.items()}
    return columns, tuple(rule.format(**RULE_NUMBERS) for rule in text["rules"])


def template_name(table: str, kind: str) -> str:
    return f"{TABLE_ZH[table]}_模板.{kind}"


def table_label(table: str) -> str:
    return TABLE_ZH[table]


def _format_hint(table: str, col) -> str:
    if col.kind == "int":
        return "整数，≥0"
    if col.kind == "float":
        return "数值"
    if col.kind == "bool":
        return "是 / 否"
    if col.kind == "date":
        return "日期"
    if col.kind == "period":
        return "报告期"
    return "文本"


def _allowed_text(table: str, col) -> str:
    if (table, col.name) in ALLOWED:
        return " / ".join(ALLOWED[(table, col.name)])
    if col.kind == "bool":
        return "是 / 否（或 Y / N）"
    if (table, col.name) == ("region_indicators", "indicator"):
        cat = indicators.catalogue()
        return " / ".join(f"{c}（{cat[c]['short_zh']}）" for c in indicators.REPORTED if c in cat)
    return ""


def _reference_lists(con, region: str | None) -> dict[str, pd.DataFrame]:
    if con is None or not region:
        return {}
    cur = con.cursor()
    try:
        ref = known_keys(cur, region)
    finally:
        cur.close()
    ref = ref[ref["is_in_area"].astype(bool)].sort_values("key")
    return {"institutions": ref[ref["table_name"] == "institutions"], "regions": ref[ref["table_name"] == "regions"]}


def template_bytes(table: str, kind: str = "xlsx", con=None, region: str | None = None) -> bytes:
    """The collection template of a table: XLSX (data sheet with Chinese headers, formats and
    validation lists; 填写说明 sheet; with `con` and `region`, the area's institutions and
    region codes as lists to pick from) or CSV (UTF-8 with BOM, Chinese headers)."""
    if table not in IMPORTABLE:
        raise KeyError(table)
    cols = TABLES[table]
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow([c.zh for c in cols])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if kind != "xlsx":
        raise ValueError(kind)
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    column_help, rules = _help()
    book = Workbook()
    ws = book.active
    ws.title = TABLE_ZH[table]
    required_fill, optional_fill = PatternFill("solid", fgColor="F8CBAD"), PatternFill("solid", fgColor="DDEBF7")
    names = {c.name for c in cols}
    lists = {k: v for k, v in _reference_lists(con, region).items()
             if (k == "regions" and "region_code" in names)
             or (k == "institutions" and "institution_id" in names and table != "institutions")}
    last = TEMPLATE_ROWS + 1
    for i, col in enumerate(cols, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.zh)
        cell.font = Font(bold=True)
        cell.fill = required_fill if col.required else optional_fill
        example, note = column_help.get((table, col.name), ("", ""))
        cell.comment = Comment(("必填。" if col.required else "选填。") + note, "模板")
        ws.column_dimensions[letter].width = max(12, len(col.zh) * 2 + 4)
        number_format = {"date": "yyyy-mm-dd", "int": "0", "float": "General", "bool": "@"}.get(col.kind, "@")
        ws.column_dimensions[letter].number_format = number_format  # 2024-09 stays text, not a date
        rng = f"{letter}2:{letter}{last}"
        dv = None
        if (table, col.name) in ALLOWED:
            dv = DataValidation(type="list", formula1='"' + ",".join(ALLOWED[(table, col.name)]) + '"')
        elif col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"')
        elif col.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif col.kind == "float":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        elif col.name == "institution_id" and table != "institutions" and not lists.get("institutions", pd.DataFrame()).empty:
            n = len(lists["institutions"])
            dv = DataValidation(type="list", formula1=f"'机构名单'!$A$2:$A${n + 1}", errorStyle="warning")
        elif col.name == "region_code" and not lists.get("regions", pd.DataFrame()).empty:
            n = len(lists["regions"])
            dv = DataValidation(type="list", formula1=f"'区划代码'!$A$2:$A${n + 1}", errorStyle="warning")
        if dv is not None:
            dv.showErrorMessage = True
            dv.error = f"{col.zh}：{_allowed_text(table, col) or _format_hint(table, col)}"
            dv.errorTitle = "取值不符合要求"
            dv.prompt, dv.promptTitle, dv.showInputMessage = note or col.zh, col.zh, True
            dv.add(rng)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    guide = book.create_sheet("填写说明")
    guide.append([f"{TABLE_ZH[table]}（{table}）填写说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for i, rule in enumerate(rules, start=1):
        guide.append([f"{i}. {rule}"])
    guide.append([])
    header = ["列名", "英文列名", "是否必填", "格式", "允许取值", "示例", "说明（口径）"]
    guide.append(header)
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for col in cols:
        example, note = column_help.get((table, col.name), ("", ""))
        guide.append([col.zh, col.name, "必填" if col.required else "选填", _format_hint(table, col),
                      _allowed_text(table, col), example, note])
    for letter, width in zip("ABCDEFG", (18, 22, 10, 10, 40, 22, 60)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    for title, key, headers in (("机构名单", "institutions", ["机构编码", "机构名称", "所在区划"]),
                                ("区划代码", "regions", ["区划代码", "名称"])):
        frame = lists.get(key)
        if frame is None or frame.empty:
            continue
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for r in frame.to_dict("records"):
            sheet.append([r["key"], r["name"], r["region_code"]][:len(headers)])
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 24, 36
    return excel.save(book)
