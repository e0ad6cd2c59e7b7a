"""What 总览 shows for one selection (DESIGN §7.1): the headline — this year's 每千人口托位数
target and its verdict (DESIGN §4.2), where we are, the projection, the units that lag
with their gap in 托位, and why the review criterion may say otherwise — then the headline
figures each with its own target's status, the quarterly trend with the target staircase
and the projection, and every target of the plan grouped by status."""

from concurrent.futures import Future
from dataclasses import dataclass, field

import pandas as pd

from . import citations, db, fmt, freshness, indicators, periods, review, targets, verdicts
from .snapshot import snapshot

HEADLINE = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "filing_rate", "puhui_slot_share")
UNITS_WORD = {"county": "县区", "township": "乡镇（街道）"}
# the status and the figure first: at a phone's width they are what stays on screen
STATUS_HEADERS = ["状态", "评价值", "指标", "地区", "要求", "依据", "评价期", "解读", "来源"]
STATUS_SHEET_HEADERS = ["地区", "区划代码", "指标", "年份", "要求", "状态", "评价期", "评价值", "预计到期值", "单位",
                        "尚需托位", "依据", "解读", "来源"]


@dataclass
class Metric:
    code: str
    label: str
    value: str
    delta: str | None
    flat: bool                    # the change rounds to nothing: no arrow
    help: str
    targets: str                  # this year's and the final target, in words
    status: str | None            # its own target's verdict (the year's, else the next), None without one
    status_label: str = ""        # '2024年目标：达标'


@dataclass
class View:
    snapshot: dict
    headline: list[str]           # sentences, first the year's target and its status
    headline_status: str | None   # the verdict the first sentence gives
    metrics: list[Metric]
    year_target: tuple            # (target, year) for slots_per_1000
    final_target: tuple
    trend: pd.DataFrame           # quarter, quarter_end, region, province (slots_per_1000)
    staircase: list               # [(year, target)]
    national_targets: pd.DataFrame
    national_series: pd.DataFrame
    projection: tuple | None      # ((date, value) now, (date, value) at the due quarter's end)
    status: pd.DataFrame          # every target, display-ready, grouped by status (STATUS_HEADERS)
    references: pd.DataFrame      # targets of regions above, shown as 参考
    notices: list[str] = field(default_factory=list)


def _metric(code: str, now: dict, before: dict | None, applicable: list[dict], year: int,
            evaluated: list[dict]) -> Metric:
    value = now.get(code)
    previous = (before or {}).get(code)
    change = None if value is None or previous is None else value - previous
    year_bar, year_of = targets.pick_year(applicable, code, year)
    final_bar, final_of = targets.pick_year(applicable, code, 10_000)
    bars = []
    if year_bar is not None:
        bars.append(f"{year_of}年目标 {fmt.value(code, year_bar)}")
    if final_bar is not None and final_of != year_of:
        bars.append(f"方案最终目标 {fmt.value(code, final_bar)}（{final_of}年）")
    help_text = fmt.definition(code) + ("\n\n" + "；".join(bars) if bars else "")
    # the plan's own number first; a "above the provincial average" row where there is none
    mine = targets.pick_row([r for r in evaluated if r["benchmark"] == "value"], code, year) \
        or targets.pick_row(evaluated, code, year)
    delta = fmt.delta(code, change)
    return Metric(code, fmt.short(code), fmt.value(code, value).replace(" 个/千人", "个"), delta,
                  fmt.is_flat(delta), help_text, "；".join(bars),
                  mine["status"] if mine else None, f"{mine['year']}年目标：{mine['status']}" if mine else "")


def target_sentence(row: dict) -> str:
    """'2024年每千人口托位数目标≥ 1.20 个/千人：有风险。本期1.00 个/千人；按近四个季度趋势……。'"""
    return verdicts.text("headline", "target", year=row["year"], indicator=fmt.short(row["indicator"]),
                         requirement=targets.requirement(row, with_year=False), status=row["status"],
                         detail=targets.describe(row))


def headline_lines(snap: dict, units: dict[str, dict | None], criteria: pd.DataFrame, units_word: str) -> list[str]:
    """The sentences at the top of 总览 and of the briefing: this year's target (and the next
    one when this year's is already judged), the year's targets counted by status, the units
    not 达标/预计达标 with their gap in 托位, and a review criterion that the region's own
    figure meets but its units do not."""
    lines = []
    year_row, next_row = snap["year_target"], snap["next_target"]
    if year_row is None:
        lines.append(verdicts.text("headline", "no_target", region_name=snap["region"]["name"]))
    else:
        lines.append(target_sentence(year_row))
        if next_row and next_row["year"] != year_row["year"]:
            lines.append(target_sentence(next_row))
    year = int(snap["period"][:4])
    this_year = [t["status"] for t in snap["targets"] if t["year"] == year]
    if this_year:
        lines.append(verdicts.text("headline", "year_counts", year=year, n=len(this_year),
                                   counts=verdicts.count_text(this_year)))
    judged = {code: row for code, row in units.items() if row is not None}
    if judged:
        lagging = [r for r in judged.values() if r["status"] not in verdicts.GOOD]
        if lagging:
            items = "、".join(verdicts.text(
                "headline", "lagging_item", name=r["region_name"], status=r["status"],
                needed=verdicts.text("headline", "lagging_needed", slots=r["slots_needed"]) if r["slots_needed"] else "")
                for r in sorted(lagging, key=lambda r: (verdicts.style(r["status"])["rank"], -(r["slots_needed"] or 0))))
            lines.append(verdicts.text("headline", "lagging", units_word=units_word, items=items))
        else:
            lines.append(verdicts.text("headline", "none_lagging", n=len(judged), units_word=units_word))
    lines += criterion_lines(criteria, units_word)
    return lines


def criterion_lines(criteria: pd.DataFrame, units_word: str) -> list[str]:
    """For each criterion on which the region's own figure is fine but the verdict is not
    (it also judges every unit below), one sentence naming the units that pull it down."""
    if criteria.empty:
        return []
    out = []
    parent = criteria[criteria["is_parent"]]
    children = criteria[~criteria["is_parent"]]
    for row in parent.to_dict("records"):
        if row["own_verdict"] not in verdicts.GOOD or row["verdict"] in verdicts.GOOD:
            continue
        mine = children[(children["criterion"] == row["criterion"]) & ~children["verdict"].isin(verdicts.GOOD)]
        if mine.empty:
            continue
        statuses = set(mine["verdict"])
        out.append(verdicts.text(
            "headline", "criterion", number=row["criterion"], region_name=row["region_name"], units_word=units_word,
            own=row["own_verdict"], names="、".join(mine["region_name"]),
            verdicts=statuses.pop() if len(statuses) == 1 else "未达到要求", verdict=row["verdict"]))
    return out


def status_table(frame: pd.DataFrame | list[dict], docs: dict[str, str] | None = None, *,
                 sheet: bool = False) -> pd.DataFrame:
    """Every target row (targets.evaluate) with Chinese headers: as 总览 shows it, worst status
    first (then unit, year), figures as text, the source as 文号 + clause (tuoyu.citations);
    or, with `sheet`, as the briefing's workbook holds it (STATUS_SHEET_HEADERS): in
    evaluate's order, figures as numbers in the page's units (rates in %), with the code,
    the projection, the 托位 still needed and the source as stored."""
    columns = STATUS_SHEET_HEADERS if sheet else STATUS_HEADERS
    rows = indicators.records(frame) if isinstance(frame, pd.DataFrame) else frame
    if not rows:
        return pd.DataFrame(columns=columns)
    if not sheet:
        order = {code: i for i, code in enumerate(dict.fromkeys(r["region_code"] for r in rows))}
        rank = {status: verdicts.style(status)["rank"] for status in {r["status"] for r in rows}}
        rows = sorted(rows, key=lambda r: (rank[r["status"]], order[r["region_code"]], r["year"], r["indicator"]))
    cited = {}  # a plan cites a handful of clauses across thousands of rows: each cited once
    out = []
    for r in rows:
        row = {"状态": r["status"], "指标": fmt.short(r["indicator"]), "地区": r["region_name"],
               "要求": targets.requirement(r), "依据": targets.describe(r), "评价期": periods.label(r["judged_at"])}
        if sheet:
            scale = fmt.scale_digits(r["indicator"])[0]
            row |= {"区划代码": r["region_code"], "年份": int(r["year"]),
                    "评价值": None if r["value"] is None else float(r["value"]) * scale,
                    "预计到期值": None if r["projected"] is None else float(r["projected"]) * scale,
                    "单位": indicators.catalogue()[r["indicator"]]["unit"], "尚需托位": r["slots_needed"],
                    "解读": r["reading"], "来源": r["source"]}
        else:
            if r["source"] not in cited:
                cited[r["source"]] = citations.cite(r["source"], docs)
            row |= {"评价值": fmt.value(r["indicator"], r["value"]), "解读": r["reading"] or "",
                    "来源": cited[r["source"]]}
        out.append(row)
    return pd.DataFrame(out, columns=columns)


def references_display(snap: dict, docs: dict[str, str]) -> pd.DataFrame:
    refs = snap["references"]
    return pd.DataFrame({"指标": [fmt.short(r["indicator"]) for r in refs],
                         "参考": [r["detail"] for r in refs],
                         "来源": [citations.cite(r["source"], docs) for r in refs]}, columns=["指标", "参考", "来源"])


def build(con, plan: str, region: str, quarter: str, counting: str) -> View:
    """The view, reading the reports once: every figure the snapshot, the trend, the units'
    verdicts and the targets' status ask for is cut from prefetched indicator queries."""
    with indicators.session(con):
        lineage = indicators.lineage(con, region)
        if lineage.empty:
            return _build(con, plan, region, quarter, counting)  # raises UnknownRegion
        # started first: they read on while the prefetch below reads and the page judges
        reads = _background_reads(con, region, quarter)
        all_quarters = db.run(con, "report_quarters")["quarter"].tolist()
        # only the units a target binds: the national plan binds no county, and fetching
        # 2,850 counties' figures to judge none of them was most of 总览 全国's time
        units = targets.judged_units(con, plan, region)
        province_of = indicators.provinces(con, {region} | set(units))
        plan_targets = targets.plan_targets(con, plan)
        years = plan_targets["year"].astype(int).tolist() + [int(quarter[:4])]
        judged = verdicts.quarters_needed(years, quarter)
        # the region and its province whole at the quarter and the one before (the snapshot),
        # over the whole trend only what the trend and the verdicts read (a row of all 57
        # columns costs as much to fetch as fifty narrow ones); the units it binds (and their
        # provinces) only at the quarters their targets are judged on, and only what is judged
        judged_columns = targets.judged_columns(set(plan_targets["indicator"]))
        trend = set(_span(all_quarters, quarter)) | judged
        own = {region, province_of.get(region)} - {None}
        blocks = [(own, {quarter, periods.previous_quarter(quarter)}),
                  (own, trend, judged_columns + [targets.SLOTS]),
                  (set(units) | {province_of[u] for u in units if u in province_of}, judged, judged_columns)]
        with indicators.prefetch(con, blocks, counting):
            return _build(con, plan, region, quarter, counting, all_quarters, reads)


def _background_reads(con, region: str, quarter: str) -> tuple[Future, Future]:
    """What the page reads besides the indicators, on reader threads (indicators.in_background)
    while it judges and words: the notice of a county that sent nothing, the national figures.
    Started as early as the page can: a reader waits for Python's lock each time it comes
    back from the database, and waits least while the page's own thread waits too."""
    return (indicators.in_background(freshness.notice, con, region, quarter),
            indicators.in_background(db.run, con, "national_series"))


def _published_by(series: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """The national figures published for periods up to the quarter's end: the page shows
    the world as of the period (DESIGN §4.3)."""
    end = periods.period_end(quarter)
    return series[pd.to_datetime(series["period_end"]) <= pd.Timestamp(end)].reset_index(drop=True)


def _span(all_quarters: list[str], quarter: str) -> list[str]:
    return periods.quarter_range(min(all_quarters), quarter) if all_quarters else [quarter]


def _projection(snap: dict) -> tuple | None:
    """The trend line from now to the due quarter of the first target not yet due."""
    row = snap["next_target"]
    if row is None or row["projected"] is None or snap["slots_per_1000"] is None:
        return None
    return ((periods.period_end(snap["period"]), snap["slots_per_1000"]),
            (periods.period_end(row["due"]), row["projected"]))


def _build(con, plan: str, region: str, quarter: str, counting: str, all_quarters=None, reads=None) -> View:
    snap = snapshot(con, region, quarter, plan, counting)
    silent_notice, national_series = reads or _background_reads(con, region, quarter)
    province = (snap["provincial_average"] or {}).get("region_code")
    if all_quarters is None:
        all_quarters = db.run(con, "report_quarters")["quarter"].tolist()
    span = _span(all_quarters, quarter)
    by_key = indicators.rows(con, [region] + ([province] if province and province != region else []), span, counting,
                             columns=["slots_per_1000"])
    rows = {q: by_key.get((region, q)) or {} for q in span}
    trend = pd.DataFrame({
        "quarter": span,
        "quarter_end": [periods.period_end(q) for q in span],
        "region": [rows[q].get("slots_per_1000") for q in span],
        "province": [(by_key.get((province, q)) or {}).get("slots_per_1000") if province else None
                     for q in span],
    })
    applicable_rows = targets.applicable_rows(con, plan, region)
    year = int(quarter[:4])
    evaluated = targets.evaluate_rows(con, plan, region, quarter, counting, include_children=True)
    own = [r for r in evaluated if r["region_code"] == region]
    metrics = [_metric(code, rows[quarter], rows.get(periods.previous_quarter(quarter)), applicable_rows, year, own)
               for code in HEADLINE]
    staircase = sorted((int(r["year"]), float(r["target"])) for r in applicable_rows if r["indicator"] == targets.SLOTS)

    level = snap["region"]["level"]
    units = targets.bound_units(con, region, level)["code"].tolist()
    unit_verdicts = targets.year_verdicts(con, plan, units, quarter, counting) if units else {}
    criteria = pd.DataFrame()
    if review.has_criteria(plan):
        first = review.criteria_for(plan)
        criteria = review.criteria_table(con, plan, region, quarter, counting,
                                         criteria=first[first["city_rule"] == "self_and_children"])
    headline = headline_lines(snap, unit_verdicts, criteria, UNITS_WORD.get(targets.BOUND_LEVEL.get(level), "下级地区"))

    docs = citations.documents(con)
    # worded before the page waits on its background reads: 总览 全国's 667 rows take about as
    # long to word as those reads take
    status = status_table(evaluated, docs)
    notices = []
    if snap["n_not_reported"]:
        notices.append(f"本期有{snap['n_not_reported']}家计入机构未报送报表，相关数字可能偏低（详见“机构明细”）。")
    # a whole county missing, which the count above does not say
    notices += [n for n in [silent_notice.result()] if n]
    return View(
        snapshot=snap, headline=headline,
        headline_status=(snap["year_target"] or {}).get("status"),
        metrics=metrics, year_target=targets.pick_year(applicable_rows, targets.SLOTS, year),
        final_target=targets.pick_year(applicable_rows, targets.SLOTS, 10_000),
        trend=trend, staircase=staircase,
        national_targets=indicators.run_once(con, "national_targets", indicator=targets.SLOTS),
        national_series=_published_by(national_series.result(), quarter),
        projection=_projection(snap),
        status=status,
        references=references_display(snap, docs),
        notices=notices,
    )
