"""The briefing's content (DESIGN §7 item 7) for one selection as of the period's last day:
gathered once from what the pages show — overview.build, comparison.build,
review.criteria_table, the plan's tasks as 任务台账 reads them — and put together as the
document model (model.py): the sections (sections.py), the workbook's sheets (workbook.py),
the 期号 and the plan's conventions (issues.py). Only late tasks depend on the day."""

from datetime import date

import pandas as pd

from .. import comparison, db, fmt, indicators, institutions, overview, periods, review, targets, tasks
from ..errors import BriefingError
from . import workbook
from .issues import conventions, issue_number
from .model import Briefing
from .sections import changes_section, criteria_section, notes_section, overview_section, tasks_section, units_section
from .wording import CHINESE_NUMERALS, phrase, scope, templates

TASK_COLUMNS = ["task_id", "section", "title", "responsible_units", "lead_unit", "due", "status", "is_late",
                "days_overdue", "progress_note", "updated_on"]


def tasks_of(con, plan: str, as_of: date) -> pd.DataFrame:
    """Every task of the plan as it stood at the end of `as_of` (tuoyu/ledger.py, as 任务台账
    shows it), late first: status as recorded, is_late, whole days overdue, the lead unit."""
    t = tasks.load_tasks(con, plan, as_of)
    frame = pd.DataFrame({
        "task_id": t["task_id"], "section": t["section"], "title": t["title"],
        "responsible_units": t["responsible_units"], "lead_unit": t["lead_unit"], "due": t["due"],
        "status": t["stored_status"], "is_late": t["is_late"].astype(bool),
        "days_overdue": pd.array([None if pd.isna(d) else int(d) for d in t["days_late"]], dtype="Int64"),
        "progress_note": t["progress_note"], "updated_on": t["updated_on"]}, columns=TASK_COLUMNS)
    frame = frame.assign(_late=~frame["is_late"])
    return frame.sort_values(["_late", "due", "task_id"], na_position="last").drop(columns="_late") \
        .reset_index(drop=True)


def load_plan(con, plan: str) -> dict:
    rows = db.run(con, "plans")
    rows = rows[rows["plan_code"] == plan]
    if rows.empty:
        raise BriefingError(f"未知方案代码 {plan}")
    return rows.iloc[0].to_dict()


class Builder:
    """The selection's views, fetched once, and the numbering of tables and figures as the
    sections take them."""

    def __init__(self, con, plan: str, region: str, quarter: str, counting: str, today: date):
        self.con, self.plan, self.region, self.quarter, self.counting = con, plan, region, quarter, counting
        self.as_of = periods.as_of(quarter, today)  # one 截至 date for the whole document
        self.plan_row = load_plan(con, plan)
        self.view = overview.build(con, plan, region, quarter, counting)
        self.snap = self.view.snapshot
        self.previous = periods.previous_quarter(quarter)
        self.comp = comparison.build(con, plan, region, quarter, counting)
        self.comp_prev = comparison.build(con, plan, region, self.previous, counting)
        self.criteria = review.criteria_table(con, plan, region, quarter, counting)
        self.criteria_prev = (review.criteria_table(con, plan, region, self.previous, counting)
                              if not self.criteria.empty else self.criteria)
        self.tasks = tasks_of(con, plan, self.as_of)
        self.details = institutions.details(con, region, quarter, counting)
        self.region_name = self.snap["region"]["name"]
        self.scope = scope(self.region_name)
        self.period_label = periods.label(quarter)
        self.year = int(quarter[:4])
        level = targets.BOUND_LEVEL.get(self.snap["region"]["level"])
        self.units_word = templates()["units_word"].get(level, "下级地区")
        province = self.snap["provincial_average"]
        self.has_average = bool(province and province.get("slots_per_1000") is not None
                                and province["region_code"] != region)
        self.average = province if self.has_average else {}
        self.average_label = self.comp.average_label if self.has_average else None
        self.province_name = self.comp.average.get("name") if self.has_average else None
        self.n_tables = self.n_figures = 0

    # -- numbering
    def table_no(self) -> int:
        self.n_tables += 1
        return self.n_tables

    def figure_no(self) -> int:
        self.n_figures += 1
        return self.n_figures

    def target_rows(self) -> list[dict]:
        """This year's 每千人口托位数 target, the next one not yet due and the plan's final one,
        each once, with their verdicts (DESIGN §4.2)."""
        snap = self.snap
        rows = [r for r in (snap["year_target"], snap["next_target"]) if r]
        final, final_year = self.view.final_target
        if final is not None and final_year not in {r["year"] for r in rows}:
            rows.append(targets.year_verdicts(self.con, self.plan, [self.region], self.quarter, self.counting,
                                              year=final_year)[self.region])
        return list({r["year"]: r for r in rows if r}.values())

    def figures(self) -> list[dict]:
        """The headline figures: this quarter, the change since the last (unrounded, rounded
        once: fmt.delta, as 总览's cards) and the provincial average."""
        before = self.comp_prev.parent
        out = []
        for code in templates()["overview"]["indicators"]:
            now, prev = self.snap.get(code), before.get(code)
            out.append({"code": code, "value": now, "change": None if now is None or prev is None else now - prev,
                        "average": self.average.get(code) if self.has_average else None})
        return out

    def ranked_units(self) -> list[dict]:
        units = self.comp.units.to_dict("records") if not self.comp.units.empty else []
        return sorted(units, key=lambda u: (u["slots_per_1000"] is None, -(u["slots_per_1000"] or 0), u["code"]))

    def newly_filed(self) -> pd.DataFrame:
        d = self.details
        if d.empty:
            return d
        filed = pd.to_datetime(d["filed_on"])
        start, end = pd.Timestamp(periods.quarter_start(self.quarter)), pd.Timestamp(periods.period_end(self.quarter))
        # assigned before filtering: an empty frame assigned a Series takes the Series' rows
        new = d.assign(_filed=filed)[(filed >= start) & (filed <= end)]
        return new.sort_values(["_filed", "institution_id"]).drop(columns="_filed").reset_index(drop=True)

    def build(self, issue_no: int | None = None, issued: date | None = None) -> Briefing:
        dataset = self.snap["dataset"]
        sections = [s for s in (overview_section(self), units_section(self), criteria_section(self),
                                tasks_section(self), changes_section(self)) if s is not None]
        for number, section in zip(CHINESE_NUMERALS, sections):
            section.heading = f"{number}、{section.heading}"
        sections.append(notes_section(self))
        document = conventions(self.plan_row, self.region_name)
        sheets = workbook.sheets(self)
        return Briefing(
            title=phrase("title", region_name=self.region_name),
            subtitle=phrase("subtitle", period_label=self.period_label),
            byline=phrase("byline", plan_title=self.plan_row["title"], period_end=fmt.date_zh(self.as_of)),
            marker=phrase("marker", dataset=dataset) if dataset else None,
            headline=sections[0].blocks[0].text,
            sections=sections, sheets=sheets,
            region_name=self.region_name, quarter=self.quarter, plan=self.plan,
            issued=issued or self.as_of,
            file_stem=phrase("file_stem", region_name=self.region_name, period=self.quarter),
            as_of=self.as_of,
            issue_label=document["issue_label"].format(issue=issue_no) if issue_no else None,
            compiler=document["compiler"], send_to=document["send_to"], copy_to=document["copy_to"],
            formats=workbook.formats(sheets),
        )


def assemble(con, plan: str, region: str, period: str, counting: str = indicators.DEFAULT_COUNTING,
             today: date | None = None, issued: date | None = None) -> Briefing:
    """The briefing's content for one selection as of the period's last day (or `today`
    while the period runs; no images yet: see render_images), numbered (期号) and dated
    (印发日期: `issued`, else the as-of day). Raises BriefingError for an unknown plan,
    region or period."""
    try:
        quarter = periods.quarter_of(periods.parse_period(period))
    except ValueError:
        raise BriefingError(f"无法识别的报告期 {period}（应为 2024Q3 或 2024年第3季度）") from None
    if indicators.lineage(con, region).empty:
        raise BriefingError(f"未知区划代码 {region}")
    builder = Builder(con, plan, region, quarter, counting, today or periods.today())
    return builder.build(issue_number(con, plan, region, quarter), issued)
