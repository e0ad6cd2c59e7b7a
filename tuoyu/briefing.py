"""简报导出 (DESIGN §7 item 7): the joint-meeting briefing and the Excel export.

The briefing is assembled once (`assemble`) from what the pages show — overview.build,
comparison.build, review.criteria_table, the plan's tasks — into a small document model:
sections of paragraphs, tables and chart figures. Every sentence is a template of
data/briefing.toml with the figures filled in. One model is rendered three ways:
Word (python-docx, 公文 layout), HTML (the page's preview, and via headless Chromium the
PDF) and Excel (every table the pages show, numbers as numbers).

The same data gives the same briefing: the .docx has fixed core properties and zip
timestamps, so two runs give identical files; only late tasks depend on the day."""

import base64
import html as html_lib
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import charts, comparison, db, excel, fmt, indicators, institutions, maps, overview, paths, periods, review, targets, tasks, verdicts
from .errors import BriefingError

log = logging.getLogger(__name__)

TEMPLATES_FILE = paths.DATA / "briefing.toml"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
XLSX_MIME = institutions.EXCEL_MIME
SUFFIXES = (".docx", ".pdf", ".xlsx", ".html")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_CHROMIUM = ("未找到 Chromium 浏览器，无法生成 PDF（Word 和 Excel 文件不受影响）。"
               "请安装：apt-get install chromium fonts-noto-cjk，或用环境变量 TUOYU_CHROMIUM 指定浏览器路径。")

# Chart images: pixel size at which Plotly lays them out (text then prints at ~9pt on a
# 15.5 cm wide image) and the scale of the PNG.
CHART_SIZE = {"trend": (760, 430), "units": (760, 360), "map": (760, 520)}
CHART_SCALE = 2.5
CHART_FONT_SIZE = 15

# Word layout (GB/T 9704 党政机关公文格式): A4, margins, fonts by role. East Asian font
# names go into w:eastAsia so that Word on a government PC uses 仿宋_GB2312 / 黑体 /
# 方正小标宋简体 / 楷体_GB2312 where installed; the font table names a common substitute.
LATIN = "Times New Roman"
FONTS = {"body": "仿宋_GB2312", "heading": "黑体", "title": "方正小标宋简体", "subtitle": "楷体_GB2312"}
FONT_SUBSTITUTES = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体", "黑体": "SimHei"}
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TEXT_WIDTH_CM = 21.0 - MARGINS_CM["left"] - MARGINS_CM["right"]
RED = "C00000"


# ------------------------------------------------------------------ templates

@lru_cache(maxsize=1)
def templates() -> dict:
    with open(TEMPLATES_FILE, "rb") as f:
        return tomllib.load(f)


def _t(key: str, **fields) -> str:
    return templates()["text"][key].format(**fields)


# ------------------------------------------------------------------ the document model

@dataclass
class Paragraph:
    text: str
    kind: str = "body"           # body | note


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]          # relative column widths
    align: str                   # one letter per column: l / c / r


@dataclass
class Figure:
    caption: str
    name: str                    # trend | units
    figure: object = field(default=None, repr=False, compare=False)
    png: bytes | None = field(default=None, repr=False, compare=False)


@dataclass
class Section:
    heading: str                 # without its number: numbered when the briefing is built
    blocks: list
    kind: str = "body"           # body | notes


@dataclass
class Briefing:
    title: str
    subtitle: str
    byline: str
    marker: str | None           # 示例数据 notice when the dataset carries a label
    headline: str                # the first sentence of 一、总体进展
    sections: list[Section]
    sheets: dict[str, pd.DataFrame]
    region_name: str
    quarter: str
    plan: str
    issued: date                 # 印发日期: the as-of day unless given
    file_stem: str
    as_of: date                  # the one 截至 date of the document (DESIGN §4.3)
    issue_label: str | None = None   # 第N期
    compiler: str = ""           # 编印单位
    send_to: str = ""            # 报送
    copy_to: str = ""            # 抄送
    formats: dict = field(default_factory=dict)   # Excel number formats: sheet → column → format
    warnings: list[str] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


# ------------------------------------------------------------------ small wording helpers

def _num(v) -> str:
    return fmt.number(v)


def _bar(v) -> str:
    """A target as the plan writes it: 1.2, 1.5, 1."""
    return f"{float(v):g}"


def _names(names) -> str:
    return "、".join(names)


def _scope(region_name: str) -> str:
    """全市 / 全县 / 全区 … from the name's ending (data/briefing.toml [scope])."""
    for suffix in sorted(templates()["scope"], key=len, reverse=True):
        if region_name.endswith(suffix):
            return templates()["scope"][suffix]
    return region_name


def _rate_scale(code: str) -> int:
    return 100 if indicators.catalogue()[code]["unit"] == "%" else 1


# ------------------------------------------------------------------ tasks

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


# ------------------------------------------------------------------ assembling

def _plan_row(con, plan: str) -> dict:
    rows = db.run(con, "plans")
    rows = rows[rows["plan_code"] == plan]
    if rows.empty:
        raise BriefingError(f"未知方案代码 {plan}")
    return rows.iloc[0].to_dict()


STATUS_SHEET_COLUMNS = ["地区", "区划代码", "指标", "年份", "要求", "状态", "评价期", "评价值", "预计到期值", "单位",
                        "尚需托位", "依据", "解读", "来源"]


class _Builder:
    def __init__(self, con, plan: str, region: str, quarter: str, counting: str, today: date):
        self.con, self.plan, self.region, self.quarter, self.counting = con, plan, region, quarter, counting
        self.as_of = periods.as_of(quarter, today)  # one 截至 date for the whole document
        self.plan_row = _plan_row(con, plan)
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
        self.scope = _scope(self.region_name)
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
    def _table_no(self) -> int:
        self.n_tables += 1
        return self.n_tables

    def _figure_no(self) -> int:
        self.n_figures += 1
        return self.n_figures

    # -- 一、总体进展
    def headline(self) -> str:
        snap, value = self.snap, self.snap["slots_per_1000"]
        if value is None:
            key = "headline_no_population" if snap["n_reported"] and snap["resident_population"] is None \
                else "headline_no_data"
            return _t(key, period_label=self.period_label, region_name=self.region_name)
        text = _t("headline_lead", period_label=self.period_label, scope=self.scope, value=_num(value))
        previous = snap["previous_quarter_slots_per_1000"]
        if previous is not None:
            change = fmt.delta("slots_per_1000", value - previous)   # as the page's card shows it
            key = "headline_flat" if fmt.is_flat(change) else "headline_up" if change[0] == "+" else "headline_down"
            text += _t(key, delta=change.lstrip("+-"))
        text += _t("headline_end")
        return text + "".join(overview.target_sentence(row) for row in self.target_rows())

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

    def overview_section(self) -> Section:
        snap, view = self.snap, self.view
        blocks = [Paragraph(self.headline())]
        if snap["year_target"] is None:
            blocks.append(Paragraph(_t("headline_no_target", region_name=self.region_name)))

        blocks.append(self.figures_table())

        due = [t for t in snap["targets"] if int(t["year"]) <= self.year]
        if due:
            text = _t("targets_summary", region_name=self.region_name, year=self.year, n=len(due),
                      parts=verdicts.count_text(t["status"] for t in due))
            lagging = [t for t in due if t["status"] not in verdicts.GOOD]
            if lagging:
                text += _t("targets_lagging", items="；".join(self._lagging_item(t) for t in lagging))
            blocks.append(Paragraph(text))
        if snap["n_not_reported"]:
            blocks.append(Paragraph(_t("not_reported", n=snap["n_not_reported"])))
        blocks.append(Figure(_t("trend_caption", n=self._figure_no(), region_name=self.region_name), "trend",
                             charts.trend(view, self.region_name, self.province_name)))
        return Section(templates()["heading"]["overview"], blocks)

    def _lagging_item(self, t: dict) -> str:
        return _t("targets_lagging_item", indicator=fmt.short(t["indicator"]), year=t["year"], status=t["status"],
                  value=fmt.value(t["indicator"], t["value"]), requirement=targets.requirement(t, with_year=False))

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

    def figures_table(self) -> Table:
        columns = [c.format(average_label=self.average_label or "") for c in templates()["columns"]["figures"]]
        rows = [[fmt.short(f["code"]), fmt.value(f["code"], f["value"]), fmt.delta(f["code"], f["change"]) or "—"]
                + ([fmt.value(f["code"], f["average"])] if self.has_average else []) for f in self.figures()]
        if not self.has_average:
            columns = columns[:3]
        return Table(_t("figures_caption", n=self._table_no(), period_label=self.period_label), columns, rows,
                     [2.0, 1.6, 1.6, 1.6][:len(columns)], "lrrr"[:len(columns)])

    # -- 二、县区情况
    def ranked_units(self) -> list[dict]:
        units = self.comp.units.to_dict("records") if not self.comp.units.empty else []
        return sorted(units, key=lambda u: (u["slots_per_1000"] is None, -(u["slots_per_1000"] or 0), u["code"]))

    def units_section(self) -> Section | None:
        heading = templates()["heading"]["units"].format(units_word=self.units_word)
        units = self.ranked_units()
        if not units:
            return None  # a section with nothing to say is left out
        target_year = self.comp.target_year or self.year
        text = _t("units_count", n=len(units), units_word=self.units_word)
        if all(u["status"] is None for u in units):
            text += _t("units_no_target", units_word=self.units_word)
        else:
            text += _t("units_against", target_year=target_year)
            order = sorted(verdicts.STATUSES, key=lambda v: -verdicts.style(v)["rank"])
            groups = [(v, [u for u in units if u["status"] == v]) for v in order]
            for status, group in groups:
                if not group:
                    continue
                names = _names(u["name"] for u in group)
                if len(group) == len(units):
                    names = _t("units_all")
                needed = [u for u in group if u["slots_needed"]]
                if status not in verdicts.GOOD and needed:
                    detail = "、".join(_t("units_needed_item", name=u["name"], needed=u["slots_needed"]) for u in needed)
                    text += _t("units_group_needed", names=names, status=status,
                               needed=sum(u["slots_needed"] for u in needed), detail=detail)
                else:
                    text += _t("units_group", names=names, status=status)
        blocks = [Paragraph(text + _t("units_end"))]

        average = self.comp.average.get("slots_per_1000")
        if self.has_average and average is not None:
            below = [u["name"] for u in units if u["slots_per_1000"] is not None and u["slots_per_1000"] < average]
            if below:
                blocks.append(Paragraph(_t("units_below_average", names=_names(below),
                                           average_label=self.average_label, average=_num(average))))
            else:
                blocks.append(Paragraph(_t("units_none_below_average", units_word=self.units_word,
                                           average_label=self.average_label, average=_num(average))))
        silent = [u for u in units if u["n_not_reported"]]
        if silent:
            detail = "、".join(_t("units_not_reported_item", name=u["name"], n=u["n_not_reported"]) for u in silent)
            blocks.append(Paragraph(_t("units_not_reported", detail=detail)))

        columns = [c.format(units_word=self.units_word) for c in templates()["columns"]["ranking"]]
        rows = []
        for rank, u in enumerate(units, start=1):
            rows.append([str(rank) if u["slots_per_1000"] is not None else "—", u["name"],
                         _num(u["slots_per_1000"]) if u["slots_per_1000"] is not None else fmt.NO_DATA,
                         _bar(u["target"]) if u["target"] is not None else "—",
                         str(u["slots_needed"]) if u["slots_needed"] is not None else "—",
                         fmt.percent(u["enrolment_rate"]), fmt.percent(u["occupancy_mean"]), u["status"] or "—"])
        blocks.append(Table(_t("ranking_caption", n=self._table_no(), units_word=self.units_word,
                               period_label=self.period_label),
                            columns, rows, [0.7, 1.6, 1.5, 1.2, 1.2, 1.0, 1.2, 1.0], "ccrrrrrc"))
        frame = self.comp.units.rename(columns={"slots_per_1000": "value"})
        colour_by, colours = comparison.colouring(self.comp)   # as 县区对比 colours them
        blocks.append(Figure(_t("units_caption", n=self._figure_no(), units_word=self.units_word,
                                average_label=self.comp.average_label), "units",
                             charts.unit_bars(frame, "slots_per_1000", average, self.comp.year_target,
                                              self.comp.average_label, colours, colour_by)))
        county_map, _ = maps.county_map(self.comp)   # None where the units have no boundaries
        if county_map is not None:
            blocks.append(Figure(_t("map_caption", n=self._figure_no(), title=maps.title(self.comp)), "map",
                                 county_map))
        return Section(heading, blocks)

    # -- 三、评审指标
    def criteria_section(self) -> Section | None:
        heading = templates()["heading"]["criteria"]
        table = self.criteria
        if table.empty:
            return None
        parent = table[table["is_parent"]]
        children = table[~table["is_parent"]]
        text = _t("criteria_summary", region_name=self.region_name, n=len(parent),
                  parts=verdicts.count_text(parent["verdict"]))
        lagging = parent[~parent["verdict"].isin(verdicts.GOOD)]
        if not lagging.empty:
            text += _t("criteria_lagging", items="、".join(f"第{n}项{v}" for n, v in
                                                           zip(lagging["criterion"], lagging["verdict"])))
        if not children.empty:
            items = []
            for code in dict.fromkeys(children["region_code"]):
                rows = children[children["region_code"] == code]
                lagging = [v for v in rows["verdict"] if v not in verdicts.GOOD]
                if lagging:
                    items.append(_t("criteria_unit_item", name=rows["region_name"].iloc[0],
                                    parts=verdicts.count_text(lagging)))
            text += (_t("criteria_units", units_word=self.units_word, items="，".join(items)) if items
                     else _t("criteria_units_all_met", units_word=self.units_word))
        rows = []
        for head in parent.sort_values("criterion").to_dict("records"):
            detail = head["detail"].split("；所辖县区：")[0]
            if detail.startswith("所辖县区："):
                detail = _t("criteria_children_only", units_word=self.units_word)
            lagging = children[(children["criterion"] == head["criterion"]) & ~children["verdict"].isin(verdicts.GOOD)]
            names = "、".join(f"{n}（{v}）" for n, v in zip(lagging["region_name"], lagging["verdict"])) or "—"
            rows.append([str(head["criterion"]), head["title"], head["verdict"], detail, names])
        columns = [c.format(units_word=self.units_word, region_name=self.region_name)
                   for c in templates()["columns"]["criteria"]]
        return Section(heading, [
            Paragraph(text),
            Table(_t("criteria_caption", n=self._table_no(), period_label=self.period_label),
                  columns, rows, [0.6, 2.4, 1.0, 3.6, 1.8], "clcll"),
        ])

    # -- 四、重点任务
    def tasks_section(self) -> Section | None:
        heading = templates()["heading"]["tasks"]
        if self.tasks.empty:
            return None
        late = self.tasks[self.tasks["is_late"]]
        today = fmt.date_zh(self.as_of)
        if late.empty:
            return Section(heading, [Paragraph(_t("tasks_none_late", today=today, n=len(self.tasks)))])
        leads = late["lead_unit"].tolist()
        order = list(dict.fromkeys(leads))
        lead_text = "、".join(_t("tasks_lead_item", unit=u, count=leads.count(u))
                              for u in sorted(order, key=lambda u: (-leads.count(u), order.index(u))))
        rows = []
        for i, t in enumerate(late.to_dict("records"), start=1):
            days = t["days_overdue"]
            overdue = _t("tasks_overdue_days", days=days) if days is not None else _t("tasks_marked_late")
            title = t["title"]
            if t["progress_note"]:
                title += _t("tasks_progress", note=t["progress_note"],
                            on=fmt.date_zh(t["updated_on"]) if not pd.isna(t["updated_on"]) else "")
            due = fmt.date_zh(t["due"]) if not pd.isna(t["due"]) else "—"
            rows.append([str(i), title, t["responsible_units"], due, t["status"], overdue])
        return Section(heading, [
            Paragraph(_t("tasks_late", today=today, n=len(self.tasks), late=len(late), leads=lead_text)),
            Table(_t("tasks_caption", n=self._table_no()), templates()["columns"]["tasks"], rows,
                  [0.5, 3.4, 2.4, 1.8, 0.9, 1.0], "cllccc"),
        ])

    # -- 五、变化情况
    def changes_section(self) -> Section:
        blocks = []
        previous_label = periods.label(self.previous)
        before = self.comp_prev.parent
        if not before or not before.get("n_reported"):
            blocks.append(Paragraph(_t("changes_none", previous_label=previous_label)))
        else:
            now_slots, prev_slots = int(self.snap["slots"] or 0), int(before.get("slots") or 0)
            diff = now_slots - prev_slots
            key = "change_slots_up" if diff > 0 else "change_slots_down" if diff < 0 else "change_slots_flat"
            blocks.append(Paragraph(_t(key, previous_label=previous_label, scope=self.scope, previous=prev_slots,
                                       current=now_slots, diff=abs(diff))))
            text = self._unit_changes() + self._criteria_changes()
            if text:
                blocks.append(Paragraph(text))
        blocks.append(Paragraph(self._filed_text()))
        return Section(templates()["heading"]["changes"], blocks)

    def _unit_changes(self) -> str:
        if self.comp.units.empty or self.comp_prev.units.empty:
            return ""
        before = dict(zip(self.comp_prev.units["code"], self.comp_prev.units["status"]))
        moved = [_t("change_item", name=u["name"], before=before.get(u["code"]), after=u["status"])
                 for u in self.ranked_units() if before.get(u["code"]) and u["status"]
                 and before.get(u["code"]) != u["status"]]
        if moved:
            return _t("change_units", units_word=self.units_word, items="，".join(moved))
        return _t("change_units_same", units_word=self.units_word)

    def _criteria_changes(self) -> str:
        if self.criteria.empty or self.criteria_prev.empty:
            return ""
        now = self.criteria[self.criteria["is_parent"]].set_index("criterion")["verdict"]
        before = self.criteria_prev[self.criteria_prev["is_parent"]].set_index("criterion")["verdict"]
        moved = [_t("change_item", name=f"第{n}项", before=before.get(n), after=now[n])
                 for n in now.index if before.get(n) and before.get(n) != now[n]]
        return _t("change_criteria", items="，".join(moved)) if moved else ""

    def newly_filed(self) -> pd.DataFrame:
        d = self.details
        if d.empty:
            return d
        filed = pd.to_datetime(d["filed_on"])
        start, end = pd.Timestamp(periods.quarter_start(self.quarter)), pd.Timestamp(periods.period_end(self.quarter))
        # assigned before filtering: an empty frame assigned a Series takes the Series' rows
        new = d.assign(_filed=filed)[(filed >= start) & (filed <= end)]
        return new.sort_values(["_filed", "institution_id"]).drop(columns="_filed").reset_index(drop=True)

    def _filed_text(self) -> str:
        new = self.newly_filed()
        if new.empty:
            return _t("change_filed_none")
        names = "、".join(_t("change_filed_item", name=n, region_name=r)
                         for n, r in zip(new["name"], new["region_name"]))
        return _t("change_filed", n=len(new), names=names)

    # -- 附：口径说明
    def notes_section(self) -> Section:
        counting = templates()["counting"][self.counting]
        notes = [_t("note_source", period_end=fmt.date_zh(self.as_of), counting=counting)]
        catalogue = indicators.catalogue()
        for code in templates()["overview"]["notes"]:
            notes.append(_t("note_indicator", name=catalogue[code]["name_zh"],
                            definition=catalogue[code]["definition"].rstrip("。")))
        if self.has_average:
            notes.append(_t("note_average", average_label=self.average_label))
        notes.append(_t("note_projection"))
        notes.append(_t("note_rounding"))
        if not self.criteria.empty:
            notes.append(_t("note_criteria"))
        if not self.tasks.empty:
            notes.append(_t("note_tasks", today=fmt.date_zh(self.as_of)))
        return Section(templates()["heading"]["notes"],
                       [Paragraph(f"{i}. {n}", "note") for i, n in enumerate(notes, start=1)], "notes")

    # -- the Excel workbook: every table the pages show, numbers as numbers
    def sheets(self) -> dict[str, pd.DataFrame]:
        names = templates()["sheets"]
        out = {names["headline"]: self._headline_sheet(), names["status"]: self._status_sheet()}
        trend = self.view.trend
        trend_sheet = pd.DataFrame({"报告期": [periods.label(q) for q in trend["quarter"]],
                                    "期末": [d for d in trend["quarter_end"]],
                                    f"{self.region_name}每千人口托位数": trend["region"].astype(float)})
        if self.has_average:
            trend_sheet[f"{self.province_name}每千人口托位数"] = trend["province"].astype(float)
        out[names["trend"]] = trend_sheet
        if not self.comp.units.empty:
            out[names["units"]] = comparison.table(self.comp)
            out[names["changes"]] = self._changes_sheet()
        if not self.criteria.empty:
            out[names["criteria_matrix"]] = review.matrix(self.criteria).reset_index()
            detail = self.criteria[["region_name", "criterion", "title", "verdict", "detail", "source"]]
            out[names["criteria_detail"]] = detail.rename(columns={
                "region_name": "地区", "criterion": "序号", "title": "评审指标", "verdict": "结论",
                "detail": "依据数据", "source": "出处"})
        checklist = review.count_checklist(self.con, self.plan, self.region, self.quarter, self.counting)
        if not checklist.empty:
            out[names["checklist"]] = checklist.rename(columns={
                "region_name": "地区", "region_code": "区划代码", "indicator_name": "指标", "year": "年份",
                "requirement": "要求", "value": "实际", "verdict": "结论", "judged_at": "判断时点",
                "source": "出处"}).drop(columns="indicator")
        if not self.details.empty:
            frame = institutions.display_frame(self.details)
            out[names["institutions"]] = frame.rename(columns={h: f"{h}（%）" for h in institutions.PERCENT_HEADERS})
        new = self.newly_filed()
        if not new.empty:
            out[names["filed"]] = pd.DataFrame({"机构编码": new["institution_id"], "机构名称": new["name"],
                                                "所在地区": new["region_name"], "备案日期": new["filed_on"],
                                                "类型": new["type"], "举办性质": new["ownership"]})
        if not self.tasks.empty:
            t = self.tasks
            out[names["tasks"]] = pd.DataFrame({
                "任务编号": t["task_id"], "章节": t["section"], "任务": t["title"], "责任单位": t["responsible_units"],
                "牵头单位": t["lead_unit"], "完成时限": t["due"], "状态": t["status"],
                "是否逾期": t["is_late"].map({True: "是", False: "否"}), "逾期天数": t["days_overdue"],
                "最新进展": t["progress_note"], "进展日期": t["updated_on"]})
        return out

    def _headline_sheet(self) -> pd.DataFrame:
        """Every DESIGN §3 figure now, last quarter and the change, in the pages' units (rates
        in %); formats() gives each row the digits the pages print, and a change is stored
        as rounded once from the unrounded values, so the sheet shows the page's digits."""
        now, before = self.comp.parent, self.comp_prev.parent
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
            if self.has_average:
                row[self.average_label] = scaled(self.average.get(code))
            rows.append(row)
        year = self.snap["year_target"]
        rows.append({"指标": fmt.name("slots_needed") + (f"（{year['year']}年目标{_bar(year['target'])}）" if year else ""),
                     "单位": "个", "本期": self.snap["slots_needed"]})
        return pd.DataFrame(rows)

    def _headline_formats(self, frame: pd.DataFrame) -> dict:
        """Per row, the Excel number format of the digits the pages print (0.00, 0.0, 0)."""
        codes = [c for c in indicators.CORE if c != "slots_needed"] + ["slots_needed"]
        formats = [fmt.excel_format(c) for c in codes]
        return {column: formats for column in frame.columns if column not in ("指标", "单位")}

    def _status_sheet(self) -> pd.DataFrame:
        frame = targets.evaluate(self.con, self.plan, self.region, self.quarter, self.counting, include_children=True)
        rows = []
        for r in frame.to_dict("records"):
            scale = _rate_scale(r["indicator"])

            def scaled(v):
                return None if v is None else float(v) * scale
            rows.append({"地区": r["region_name"], "区划代码": r["region_code"], "指标": fmt.short(r["indicator"]),
                         "年份": int(r["year"]), "要求": targets.requirement(r), "状态": r["status"],
                         "评价期": periods.label(r["judged_at"]), "评价值": scaled(r["value"]),
                         "预计到期值": scaled(r["projected"]),
                         "单位": indicators.catalogue()[r["indicator"]]["unit"], "尚需托位": r["slots_needed"],
                         "依据": targets.describe(r), "解读": r["reading"], "来源": r["source"]})
        return pd.DataFrame(rows, columns=STATUS_SHEET_COLUMNS)

    def _changes_sheet(self) -> pd.DataFrame:
        before = self.comp_prev.units.set_index("code") if not self.comp_prev.units.empty else pd.DataFrame()
        rows = []
        for u in self.ranked_units():
            prev = before.loc[u["code"]] if u["code"] in before.index else {}
            p_value = prev.get("slots_per_1000") if len(prev) else None
            rows.append({self.units_word: u["name"], "区划代码": u["code"],
                         f"{periods.label(self.previous)}每千人口托位数": p_value,
                         f"{self.period_label}每千人口托位数": u["slots_per_1000"],
                         "变化": None if p_value is None or u["slots_per_1000"] is None
                         else u["slots_per_1000"] - p_value,
                         "上季度状态": prev.get("status") if len(prev) else None, "本期状态": u["status"]})
        return pd.DataFrame(rows)

    def build(self, issue_no: int | None = None, issued: date | None = None) -> Briefing:
        dataset = self.snap["dataset"]
        sections = [s for s in (self.overview_section(), self.units_section(), self.criteria_section(),
                                self.tasks_section(), self.changes_section()) if s is not None]
        for number, section in zip(CHINESE_NUMERALS, sections):
            section.heading = f"{number}、{section.heading}"
        sections.append(self.notes_section())
        document = conventions(self.plan_row, self.region_name)
        sheets = self.sheets()
        headline = templates()["sheets"]["headline"]
        return Briefing(
            title=_t("title", region_name=self.region_name),
            subtitle=_t("subtitle", period_label=self.period_label),
            byline=_t("byline", plan_title=self.plan_row["title"], period_end=fmt.date_zh(self.as_of)),
            marker=_t("marker", dataset=dataset) if dataset else None,
            headline=sections[0].blocks[0].text,
            sections=sections, sheets=sheets,
            region_name=self.region_name, quarter=self.quarter, plan=self.plan,
            issued=issued or self.as_of,
            file_stem=_t("file_stem", region_name=self.region_name, period=self.quarter),
            as_of=self.as_of,
            issue_label=document["issue_label"].format(issue=issue_no) if issue_no else None,
            compiler=document["compiler"], send_to=document["send_to"], copy_to=document["copy_to"],
            formats={headline: self._headline_formats(sheets[headline])},
        )


CHINESE_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def conventions(plan_row: dict, region_name: str) -> dict:
    """期号 wording, 编印单位 and 报送/抄送 for the plan (data/briefing.toml [document], a plan's
    own table over the defaults); 编印单位 defaults to the plan's issuer."""
    document = dict(templates()["document"])
    plans = document.pop("plan", {})
    document |= plans.get(plan_row["plan_code"], {})
    document["compiler"] = document.get("compiler") or plan_row.get("issuer") or ""
    for key in ("send_to", "copy_to"):
        document[key] = document.get(key, "").format(region_name=region_name)
    return document


def issue_number(con, plan: str, region: str, quarter: str) -> int | None:
    """The briefing's 期号: the number given when this plan's briefing for the region and
    quarter was first made, else the plan's next one (kept in table briefing_issues, so
    that a briefing made again keeps its number). None where the database is read-only."""
    import duckdb

    params = {"plan_code": plan, "region_code": region, "quarter": quarter}
    try:
        db.run(con, "briefing_issue_add", **params)
    except duckdb.Error:  # read-only, or another session numbered it a moment ago
        log.info("briefing issue not recorded", exc_info=True)
    found = db.run(con, "briefing_issue", **params)
    return None if found.empty else int(found["issue_no"].iloc[0])


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
    builder = _Builder(con, plan, region, quarter, counting, today or periods.today())
    return builder.build(issue_number(con, plan, region, quarter), issued)


# ------------------------------------------------------------------ chart images

def _for_print(fig, name: str):
    """The page's figure restyled for paper: no title (the caption says it), larger text."""
    import plotly.graph_objects as go

    fig = go.Figure(fig)
    # margins grown by the axes themselves (automargin), so no tick label is cut at the edge
    fig.update_layout(title=None, font=dict(size=CHART_FONT_SIZE), margin=dict(l=10, r=10, t=16, b=10, pad=4),
                      paper_bgcolor="white", plot_bgcolor="white")
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True, title_standoff=14)
    if name == "units":
        fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.12, x=0))
    return fig


def render_images(briefing: Briefing) -> None:
    """PNG images of the briefing's charts, in one kaleido session (each session starts a
    browser). A failure leaves the images out with a warning: the text still stands."""
    figures = [f for f in briefing.figures() if f.png is None and f.figure is not None]
    if not figures:
        return
    import plotly.io as pio

    with tempfile.TemporaryDirectory(prefix="tuoyu-charts-") as tmp:
        paths = [Path(tmp) / f"{f.name}.png" for f in figures]
        try:
            pio.write_images([_for_print(f.figure, f.name) for f in figures], paths, format="png",
                             width=[CHART_SIZE[f.name][0] for f in figures],
                             # a long list of units draws taller than the usual size
                             height=[max(CHART_SIZE[f.name][1], f.figure.layout.height or 0) for f in figures],
                             scale=CHART_SCALE)
        except Exception as exc:  # kaleido needs a Chromium; without one the briefing goes out without charts
            log.warning("chart export failed", exc_info=True)
            briefing.warnings.append(f"图表未能生成（需要 Chromium 浏览器）：{exc}")
            return
        for f, path in zip(figures, paths):
            f.png = path.read_bytes()


# ------------------------------------------------------------------ Word

PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ppr_insert(ppr, element) -> None:
    """Insert a pPr child where the schema wants it (Word rejects out-of-order elements)."""
    rank = PPR_ORDER.index(_local(element.tag))
    for child in ppr:
        if _local(child.tag) in PPR_ORDER and PPR_ORDER.index(_local(child.tag)) > rank:
            child.addprevious(element)
            return
    ppr.append(element)


def _set_fonts(rpr, east_asia: str) -> None:
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _docx_styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    # Document defaults: Chinese body font and language instead of the template's theme fonts.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FONTS["body"])
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.attrib.pop(qn("w:bidi"), None)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _set_fonts(normal.element.get_or_add_rPr(), FONTS["body"])
    pf = normal.paragraph_format
    pf.first_line_indent = Pt(32)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True

    def add(name, style_id, font, size, *, align=None, indent=None, line=None, before=0, after=0, bold=False,
            keep_next=False, outline=None, color=None, border=None, border_top=None):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id      # ASCII ids, as Word writes them; the Chinese name shows in Word
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.bold = bold
        if color:
            style.font.color.rgb = RGBColor.from_string(color)
        _set_fonts(style.element.get_or_add_rPr(), font)
        p = style.paragraph_format
        p.first_line_indent = Pt(indent or 0)
        if line == "single":
            p.line_spacing_rule = WD_LINE_SPACING.SINGLE
        elif line:
            p.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.line_spacing = Pt(line)
        p.space_before, p.space_after = Pt(before), Pt(after)
        if align:
            p.alignment = align
        p.keep_with_next = keep_next
        ppr = style.element.get_or_add_pPr()
        if border or border_top:
            pbdr = OxmlElement("w:pBdr")
            for side, colour, size in (("top", border_top, "8"), ("bottom", border, "18")):
                if colour:
                    line = OxmlElement(f"w:{side}")
                    for k, v in {"val": "single", "sz": size, "space": "4", "color": colour}.items():
                        line.set(qn(f"w:{k}"), v)
                    pbdr.append(line)
            _ppr_insert(ppr, pbdr)
        if outline is not None:
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(outline))
            _ppr_insert(ppr, level)
        return style

    centre = WD_ALIGN_PARAGRAPH.CENTER
    add("简报标题", "BriefTitle", FONTS["title"], 22, align=centre, line=36, after=6)
    add("简报副标题", "BriefSubtitle", FONTS["subtitle"], 16, align=centre, line=28)
    add("简报题头", "BriefByline", FONTS["subtitle"], 12, align=centre, line=20, before=4)
    add("简报期号", "BriefIssue", FONTS["body"], 16, align=centre, line=28)
    add("简报编印", "BriefCompiler", FONTS["body"], 14, line=24, before=4)
    add("简报版记", "BriefColophon", FONTS["body"], 14, line=24, border_top="000000")
    add("简报落款", "BriefSignature", FONTS["body"], 16, align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)
    add("简报标注", "BriefMarker", FONTS["heading"], 12, align=centre, line=20, before=4, color=RED)
    add("简报分隔线", "BriefRule", FONTS["body"], 6, align=centre, line=8, after=12, border=RED)
    add("简报一级标题", "BriefHeading1", FONTS["heading"], 16, indent=32, line=28, before=8, keep_next=True,
        outline=0)
    add("简报题注", "BriefTableCaption", FONTS["heading"], 12, align=centre, line=20, before=4, after=2,
        keep_next=True)
    add("简报图题", "BriefFigureCaption", FONTS["heading"], 12, align=centre, line=20, after=8)
    add("简报图片", "BriefFigure", FONTS["body"], 12, align=centre, line="single", before=6, keep_next=True)
    add("简报表格", "BriefTableText", FONTS["body"], 10.5, line=15)
    add("简报表后", "BriefAfterTable", FONTS["body"], 6, line=10)
    add("简报注释", "BriefNote", FONTS["body"], 12, indent=24, line=20)
    add("简报页码", "BriefPageNumber", FONTS["body"], 14, align=centre, line="single")


def _docx_font_table(doc) -> None:
    """Name a common substitute for each 公文 font in word/fontTable.xml (w:altName), for a
    PC without 仿宋_GB2312 and the like."""
    from lxml import etree

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    for name, alt in FONT_SUBSTITUTES.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "modern" if "仿宋" in name or "楷体" in name
                                                    or name == "黑体" else "roman"})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "fixed" if name != "方正小标宋简体" else "variable"})
    if not hasattr(part, "element"):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph) -> None:
    """— PAGE — in the footer, as 公文 number their pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(el)

    paragraph.add_run("— ")
    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")
    paragraph.add_run(" —")


def _docx_table(doc, table: Table) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc.add_paragraph(table.caption, style="简报题注")
    align = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    total = sum(table.widths)
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in table.widths]
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        column.width = width
    for r, values in enumerate([table.columns] + table.rows):
        row = grid.rows[r]
        if r == 0:
            trpr = row._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            trpr.append(header)
        else:
            cant_split = OxmlElement("w:cantSplit")
            row._tr.get_or_add_trPr().append(cant_split)
        for c, (cell, text) in enumerate(zip(row.cells, values)):
            cell.width = widths[c]
            if r == 0:
                shade = OxmlElement("w:shd")
                for k, v in {"val": "clear", "color": "auto", "fill": "D9D9D9"}.items():
                    shade.set(qn(f"w:{k}"), v)
                cell._tc.get_or_add_tcPr().append(shade)   # before vAlign, as the schema orders them
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.style = doc.styles["简报表格"]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else align[table.align[c]]
            run = p.add_run(str(text))
            run.bold = r == 0 or None
    doc.add_paragraph(style="简报表后")


def setup_document(doc) -> None:
    """A4, 公文 margins and fonts, the briefing's paragraph styles, page numbers in the
    footer: the layout of the briefing and of the 督办通知 (tuoyu/notices.py)."""
    from docx.shared import Cm

    _docx_styles(doc)
    _docx_font_table(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    section.footer_distance = Cm(2.5)
    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].style = doc.styles["简报页码"]


def to_docx(briefing: Briefing) -> bytes:
    """The briefing as a Word document: A4, 公文 fonts and margins, page numbers in the
    footer, charts as images. Identical bytes for identical content."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    doc = Document()
    setup_document(doc)
    doc.add_paragraph(briefing.title, style="简报标题")
    doc.add_paragraph(briefing.subtitle, style="简报副标题")
    if briefing.issue_label:
        doc.add_paragraph(briefing.issue_label, style="简报期号")
    left, right = issue_line(briefing)
    line = doc.add_paragraph(f"{left}\t{right}", style="简报编印")
    line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    doc.add_paragraph(briefing.byline, style="简报题头")
    if briefing.marker:
        doc.add_paragraph(briefing.marker, style="简报标注")
    doc.add_paragraph(style="简报分隔线")
    for s in briefing.sections:
        doc.add_paragraph(s.heading, style="简报一级标题")
        for block in s.blocks:
            if isinstance(block, Paragraph):
                doc.add_paragraph(block.text, style="简报注释" if block.kind == "note" else None)
            elif isinstance(block, Table):
                _docx_table(doc, block)
            elif isinstance(block, Figure):
                if block.png:
                    run = doc.add_paragraph(style="简报图片").add_run()
                    run.add_picture(io.BytesIO(block.png), width=Cm(TEXT_WIDTH_CM - 0.2))
                    doc.add_paragraph(block.caption, style="简报图题")
    for w in briefing.warnings:
        doc.add_paragraph(w, style="简报注释")
    for line in colophon(briefing):
        doc.add_paragraph(line, style="简报版记")

    props = doc.core_properties
    issued = datetime(briefing.issued.year, briefing.issued.month, briefing.issued.day)
    props.title, props.subject = briefing.title, briefing.subtitle.strip("（）")
    props.author = props.last_modified_by = "托育示范城市创建监测"
    props.comments = briefing.byline
    props.keywords = "简报;托育;每千人口托位数"
    props.category = "简报"
    props.created = props.modified = issued
    props.revision = 1
    _drop_thumbnail(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), issued)


def issue_line(briefing: Briefing) -> tuple[str, str]:
    """('中卫市卫生健康委员会编', '2024年12月31日'): the 编印单位 on the left and the 印发日期
    on the right of the line under the title."""
    return _t("compiler", compiler=briefing.compiler) if briefing.compiler else "", fmt.date_zh(briefing.issued)


def colophon(briefing: Briefing) -> list[str]:
    """The 版记 at the end: 报送 and 抄送, where the plan gives them."""
    return [_t(key, **{field: value}) for key, field, value in
            (("send_line", "send_to", briefing.send_to), ("copy_line", "copy_to", briefing.copy_to)) if value]


def _drop_thumbnail(doc) -> None:
    """python-docx's template carries a thumbnail of some other document; leave it out."""
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            rels.pop(rid)


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same archive with every entry dated `when`, so identical content gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(when.year, when.month, when.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


# ------------------------------------------------------------------ HTML and PDF

SERIF = '"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif'
SANS = '"黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
TITLE = '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif'
KAI = '"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif'
CSS = f"""
@page {{ size: A4; margin: {MARGINS_CM['top']}cm {MARGINS_CM['right']}cm {MARGINS_CM['bottom']}cm {MARGINS_CM['left']}cm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: "Times New Roman", {SERIF}; font-size: 14pt; }} }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: {SERIF}; font-size: 16pt; line-height: 28pt; color: #000; margin: 0; background: #fff; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
h1 {{ font-family: {TITLE}; font-size: 22pt; line-height: 36pt; font-weight: bold; text-align: center; margin: 0 0 6pt; }}
.subtitle {{ font-family: {KAI}; text-align: center; text-indent: 0; }}
.byline {{ font-family: {KAI}; font-size: 12pt; line-height: 20pt; text-align: center; text-indent: 0; margin-top: 4pt; }}
.marker {{ font-family: {SANS}; font-size: 12pt; line-height: 20pt; color: #{RED}; text-align: center; text-indent: 0; margin-top: 4pt; }}
hr {{ border: 0; border-top: 2.25pt solid #{RED}; margin: 6pt 0 12pt; }}
.issue {{ text-align: center; text-indent: 0; }}
.compiler {{ font-size: 14pt; line-height: 24pt; text-indent: 0; display: flex; justify-content: space-between; margin-top: 4pt; }}
.colophon {{ margin-top: 24pt; border-top: 1pt solid #000; break-inside: avoid; }}
.colophon p {{ font-size: 14pt; line-height: 24pt; text-indent: 0; border-bottom: 1pt solid #000; }}
h2 {{ font-family: {SANS}; font-weight: normal; font-size: 16pt; line-height: 28pt; margin: 8pt 0 0; text-indent: 2em; break-after: avoid; }}
figure {{ margin: 6pt 0 8pt; text-align: center; break-inside: avoid; }}
figure img {{ width: 100%; display: block; }}
figcaption, .caption {{ font-family: {SANS}; font-size: 12pt; line-height: 20pt; text-align: center; text-indent: 0; }}
.caption {{ padding: 4pt 0 2pt; break-after: avoid; }}
.table {{ margin: 0; }}
.table thead, .table tbody tr:first-child {{ break-before: avoid; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10.5pt; line-height: 15pt; margin: 0 0 10pt; }}
th, td {{ border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: middle; overflow-wrap: anywhere; }}
th {{ background: #d9d9d9; font-family: {SANS}; font-weight: normal; text-align: center; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
td.l {{ text-align: left; }} td.c {{ text-align: center; }} td.r {{ text-align: right; }}
.notes p {{ font-size: 12pt; line-height: 20pt; }}
@media screen {{ body {{ max-width: 15.6cm; margin: 1.5cm auto; padding: 0 1cm; }} }}
"""


def _breakable(text: str) -> str:
    """Allow a line break before a full-width bracket that follows a figure: “2.5%（4.4%）”
    is otherwise one unbreakable run, and a justified line before it gapes."""
    return re.sub(r"(?<=[0-9A-Za-z%])（", "<wbr>（", text)


def to_html(briefing: Briefing) -> str:
    """The briefing as one self-contained HTML page (images inline): the page's preview and
    the source of the PDF."""
    e = html_lib.escape
    out = ["<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{e(briefing.title)}{e(briefing.subtitle)}</title><style>{CSS}</style></head><body>",
           f"<header><h1>{e(briefing.title)}</h1><p class=\"subtitle\">{e(briefing.subtitle)}</p>",
           (f"<p class=\"issue\">{e(briefing.issue_label)}</p>" if briefing.issue_label else ""),
           "<p class=\"compiler\">" + "".join(f"<span>{e(part)}</span>" for part in issue_line(briefing)) + "</p>",
           f"<p class=\"byline\">{e(briefing.byline)}</p>"]
    if briefing.marker:
        out.append(f"<p class=\"marker\">{e(briefing.marker)}</p>")
    out.append("<hr></header>")
    for s in briefing.sections:
        out.append(f"<section class=\"{s.kind}\"><h2>{e(s.heading)}</h2>")
        for block in s.blocks:
            if isinstance(block, Paragraph):
                out.append(f"<p>{_breakable(e(block.text))}</p>")
            elif isinstance(block, Table):
                total = sum(block.widths)
                cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in block.widths)
                head = "".join(f"<th>{e(c)}</th>" for c in block.columns)
                body = "".join("<tr>" + "".join(f'<td class="{a}">{e(str(v))}</td>' for a, v in zip(block.align, row))
                               + "</tr>" for row in block.rows)
                # the caption as a block of its own, kept with the table (break-after: avoid)
                out.append(f"<div class=\"table\"><p class=\"caption\">{e(block.caption)}</p><table>"
                           f"<colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                           f"</table></div>")
            elif isinstance(block, Figure) and block.png:
                data = base64.b64encode(block.png).decode("ascii")
                out.append(f'<figure><img alt="{e(block.caption)}" src="data:image/png;base64,{data}">'
                           f"<figcaption>{e(block.caption)}</figcaption></figure>")
        out.append("</section>")
    for w in briefing.warnings:
        out.append(f"<p class=\"marker\">{e(w)}</p>")
    lines = colophon(briefing)
    if lines:
        out.append("<footer class=\"colophon\">" + "".join(f"<p>{e(line)}</p>" for line in lines) + "</footer>")
    out.append("</body></html>")
    return "\n".join(out)


def chromium_path() -> str | None:
    """$TUOYU_CHROMIUM, else the first Chromium or Chrome on PATH."""
    pinned = os.environ.get("TUOYU_CHROMIUM")
    if pinned:
        return pinned if Path(pinned).exists() else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def to_pdf(briefing: Briefing, html: str | None = None) -> bytes:
    """The HTML rendering printed to PDF by headless Chromium. Raises BriefingError (in
    Chinese) when no Chromium is installed or it fails."""
    exe = chromium_path()
    if exe is None:
        raise BriefingError(NO_CHROMIUM)
    html = to_html(briefing) if html is None else html
    with tempfile.TemporaryDirectory(prefix="tuoyu-briefing-") as tmp:
        source, target = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        source.write_text(html, encoding="utf-8")
        command = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BriefingError(f"PDF 生成失败：无法运行 Chromium（{exc}）。Word 文件不受影响。") from exc
        if not target.exists() or target.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-3:]
            raise BriefingError(f"PDF 生成失败：Chromium 未输出文件（{' '.join(tail)}）。Word 文件不受影响。")
        return target.read_bytes()


# ------------------------------------------------------------------ Excel

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


# ------------------------------------------------------------------ one call for the page and the CLI

@dataclass
class Files:
    headline: str
    file_stem: str
    docx: bytes | None = None
    pdf: bytes | None = None
    xlsx: bytes | None = None
    html: str | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def generate(con, plan: str, region: str, period: str, counting: str = indicators.DEFAULT_COUNTING,
             formats=(".docx", ".pdf", ".xlsx", ".html"), progress=None, today: date | None = None,
             issued: date | None = None) -> Files:
    """Assemble the briefing and render the formats asked for. `progress(fraction, text)`
    is told each step. A missing Chromium costs the PDF (and the charts), never the rest:
    the reason is in Files.errors."""
    started = time.perf_counter()
    step = progress or (lambda fraction, text: None)
    step(0.05, "汇总各项数据……")
    briefing = assemble(con, plan, region, period, counting, today, issued)
    files = Files(briefing.headline, briefing.file_stem)
    if set(formats) & {".docx", ".pdf", ".html"}:
        step(0.25, "生成图表……")
        render_images(briefing)
        files.errors += briefing.warnings
    if ".docx" in formats:
        step(0.55, "生成 Word 文件……")
        files.docx = to_docx(briefing)
    if set(formats) & {".pdf", ".html"}:
        files.html = to_html(briefing)
    if ".pdf" in formats:
        step(0.65, "生成 PDF 文件……")
        try:
            files.pdf = to_pdf(briefing, files.html)
        except BriefingError as exc:
            files.errors.append(str(exc))
    if ".xlsx" in formats:
        step(0.9, "生成 Excel 文件……")
        files.xlsx = to_excel(briefing)
    files.seconds = time.perf_counter() - started
    step(1.0, f"完成，用时 {files.seconds:.1f} 秒")
    return files
