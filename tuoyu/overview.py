"""What 总览 shows for one selection: headline figures against this year's and the
plan's final target, the quarterly trend with the target staircase and reference lines,
the on-track projection, slots still needed, and the status of every target."""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from . import db, fmt, indicators, periods, targets
from .snapshot import snapshot

HEADLINE = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "filing_rate", "puhui_slot_share")


@dataclass
class Metric:
    code: str
    label: str
    value: str
    delta: str | None
    help: str
    targets: str                  # this year's and the final target, in words


@dataclass
class View:
    snapshot: dict
    metrics: list[Metric]
    year_target: tuple            # (target, year) for slots_per_1000
    final_target: tuple
    trend: pd.DataFrame           # quarter, quarter_end, region, province (slots_per_1000)
    staircase: list               # [(year, target)]
    national_targets: pd.DataFrame
    national_series: pd.DataFrame
    projection: tuple | None      # ((date, value) now, (date, value) at year end)
    gap_sentence: str
    status: pd.DataFrame          # display-ready, Chinese headers
    notices: list[str] = field(default_factory=list)


def _metric(code: str, now: dict, before: dict | None, applicable: pd.DataFrame, year: int) -> Metric:
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
    return Metric(code, fmt.short(code), fmt.value(code, value).replace(" 个/千人", "个"),
                  fmt.delta(code, change), help_text, "；".join(bars))


def _gap_sentence(snap: dict, year_target: tuple) -> str:
    target, target_year = year_target
    needed, on_track = snap["slots_needed"], snap["on_track"]
    if target is None:
        return "本方案未对该地区设定每千人口托位数目标。"
    if snap["slots_per_1000"] is None:
        return f"本期无报表数据，无法计算距{target_year}年目标的差距。"
    text = (f"截至{snap['period_label']}，{snap['region']['name']}每千人口托位数"
            f"{fmt.number(snap['slots_per_1000'])}个，{target_year}年目标{fmt.number(target, 1)}个。")
    if needed == 0:
        return text + "已达到目标。"
    text += f"尚需新增托位约{needed}个"
    if on_track["quarters_left"] > 0 and target_year == int(snap["period"][:4]):
        text += f"，本年剩余{on_track['quarters_left']}个季度，每季度约需新增{on_track['slots_per_quarter']}个"
    if on_track["year_end_value"] is not None and target_year == int(snap["period"][:4]):
        text += f"；按近四个季度趋势，预计年底可达{fmt.number(on_track['year_end_value'])}个"
    return text + "。"


def status_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Target status rows with Chinese headers, as 总览 and the briefing show them."""
    if frame.empty:
        return pd.DataFrame(columns=["地区", "指标", "要求", "当前值", "状态", "评价期", "来源"])
    order = {code: i for i, code in enumerate(dict.fromkeys(frame["region_code"]))}
    frame = frame.assign(_unit=frame["region_code"].map(order))
    rows = frame.sort_values(["_unit", "year", "indicator"], kind="stable").to_dict("records")
    return pd.DataFrame({
        "地区": [r["region_name"] for r in rows],
        "指标": [fmt.short(r["indicator"]) for r in rows],
        "要求": [targets.requirement(r) for r in rows],
        "当前值": [fmt.value(r["indicator"], r["value"]) for r in rows],
        "状态": [r["status"] for r in rows],
        "评价期": [periods.label(r["evaluated_quarter"]) for r in rows],
        "来源": [r["source"] for r in rows],
    })


def build(con, plan: str, region: str, quarter: str, counting: str) -> View:
    """The view, reading the reports once: every figure the snapshot, the trend and the
    targets' status ask for is cut from one prefetched indicator query (indicators.prefetch)."""
    with indicators.session(con):
        lineage = indicators.lineage(con, region)
        if lineage.empty:
            return _build(con, plan, region, quarter, counting)  # raises UnknownRegion
        all_quarters = db.run(con, "report_quarters")["quarter"].tolist()
        units = targets.bound_units(con, region, lineage["level"].iloc[0])["code"].tolist()
        province_of = dict(indicators.run_once(con, "provinces_of", region_codes=sorted({region} | set(units)))
                           .itertuples(index=False))
        judged = {quarter} | {targets.evaluation_quarter(quarter, int(y))
                              for y in targets.plan_targets(con, plan)["year"]}
        # the region and its province over the whole trend; the units it binds (and their
        # provinces) only at the quarters their targets are judged
        trend = set(_span(all_quarters, quarter)) | set(periods.quarters_back(quarter, 4)) | judged
        blocks = [({region, province_of.get(region)} - {None}, trend),
                  (set(units) | {province_of[u] for u in units if u in province_of}, judged)]
        with indicators.prefetch(con, blocks, counting):
            return _build(con, plan, region, quarter, counting, all_quarters)


def _span(all_quarters: list[str], quarter: str) -> list[str]:
    return periods.quarter_range(min(all_quarters), quarter) if all_quarters else [quarter]


def _build(con, plan: str, region: str, quarter: str, counting: str, all_quarters=None) -> View:
    snap = snapshot(con, region, quarter, plan, counting)
    province = (snap["provincial_average"] or {}).get("region_code")
    if all_quarters is None:
        all_quarters = db.run(con, "report_quarters")["quarter"].tolist()
    span = _span(all_quarters, quarter)
    vals = indicators.values(con, [region] + ([province] if province and province != region else []), span, counting)
    by_key = indicators.rows_by_key(vals)
    rows = {q: by_key.get((region, q)) or {} for q in span}
    trend = pd.DataFrame({
        "quarter": span,
        "quarter_end": [periods.period_end(q) for q in span],
        "region": [rows[q].get("slots_per_1000") for q in span],
        "province": [(by_key.get((province, q)) or {}).get("slots_per_1000") if province else None
                     for q in span],
    })
    applicable = targets.applicable(con, plan, region)
    year = int(quarter[:4])
    metrics = [_metric(code, rows[quarter], rows.get(periods.previous_quarter(quarter)), applicable, year)
               for code in HEADLINE]
    steps = applicable[applicable["indicator"] == "slots_per_1000"]
    staircase = sorted((int(y), float(t)) for y, t in zip(steps["year"], steps["target"]))
    year_target = targets.pick_year(applicable, "slots_per_1000", year)

    projection = None
    if snap["on_track"]["year_end_value"] is not None and snap["slots_per_1000"] is not None \
            and not quarter.endswith("Q4"):
        projection = ((periods.period_end(quarter), snap["slots_per_1000"]),
                      (date(year, 12, 31), snap["on_track"]["year_end_value"]))

    notices = []
    if snap["n_not_reported"]:
        notices.append(f"本期有{snap['n_not_reported']}家计入机构未报送报表，相关数字可能偏低（详见“机构明细”）。")
    from .imports import freshness_notice  # a whole county missing, which the count above does not say
    notices += [n for n in [freshness_notice(con, region, quarter)] if n]
    return View(
        snapshot=snap, metrics=metrics, year_target=year_target,
        final_target=targets.pick_year(applicable, "slots_per_1000", 10_000),
        trend=trend, staircase=staircase,
        national_targets=db.run(con, "national_targets", indicator="slots_per_1000"),
        national_series=db.run(con, "national_series"),
        projection=projection, gap_sentence=_gap_sentence(snap, year_target),
        status=status_display(targets.evaluate(con, plan, region, quarter, counting, include_children=True)),
        notices=notices,
    )
