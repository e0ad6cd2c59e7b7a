"""The briefing's workbook: every table the pages show, one sheet each (data/briefing.toml
[sheets]) — Chinese headers, numbers as numbers (rates in %, as the pages show them),
dates as dates, the header row frozen — written by excel.save as every export is. The
sheets are cut from the content.Builder (b) that gathered the selection once."""

from datetime import date, datetime

import pandas as pd

from .. import comparison, excel, fmt, indicators, institutions, overview, periods, review, targets
from .model import Briefing
from .wording import bar, templates


def sheets(b) -> dict[str, pd.DataFrame]:
    """Every table the pages show for the selection, by sheet name, numbers as numbers."""
    names = templates()["sheets"]
    status = targets.evaluate(b.con, b.plan, b.region, b.quarter, b.counting, include_children=True)
    out = {names["headline"]: _headline_sheet(b), names["status"]: overview.status_table(status, sheet=True)}
    trend = b.view.trend
    trend_sheet = pd.DataFrame({"报告期": [periods.label(q) for q in trend["quarter"]],
                                "期末": [d for d in trend["quarter_end"]],
                                f"{b.region_name}每千人口托位数": trend["region"].astype(float)})
    if b.has_average:
        trend_sheet[f"{b.province_name}每千人口托位数"] = trend["province"].astype(float)
    out[names["trend"]] = trend_sheet
    if not b.comp.units.empty:
        out[names["units"]] = comparison.table(b.comp)
        out[names["changes"]] = _changes_sheet(b)
    if not b.criteria.empty:
        out[names["criteria_matrix"]] = review.matrix(b.criteria).reset_index()
        detail = b.criteria[["region_name", "criterion", "title", "verdict", "detail", "source"]]
        out[names["criteria_detail"]] = detail.rename(columns=review.CRITERIA_HEADERS)
    checklist = review.count_checklist(b.con, b.plan, b.region, b.quarter, b.counting)
    if not checklist.empty:
        out[names["checklist"]] = checklist.drop(columns="indicator").rename(columns=review.CHECKLIST_HEADERS)
    if not b.details.empty:
        frame = institutions.display_frame(b.details)
        out[names["institutions"]] = frame.rename(columns={h: f"{h}（%）" for h in institutions.PERCENT_HEADERS})
    new = b.newly_filed()
    if not new.empty:
        out[names["filed"]] = pd.DataFrame({"机构编码": new["institution_id"], "机构名称": new["name"],
                                            "所在地区": new["region_name"], "备案日期": new["filed_on"],
                                            "类型": new["type"], "举办性质": new["ownership"]})
    if not b.tasks.empty:
        t = b.tasks
        out[names["tasks"]] = pd.DataFrame({
            "任务编号": t["task_id"], "章节": t["section"], "任务": t["title"], "责任单位": t["responsible_units"],
            "牵头单位": t["lead_unit"], "完成时限": t["due"], "状态": t["status"],
            "是否逾期": t["is_late"].map({True: "是", False: "否"}), "逾期天数": t["days_overdue"],
            "最新进展": t["progress_note"], "进展日期": t["updated_on"]})
    return out


def _headline_sheet(b) -> pd.DataFrame:
    """Every DESIGN §3 figure now, last quarter and the change, in the pages' units (rates
    in %); formats() gives each row the digits the pages print, and a change is stored
    as rounded once from the unrounded values, so the sheet shows the page's digits."""
    now, before = b.comp.parent, b.comp_prev.parent
    rows = []
    for code in indicators.CORE:
        if code == "slots_needed":
            continue
        scale, digits = fmt.scale_digits(code)
        value, previous = now.get(code), before.get(code)

        def scaled(v):
            return None if v is None else float(v) * scale
        row = {"指标": fmt.name(code), "单位": indicators.catalogue()[code]["unit"],
               "本期": scaled(value), "上季度": scaled(previous),
               "变化": None if value is None or previous is None else round((value - previous) * scale, digits)}
        if b.has_average:
            row[b.average_label] = scaled(b.average.get(code))
        rows.append(row)
    year = b.snap["year_target"]
    rows.append({"指标": fmt.name("slots_needed") + (f"（{year['year']}年目标{bar(year['target'])}）" if year else ""),
                 "单位": "个", "本期": b.snap["slots_needed"]})
    return pd.DataFrame(rows)


def formats(sheets: dict[str, pd.DataFrame]) -> dict:
    """The Excel number formats of the sheets whose rows need their own digits: sheet →
    column → one format a row."""
    headline = templates()["sheets"]["headline"]
    return {headline: _headline_formats(sheets[headline])}


def _headline_formats(frame: pd.DataFrame) -> dict:
    """Per row, the Excel number format of the digits the pages print (0.00, 0.0, 0)."""
    codes = [c for c in indicators.CORE if c != "slots_needed"] + ["slots_needed"]
    formats = [fmt.excel_format(c) for c in codes]
    return {column: formats for column in frame.columns if column not in ("指标", "单位")}


def _changes_sheet(b) -> pd.DataFrame:
    before = b.comp_prev.units.set_index("code") if not b.comp_prev.units.empty else pd.DataFrame()
    rows = []
    for u in b.ranked_units():
        prev = before.loc[u["code"]] if u["code"] in before.index else {}
        p_value = prev.get("slots_per_1000") if len(prev) else None
        rows.append({b.units_word: u["name"], "区划代码": u["code"],
                     f"{periods.label(b.previous)}每千人口托位数": p_value,
                     f"{b.period_label}每千人口托位数": u["slots_per_1000"],
                     "变化": None if p_value is None or u["slots_per_1000"] is None
                     else u["slots_per_1000"] - p_value,
                     "上季度状态": prev.get("status") if len(prev) else None, "本期状态": u["status"]})
    return pd.DataFrame(rows)


def to_excel(briefing: Briefing) -> bytes:
    """Every table of the pages in one workbook, one sheet each: Chinese headers, numbers
    as numbers (rates in %, as the pages show them), dates as dates, header row frozen."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for name, frame in briefing.sheets.items():
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object:
                values = [v for v in frame[column] if v is not None and not (isinstance(v, float) and pd.isna(v))]
                if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                    frame[column] = pd.to_numeric(frame[column])
        sheet = book.create_sheet(name[:31])
        excel.write_frame(sheet, frame)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(index)
            cells = sheet[letter][1:]
            if pd.api.types.is_datetime64_any_dtype(frame[column]) or any(
                    isinstance(v, date) for v in frame[column].head(5)):
                for cell in cells:
                    cell.number_format = "yyyy-mm-dd"
                width = 10
            else:
                width = max([excel.display_width(column)] + [excel.display_width(c.value) for c in cells])
                # per-row digits where the sheet says (the pages' digits), else two decimals
                row_formats = briefing.formats.get(name, {}).get(column)
                for i, cell in enumerate(cells):
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        if row_formats is not None:
                            cell.number_format = row_formats[i]
                        elif isinstance(cell.value, float):
                            cell.number_format = "0.00"
            sheet.column_dimensions[letter].width = min(width + 2, 60)
    issued = datetime(briefing.issued.year, briefing.issued.month, briefing.issued.day)
    props = book.properties
    props.title, props.creator = f"{briefing.title}{briefing.subtitle}（数据表）", "托育示范城市创建监测"
    props.created = props.modified = issued
    return excel.save(book)
