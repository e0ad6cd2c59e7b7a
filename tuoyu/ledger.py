"""任务台账 as the page and the Excel show it (DESIGN §6): counts per department, the late
tasks in words, the table under Chinese headers, the indicators the tasks move with their
target status, and the export grouped by department. The tasks themselves, their status as
of a day and their changes are tuoyu/tasks.py."""


import pandas as pd

from . import db, excel, fmt, indicators, periods, targets, verdicts
from .fmt import date_zh  # noqa: F401  (re-exported for the page)
from .markup import literal
# re-exported: the page reads the ledger through this module
from .tasks import (ALL, DONE, IN_PROGRESS, LATE, NOT_STARTED, STATUSES, departments, filter_tasks,  # noqa: F401
                    history, load_phases, load_tasks, units_of)

STATUS_MARK = {LATE: "⚠ 滞后", IN_PROGRESS: "进行中", NOT_STARTED: "未开始", DONE: "✓ 已完成"}
NO_TARGET = "未设目标"

# Column headers of the ledger as the page and the Excel export show it.
HEADERS = {
    "task_id": "任务编号", "section": "条款", "title": "任务", "responsible_units": "责任单位",
    "lead_unit": "牵头单位", "due": "完成时限", "status": "状态", "late_text": "逾期情况",
    "progress_note": "最新进展", "updated_on": "进展日期", "indicator_text": "关联指标",
}
HISTORY_HEADERS = {"changed_at": "时间", "changed_by": "记录人", "status_change": "状态变化",
                   "new_note": "新进展", "old_note": "原进展"}


def department_counts(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per unit: tasks it shares, leads, has done and has late; most late first."""
    rows = []
    for unit in departments(tasks):
        mine = filter_tasks(tasks, unit)
        rows.append({"department": unit, "n_tasks": len(mine),
                     "n_lead": int(mine["lead_unit"].eq(unit).sum()),
                     "n_done": int(mine["status"].eq(DONE).sum()),
                     "n_late": int(mine["status"].eq(LATE).sum())})
    frame = pd.DataFrame(rows, columns=["department", "n_tasks", "n_lead", "n_done", "n_late"])
    return frame.sort_values(["n_late", "n_tasks"], ascending=False, kind="stable").reset_index(drop=True)


def summary(tasks: pd.DataFrame, department: str | None = None) -> str:
    """One sentence for the selection: how many tasks, done, under way, late and since when."""
    who = department if department and department != ALL else ""
    if tasks.empty:
        return f"{who}没有符合条件的任务。"
    counts = tasks["status"].value_counts()
    parts = [f"{s}{int(counts[s])}项" for s in (DONE, IN_PROGRESS, NOT_STARTED, LATE) if counts.get(s, 0)]
    text = f"{who}共{len(tasks)}项任务：" + "，".join(parts)
    since = [s for s in tasks["late_since"] if s]
    if since:
        text += f"；最早的自{date_zh(min(since))}起滞后"
    return text + "。"


def late_lines(tasks: pd.DataFrame) -> list[str]:
    """For each late task, what the meeting asks: since when, who leads, what was last
    reported; as Markdown, the stored text shown as typed (tuoyu.markup)."""
    lines = []
    for r in tasks[tasks["status"].eq(LATE)].to_dict("records"):
        last = (f"最近报告（{date_zh(r['updated_on'])}）：{literal(r['progress_note'])}" if r["progress_note"]
                else "尚无进展报告")
        lines.append(f"**{literal(r['task_id'])}** {literal(r['title'])} — {r['late_text'] or '已标记滞后'}，"
                     f"牵头单位{literal(r['lead_unit'])}。{last}")
    return lines


def display_table(tasks: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns as text under their Chinese headers: dates as 2023-09-30, blanks empty."""
    out = tasks[columns].copy()
    for col in ("due", "updated_on"):
        if col in out:
            out[col] = out[col].map(lambda d: "" if d is None or pd.isna(d) else f"{d:%Y-%m-%d}")
    return out.astype(object).where(out.notna(), "").rename(columns=HEADERS)


def history_table(changes: pd.DataFrame, task_id: str) -> pd.DataFrame:
    """One task's changes, newest first, as the page shows them (Chinese headers)."""
    mine = changes[changes["task_id"] == task_id].copy()
    mine["changed_at"] = [f"{t:%Y-%m-%d %H:%M}" for t in mine["changed_at"]]
    for col in ("old_note", "new_note"):
        mine[col] = mine[col].map(lambda v: v or "")
    return mine[list(HISTORY_HEADERS)].rename(columns=HISTORY_HEADERS).reset_index(drop=True)


# ---------------------------------------------------------------- linked indicators

def linked_indicators(con, plan_code: str, region_code: str, quarter: str,
                      counting: str = indicators.DEFAULT_COUNTING) -> pd.DataFrame:
    """Each indicator the plan's tasks are linked to, with its value for the region at the
    quarter and its status against the plan's target for the quarter's year (targets.evaluate);
    未设目标 where the plan sets none for the region."""
    columns = ["indicator", "name", "value_text", "status", "detail"]
    stored = db.run(con, "plan_tasks", plan_code=plan_code, as_of=periods.today())  # only their indicators
    codes = sorted({c for text in stored["indicators"] for c in units_of(text)} & set(indicators.catalogue()))
    if not codes:
        return pd.DataFrame(columns=columns)
    evaluated = targets.evaluate(con, plan_code, region_code, quarter, counting)
    vals = indicators.values(con, [region_code], [quarter], counting)
    row = indicators.row_dict(vals, region_code, quarter) or {}
    records = []
    for code in codes:
        value = row.get(code)
        rows = evaluated[evaluated["indicator"] == code] if not evaluated.empty else evaluated
        if rows.empty:
            status, detail = NO_TARGET, ""
        else:
            year = targets.pick_row(rows, code, int(quarter[:4]))["year"]  # the year's, else the next
            chosen = rows[rows["year"] == year].to_dict("records")
            status = verdicts.combine(r["status"] for r in chosen)
            detail = "；".join(f"{targets.requirement(r)} {r['status']}" for r in chosen)
            if value is None:
                value = chosen[0]["value"]
        records.append({"indicator": code, "name": fmt.short(code), "value_text": fmt.value(code, value),
                        "status": status, "detail": detail})
    return pd.DataFrame(records, columns=columns)


def indicator_text(tasks: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """Per task, its linked indicators in words, never colour alone:
    '每千人口托位数 1.34 个/千人 ✗ 未达标；普惠托位占比 71.0%（未设目标）'."""
    by_code = {r["indicator"]: r for r in links.to_dict("records")}

    def words(text) -> str:
        out = []
        for code in units_of(text):
            link = by_code.get(code)
            if link is None:
                continue
            if link["status"] == NO_TARGET:
                out.append(f"{link['name']} {link['value_text']}（{NO_TARGET}）")
            else:
                out.append(f"{link['name']} {link['value_text']} {verdicts.style(link['status'])['mark']} {link['status']}")
        return "；".join(out)

    return tasks["indicators"].map(words)


# ---------------------------------------------------------------- export

def to_excel(tasks: pd.DataFrame, department_list: list[str] | None = None, title: str = "任务台账",
             subtitle: str = "") -> bytes:
    """The ledger as one .xlsx sheet for the meeting: under each department's heading row
    (with its counts), the tasks it shares, lead first marked; Chinese headers. A task with
    several 责任单位 appears under each of them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = ["task_id", "section", "title", "responsible_units", "role", "due", "status",
               "late_text", "progress_note", "updated_on", "indicator_text"]
    headers = {**HEADERS, "role": "本单位"}
    widths = [13, 10, 40, 30, 7, 12, 9, 22, 50, 12, 30]
    wb = Workbook()
    ws = wb.active
    ws.title = "任务台账"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle])
    ws.append([headers[c] for c in columns])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    ws.freeze_panes = "A4"
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    heading_fill, late_font = PatternFill("solid", fgColor="F1F3F5"), Font(color="C0392B", bold=True)
    for unit in department_list or departments(tasks):
        mine = filter_tasks(tasks, unit)
        if mine.empty:
            continue
        n_late, n_done = int(mine["status"].eq(LATE).sum()), int(mine["status"].eq(DONE).sum())
        ws.append([f"{unit}（{len(mine)}项：已完成{n_done}项，滞后{n_late}项）"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(columns))
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.cell(ws.max_row, 1).fill = heading_fill
        for r in mine.to_dict("records"):
            r = {**r, "role": "牵头" if r["lead_unit"] == unit else "配合",
                 "indicator_text": r.get("indicator_text") or ""}
            ws.append([_cell(r.get(c)) for c in columns])
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r["status"] == LATE:
                ws.cell(ws.max_row, columns.index("status") + 1).font = late_font
    return excel.save(wb)


def _cell(value):
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return None
    return value
