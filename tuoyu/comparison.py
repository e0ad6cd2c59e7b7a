"""What 县区对比 shows: every county (or township) under the selected region side by side,
against its target and the provincial average, with slots still needed and a what-if."""

from dataclasses import dataclass

import pandas as pd

from . import db, fmt, indicators, targets, verdicts

# a comparison with the average now, not a target verdict: worded and coloured apart
ABOVE, NOT_ABOVE = "高于平均", "不高于平均"
ABOVE_COLOURS = {ABOVE: "#2e7d32", NOT_ABOVE: "#d68910"}

TABLE_INDICATORS = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "occupancy_min", "filing_rate",
                    "standard_rate", "staffing_rate", "certified_rate", "puhui_slot_share", "satisfaction")
UNIT_COLUMNS = ("region_code", "quarter", "slots", "resident_population", "n_not_reported") + TABLE_INDICATORS


@dataclass
class View:
    parent: dict                 # the selected region's own figures
    units: pd.DataFrame          # one row per unit: code, name, indicators, target, gaps, slots_needed,
                                 # status (the verdict of its target for the year, None without one)
    average: dict                # the figures the units are compared with
    average_label: str           # 全省（区）平均, or the region's own figure where the province has no data
    year_target: float | None    # the region's own slots_per_1000 target this year
    target_year: int | None


def _average(by_code: dict, province: str | None, region: str) -> tuple[dict, str]:
    prov = by_code.get(province) if province else None
    if prov and prov.get("slots_per_1000") is not None:
        return prov, f"{prov['name']}平均"
    own = by_code.get(region) or {}
    return own, f"{own.get('name', '本级')}整体"


def build(con, plan: str, region: str, quarter: str, counting: str) -> View:
    lineage = indicators.lineage(con, region)
    level = lineage["level"].iloc[0]
    units = targets.bound_units(con, region, level)
    unit_codes = units["code"].tolist()
    province = indicators.province_in(lineage)
    codes = [region] + unit_codes + ([province] if province else [])
    vals = indicators.values(con, codes, [quarter], counting, new_slots=False)
    # whole rows for the region and its province; for thousands of units only the columns used
    by_code = {code: row for (code, _), row in indicators.rows_by_key(vals[list(UNIT_COLUMNS)]).items()}
    for code in {region, province} - {None}:
        row = indicators.row_dict(vals, code, quarter)
        if row is not None:
            by_code[code] = row
    parent = by_code.get(region) or {}
    average, average_label = _average(by_code, province, region)
    year = int(quarter[:4])
    year_target, target_year = targets.pick_year(targets.applicable(con, plan, region), targets.SLOTS, year)
    # each unit's own target for the year with its verdict (DESIGN §4.2), one read for all
    judged = targets.year_verdicts(con, plan, unit_codes, quarter, counting)

    rows = []
    for code, name in zip(units["code"].tolist(), units["name"].tolist()):
        r = by_code.get(code) or {}
        verdict = judged.get(code) or {}
        target = verdict.get("target")
        value = r.get("slots_per_1000")
        above = verdicts.meets(r.get("enrolment_rate"), ">", average.get("enrolment_rate"))
        row = {"code": code, "name": name, "target": target, "target_year": verdict.get("year"),
               "slots": r.get("slots"), "resident_population": r.get("resident_population"),
               "n_not_reported": r.get("n_not_reported"),
               "slots_needed": verdict.get("slots_needed"),
               "status": verdict.get("status"),
               "detail": targets.describe(verdict) if verdict else "",
               "enrolment_status": None if above is None else ABOVE if above else NOT_ABOVE}
        for code in TABLE_INDICATORS:
            row[code] = r.get(code)
        row["gap_to_target"] = None if value is None or target is None else value - target
        row["gap_to_average"] = None if value is None or average.get("slots_per_1000") is None \
            else value - average["slots_per_1000"]
        rows.append(row)
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()  # None stays None (无数据)
    return View(parent, frame, average, average_label, year_target, target_year)


def below_average(view: View) -> pd.DataFrame:
    """Which table cells lie below the average (for indicators where higher is better)."""
    out = pd.DataFrame(False, index=view.units.index, columns=list(TABLE_INDICATORS))
    for code in TABLE_INDICATORS:
        avg = view.average.get(code)
        if avg is not None:
            out[code] = [v is not None and v < avg for v in view.units[code]]
    return out


def table(view: View) -> pd.DataFrame:
    """The sortable comparison table: numbers stay numbers (rates in %), Chinese headers."""
    u = view.units
    data = {"县区": u["name"], "区划代码": u["code"]}
    for code in TABLE_INDICATORS:
        scale = 100 if indicators.catalogue()[code]["unit"] == "%" else 1
        data[_header(code)] = [None if v is None else round(v * scale, 2) for v in u[code]]
    data["年度目标"] = u["target"]
    data["距目标"] = [None if v is None else round(v, 2) for v in u["gap_to_target"]]
    data[f"与{view.average_label}之差"] = [None if v is None else round(v, 2) for v in u["gap_to_average"]]
    data["尚需托位"] = u["slots_needed"]
    data["状态"] = u["status"]
    data["依据"] = u["detail"]
    flags = below_average(view)
    below = [[fmt.short(c) if hit else None for hit in flags[c].tolist()] for c in TABLE_INDICATORS]
    data["低于平均的指标"] = ["、".join(n for n in names if n) or "—" for names in zip(*below)]
    data["本期未报机构"] = u["n_not_reported"]
    return pd.DataFrame(data)


def _header(code: str) -> str:
    unit = indicators.catalogue()[code]["unit"]
    return f"{fmt.short(code)}（{unit}）"


def indicator_headers() -> dict[str, str]:
    return {code: _header(code) for code in TABLE_INDICATORS}


def what_if(con, view: View, extra: dict[str, int]) -> pd.DataFrame:
    """Each unit's and the region's 每千人口托位数 if `extra` 托位 were added per unit."""
    u = view.units
    added = [int(extra.get(code) or 0) for code in u["code"]]
    codes = u["code"].tolist() + ["__parent__"]
    slots = [int(s or 0) + a for s, a in zip(u["slots"], added)] + [int(view.parent.get("slots") or 0) + sum(added)]
    pops = [p for p in u["resident_population"]] + [view.parent.get("resident_population")]
    result = db.run(con, "what_if_per_1000", codes=codes, slots=slots, populations=pops)
    after = dict(zip(result["region_code"], result["slots_per_1000"]))
    names = u["name"].tolist() + [view.parent.get("name", "合计")]
    before = u["slots_per_1000"].tolist() + [view.parent.get("slots_per_1000")]
    bars = u["target"].tolist() + [view.year_target]
    return pd.DataFrame({
        "地区": names,
        "新增托位": added + [sum(added)],
        "现每千人口托位数": [None if b is None else round(b, 2) for b in before],
        "新增后": [None if pd.isna(after[c]) else round(after[c], 2) for c in codes],
        "年度目标": bars,
        "新增后能否达到目标": [_reach(None if pd.isna(after[c]) else after[c], t) for c, t in zip(codes, bars)],
    })


REACH, SHORT = "可达到", "仍未达到"
REACH_COLOURS = {REACH: verdicts.style(verdicts.MET)["background"], SHORT: verdicts.style(verdicts.MISSED)["background"]}


def _reach(value, bar) -> str:
    """A hypothetical figure against the target: not a verdict (DESIGN §4.2 judges what was
    reported), so worded apart from the status words."""
    if bar is None:
        return "未设目标"
    ok = verdicts.meets(value, ">=", bar)
    return verdicts.NO_DATA if ok is None else REACH if ok else SHORT
