"""机构明细 (DESIGN §7 item 4): the institutions behind a region's figures at one quarter,
their problem flags, filtering, the Chinese display columns and the Excel export.

Per-institution figures (status, latest report, occupancy, caregivers required, staffing)
come from the institution_quarters macro through queries/institution_details.sql; this
module restates none of them. The flags' labels, thresholds, 口径 and sources are
data/flags.csv; only the rule each code names lives here."""

import csv

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from . import db, excel, indicators, paths, periods
from .tables import ALLOWED, TABLES


def _load_flags() -> pd.DataFrame:
    with open(paths.DATA / "flags.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["threshold"] = float(row["threshold"]) if row["threshold"] else None
    return pd.DataFrame(rows, columns=["code", "label_zh", "definition", "threshold", "source"])


FLAGS = _load_flags()  # read once: code, label_zh, definition, threshold, source
FLAG_LABELS = dict(zip(FLAGS["code"], FLAGS["label_zh"]))
_THRESHOLD = dict(zip(FLAGS["code"], FLAGS["threshold"]))


def _known(series: pd.Series) -> pd.Series:
    """A nullable boolean as plain bool: unknown (no report, not filled in) is not a flag."""
    return series.astype("boolean").fillna(False).astype(bool)


# The rule behind each flag code; the threshold, where there is one, comes from the data.
RULES = {
    "not_filed": lambda f, t: ~_known(f["is_filed"]),
    "low_occupancy": lambda f, t: _known(f["has_report"] & (f["slots"] > 0) & (f["occupancy"] < t)),
    "understaffed": lambda f, t: _known(f["is_staffed"].astype("boolean").eq(False)),
    "below_standard": lambda f, t: _known(f["meets_standard"].astype("boolean").eq(False)),
    "not_reported": lambda f, t: ~_known(f["has_report"]),
}
if set(RULES) != set(FLAGS["code"]):
    raise RuntimeError(f"data/flags.csv codes {sorted(FLAGS['code'])} do not match the rules {sorted(RULES)}")

FLAG_SEP = "、"
SHEET = "机构明细"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = ALLOWED[("institutions", "type")]
OWNERSHIPS = ALLOWED[("institutions", "ownership")]
PUHUI_LABELS = {True: "普惠", False: "非普惠"}
BOOL_TEXT = {True: "是", False: "否"}

# Display and Excel columns in order. Headers of stored columns are the interchange
# format's own Chinese names (tuoyu/tables.py), so a downloaded sheet reads like a template.
_ZH = {c.name: c.zh for table in ("institutions", "reports") for c in TABLES[table]}
# Display and Excel columns in order: what answers "who drags the figures" first (the name,
# its flags, 托位, 在托, 托收率, 备案), the code last; on a phone the first ones stay on screen.
COLUMNS = {
    "name": _ZH["name"],
    "flags": "问题标记",
    "slots": _ZH["slots"],
    "enrolled": "在托人数",
    "occupancy": "托收率",
    "is_filed": "本期末已备案",
    "is_counted": "计入指标",
    "has_report": "本期已报",
    "region_name": "所在地区",
    "type": _ZH["type"],
    "ownership": _ZH["ownership"],
    "is_puhui": _ZH["is_puhui"],
    "is_demonstration": _ZH["is_demonstration"],
    "is_guidance_center": _ZH["is_guidance_center"],
    "report_period": _ZH["period"],
    "enrolled_infant": _ZH["enrolled_infant"],
    "enrolled_toddler": _ZH["enrolled_toddler"],
    "enrolled_preschool": _ZH["enrolled_preschool"],
    "caregivers": _ZH["caregivers"],
    "caregivers_required": "应配保育人员数",
    "caregivers_certified": _ZH["caregivers_certified"],
    "is_staffed": "师资达标",
    "meets_standard": _ZH["meets_standard"],
    "registered_on": _ZH["registered_on"],
    "filed_on": _ZH["filed_on"],
    "region_code": "区划代码",
    "institution_id": _ZH["institution_id"],
}
BOOL_COLUMNS = ("is_puhui", "is_demonstration", "is_guidance_center", "is_filed", "is_counted",
                "has_report", "is_staffed", "meets_standard")
PERCENT_HEADERS = (COLUMNS["occupancy"],)
DATE_HEADERS = (COLUMNS["registered_on"], COLUMNS["filed_on"])

# The small counts above the table: key, label, 口径.
SUMMARY = (
    ("n_active", "在营机构", "本期末已登记、未注销的机构（不受计入口径影响）"),
    ("n_filed", "其中已备案", "本期末前已在卫生健康部门备案的在营机构"),
    ("n_reported", "本期已报", "本季度内（含季度内月报）有报表的在营机构"),
    ("n_flagged", "有问题标记的机构", "至少有一项问题标记（未备案、托收率低、师资不足、未达标、本期未报）的机构"),
)
SCOPE_NOTE = ("名单为本期末全部在营机构，拖累本地区数字最多的在前：先是托位未计入指标的（未备案，托位多的在前），"
              "再是本期未报的，再按托收率从低到高；“计入指标”标明该机构按当前计入口径是否计入本地区各项指标。"
              "托收率、师资等取本季度内最新一期报表。")


def details(con, region_code: str, quarter: str, counting: str = indicators.DEFAULT_COUNTING) -> pd.DataFrame:
    """Every institution active at the end of `quarter` in the region or below, with one
    boolean column per flag (flag_<code>) and their Chinese labels joined in `flags`."""
    frame = db.run(con, "institution_details", region_codes=[region_code], quarter=quarter,
                   count_all=indicators.count_all(counting))
    return by_drag(add_flags(frame))


def by_drag(frame: pd.DataFrame) -> pd.DataFrame:
    """The institutions that most hold the region's figures down first: those whose 托位 the
    figures leave out (not counted: not filed under the default rule; most 托位 first), then
    those with no report this quarter (their 托位 and 在托 are missing from it), then those
    below the occupancy threshold, then those with any other flag, each of the last three
    by occupancy, lowest first; the rest after, likewise."""
    flagged = frame[[f"flag_{code}" for code in FLAGS["code"]]].any(axis=1)
    reported = _known(frame["has_report"])
    left_out = ~_known(frame["is_counted"]) & reported
    group = np.select([left_out, ~reported, frame["flag_low_occupancy"], flagged], [0, 1, 2, 3], default=4)
    keys = frame.assign(_group=group, _occupancy=pd.to_numeric(frame["occupancy"]).astype(float),
                        _slots=np.where(left_out, -pd.to_numeric(frame["slots"]).fillna(0).astype(float), 0.0))
    order = keys.sort_values(["_group", "_slots", "_occupancy", "region_code", "institution_id"],
                             na_position="last", kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def left_out_slots(frame: pd.DataFrame) -> int:
    """托位 of this quarter's reports that the figures do not count (institutions not counted)."""
    out = frame[~_known(frame["is_counted"]) & _known(frame["has_report"])]
    return int(pd.to_numeric(out["slots"]).fillna(0).sum())


def add_flags(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for code in FLAGS["code"]:
        frame[f"flag_{code}"] = RULES[code](frame, _THRESHOLD[code])
    on = [frame[f"flag_{code}"].tolist() for code in FLAGS["code"]]
    labels = FLAGS["label_zh"].tolist()
    frame["flags"] = pd.Series([FLAG_SEP.join(label for label, hit in zip(labels, row) if hit)
                                for row in zip(*on)], index=frame.index, dtype=object)
    return frame


def summary(frame: pd.DataFrame) -> dict:
    """The counts shown above the table, and how many institutions carry each flag."""
    flag_columns = [f"flag_{code}" for code in FLAGS["code"]]
    out = {
        "n_active": len(frame),
        "n_filed": int(frame["is_filed"].sum()),
        "n_reported": int(frame["has_report"].sum()),
        "n_flagged": int(frame[flag_columns].any(axis=1).sum()),
    }
    out.update({code: int(frame[f"flag_{code}"].sum()) for code in FLAGS["code"]})
    return out


def filter_frame(frame: pd.DataFrame, types=(), ownerships=(), puhui=(), flags=(), text: str = "") -> pd.DataFrame:
    """The rows matching every non-empty choice: type, ownership and 普惠 (True/False) in
    the chosen values, at least one of the chosen flag codes, and `text` in the name or id.
    An empty choice does not filter."""
    keep = pd.Series(True, index=frame.index)
    if types:
        keep &= frame["type"].isin(list(types))
    if ownerships:
        keep &= frame["ownership"].isin(list(ownerships))
    if puhui:
        keep &= frame["is_puhui"].isin(list(puhui))
    if flags:
        keep &= frame[[f"flag_{code}" for code in flags]].any(axis=1)
    text = (text or "").strip()
    if text:
        keep &= (frame["name"].str.contains(text, case=False, regex=False)
                 | frame["institution_id"].str.contains(text, case=False, regex=False))
    return frame[keep].reset_index(drop=True)


def _chinese(frame: pd.DataFrame) -> pd.DataFrame:
    """The display columns in order under Chinese headers: booleans as 是/否 (blank when
    unknown), report periods as 2024年9月; numbers and dates keep their types."""
    out = frame[list(COLUMNS)].copy()
    for column in BOOL_COLUMNS:
        out[column] = out[column].astype(object).map(BOOL_TEXT)
    out["report_period"] = out["report_period"].astype(object).map(
        lambda p: periods.label(p) if isinstance(p, str) else None)
    return out.rename(columns=COLUMNS)


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as the page shows it: Chinese headers (the Excel ones), 托收率 in percent
    for a "%.1f%%" number format, unknown yes/no cells empty."""
    out = _chinese(frame)
    for header in PERCENT_HEADERS:
        out[header] = out[header] * 100
    # unknown (no report, not filled in) is an empty cell, never the word None
    text = [COLUMNS[c] for c in BOOL_COLUMNS + ("report_period",)]
    out[text] = out[text].astype(object).where(out[text].notna(), "")
    return out


def to_excel(frame: pd.DataFrame) -> bytes:
    """An .xlsx of the given rows: sheet 机构明细, Chinese headers, numbers as numbers
    (托收率 as a 0.0% fraction), dates as dates, booleans as 是/否, header row frozen."""
    table = _chinese(frame)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    excel.write_frame(sheet, table)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        cells = sheet[letter][1:]
        if header in PERCENT_HEADERS:
            for cell in cells:
                cell.number_format = "0.0%"
        if header in DATE_HEADERS:
            for cell in cells:
                cell.number_format = "yyyy-mm-dd"
            width = 10
        else:
            width = max([excel.display_width(header)] + [excel.display_width(cell.value) for cell in cells])
        sheet.column_dimensions[letter].width = min(width + 2, 50)
    return excel.save(book)


def excel_name(region_name: str, quarter: str) -> str:
    return f"{SHEET}_{region_name}_{quarter}.xlsx"
