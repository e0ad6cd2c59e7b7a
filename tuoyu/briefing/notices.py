"""督办通知: one Word notice per county that has something to act on at a period — a target
of the plan 未达标 or 有风险 (DESIGN §4.2, the verdicts the pages show), or no report at all
for the period — with its figures against each target, the 托位 it still needs, its
institutions flagged on 机构明细, the late tasks that name it, and a date to reply by. A county
with nothing to act on gets none.

`python -m tuoyu notices --plan ZHONGWEI --period 2024Q4 -o DIR` writes them; 简报导出 offers
them as one zip. The wording is data/briefing.toml [notice]; the layout is the briefing's
(公文 fonts and margins, word.py)."""

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from .. import fmt, freshness, indicators, institutions, periods, targets, verdicts
from ..errors import BriefingError
from ..overview import target_sentence
from ..tasks import units_of
from .content import load_plan, tasks_of
from .issues import conventions
from .model import Table
from .word import add_table, setup_document
from .wording import CHINESE_NUMERALS, templates

ACT_ON = (verdicts.MISSED, verdicts.AT_RISK)


def _t(key: str, **fields) -> str:
    return templates()["notice"][key].format(**fields)


@dataclass
class Notice:
    region_code: str
    region_name: str
    file_name: str
    reasons: list[str]            # why it is sent: the targets 未达标/有风险, 本期未报送
    docx: bytes


def build(con, plan: str, period: str, counting: str = indicators.DEFAULT_COUNTING,
          today: date | None = None, region: str | None = None) -> list[Notice]:
    """The notices for the counties (or townships) below the plan's region — or below
    `region` — at the period, as of its last day."""
    quarter = periods.quarter_of(periods.parse_period(period))
    plan_row = load_plan(con, plan)
    top = region or plan_row["region_code"]
    lineage = indicators.lineage(con, top)
    if lineage.empty:
        raise BriefingError(f"未知区划代码 {top}")
    as_of = periods.as_of(quarter, today or periods.today())
    units = targets.bound_units(con, top, lineage["level"].iloc[0])
    with indicators.session(con):
        evaluated = targets.evaluate(con, plan, top, quarter, counting, include_children=True)
        year = targets.year_verdicts(con, plan, units["code"].tolist(), quarter, counting)
    silent = freshness.silent_codes(con, top, quarter)
    tasks = tasks_of(con, plan, as_of)
    document = conventions(plan_row, lineage["name"].iloc[0])
    out = []
    for code, name in zip(units["code"], units["name"]):
        rows = evaluated[evaluated["region_code"] == code]
        lagging = rows[rows["status"].isin(ACT_ON)]
        if lagging.empty and code not in silent:
            continue
        reasons = [f"{fmt.short(r['indicator'])}（{r['year']}年）{r['status']}" for r in lagging.to_dict("records")]
        if code in silent:
            reasons.append(_t("silent_reason"))
        mine = tasks[tasks["is_late"] & tasks["responsible_units"].map(lambda u: any(name in x for x in units_of(u)))]
        details = institutions.details(con, code, quarter, counting)
        docx = _docx(plan_row, document, name, quarter, as_of, rows, year.get(code), details, mine, code in silent)
        out.append(Notice(code, name, _t("file_name", region_name=name, period=quarter), reasons, docx))
    return out


def _docx(plan_row: dict, document: dict, name: str, quarter: str, as_of: date, rows: pd.DataFrame,
          year: dict | None, details: pd.DataFrame, tasks: pd.DataFrame, silent: bool) -> bytes:
    from docx import Document

    doc = Document()
    setup_document(doc)
    doc.add_paragraph(_t("title", region_name=name, period_label=periods.label(quarter)), style="简报标题")
    doc.add_paragraph(_t("addressee", region_name=name), style="简报版记")
    doc.add_paragraph(_t("opening", plan_title=plan_row["title"], period_label=periods.label(quarter),
                         as_of=fmt.date_zh(as_of)))
    number = iter(CHINESE_NUMERALS)

    doc.add_paragraph(f"{next(number)}、{_t('targets_heading')}", style="简报一级标题")
    if year is not None:  # this year's 托位 target first, worded as 总览 and the briefing word it
        doc.add_paragraph(target_sentence(year))
    table_rows = [[r["status"], fmt.short(r["indicator"]), targets.requirement(r), targets.describe(r)]
                  for r in rows.assign(_rank=rows["status"].map(lambda s: verdicts.style(s)["rank"]))
                  .sort_values(["_rank", "year"]).to_dict("records")]
    add_table(doc, Table(_t("targets_caption"), ["状态", "指标", "要求", "依据"], table_rows,
                         [1.0, 1.4, 2.0, 4.6], "cllll"))
    if silent:
        doc.add_paragraph(_t("silent", period_label=periods.label(quarter)))

    flagged = details[details["flags"] != ""] if not details.empty else details
    if not flagged.empty:
        doc.add_paragraph(f"{next(number)}、{_t('institutions_heading')}", style="简报一级标题")
        counts = institutions.summary(details)
        parts = "、".join(_t("institutions_item", label=institutions.FLAG_LABELS[c], n=counts[c])
                          for c in institutions.FLAGS["code"] if counts[c])
        doc.add_paragraph(_t("institutions", n=len(flagged), parts=parts))
        inst_rows = [[r["name"], r["flags"], fmt.count(r["slots"]) if pd.notna(r["slots"]) else "—",
                      fmt.percent(r["occupancy"]) if pd.notna(r["occupancy"]) else "—"]
                     for r in flagged.to_dict("records")]
        add_table(doc, Table(_t("institutions_caption"), ["机构名称", "问题标记", "托位数", "托收率"],
                             inst_rows, [3.6, 3.0, 1.0, 1.0], "llrr"))

    if not tasks.empty:
        doc.add_paragraph(f"{next(number)}、{_t('tasks_heading')}", style="简报一级标题")
        for t in tasks.to_dict("records"):
            doc.add_paragraph(_t("task", title=t["title"], due=fmt.date_zh(t["due"]), days=t["days_overdue"]))

    reply_by = as_of + timedelta(days=int(templates()["notice"]["reply_days"]))
    doc.add_paragraph(_t("closing", reply_by=fmt.date_zh(reply_by), compiler=document["compiler"]))
    doc.add_paragraph(document["compiler"], style="简报落款")
    doc.add_paragraph(fmt.date_zh(as_of), style="简报落款")
    buffer = io.BytesIO()
    issued = datetime(as_of.year, as_of.month, as_of.day)
    doc.core_properties.created = doc.core_properties.modified = issued
    doc.save(buffer)
    return buffer.getvalue()


def to_zip(notices: list[Notice]) -> bytes:
    """Every notice in one zip (file names in UTF-8), for the page's download."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in notices:
            z.writestr(n.file_name, n.docx)
    return out.getvalue()
