"""What 县区对比 shows: every county (or township) under a region side by side, against its
target and the provincial average, with slots still needed and a what-if; with a county
or township selected, that unit highlighted among its peers (its parent's units) and its
gaps as numbers."""

from dataclasses import dataclass

import pandas as pd

from . import db, fmt, indicators, targets, verdicts

# a comparison with the average now, not a target verdict: worded and coloured apart
ABOVE, NOT_ABOVE = "高于平均", "不高于平均"
ABOVE_COLOURS = {ABOVE: "#2e7d32", NOT_ABOVE: "#d68910"}
UNITS_WORD = {"county": "县区", "township": "乡镇（街道）"}

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
    units_word: str = "县区"     # what the units are called (县区, 乡镇（街道）)
    focus: str | None = None     # the selected unit, highlighted among its peers


@dataclass(frozen=True)
class Scope:
    """One comparison that makes sense for a selected region: the units of `region`,
    with `focus` (the selected unit itself) highlighted among them, or none."""
    region: str
    focus: str | None
    label: str


def scopes(con, region: str, plan_region: str) -> list[Scope]:
    """The comparisons for a selected region, the default first: a county or township
    below the plan's region among its parent's units (its peers); and a region with units
    of its own, those. Empty for a region with neither."""
    lineage = indicators.lineage(con, region)
    if lineage.empty:
        return []
    name, level = lineage["name"].iloc[0], lineage["level"].iloc[0]
    out = []
    if level in UNITS_WORD and region != plan_region and len(lineage) > 1:
        parent, parent_name = lineage["code"].iloc[1], lineage["name"].iloc[1]
        if region in set(targets.bound_units(con, parent, lineage["level"].iloc[1])["code"]):
            out.append(Scope(parent, region, f"{name}在{parent_name}各{UNITS_WORD[level]}中"))
    below = targets.BOUND_LEVEL.get(level)
    if not targets.bound_units(con, region, level).empty:
        out.append(Scope(region, None, f"{name}所辖{UNITS_WORD.get(below, '下级地区')}"))
    return out


def _average(by_code: dict, province: str | None, region: str) -> tuple[dict, str]:
    prov = by_code.get(province) if province else None
    if prov and prov.get("slots_per_1000") is not None:
        return prov, fmt.average_label(prov["name"], named=True)
    own = by_code.get(region) or {}
    return own, f"{own.get('name', '本级')}整体"


def build(con, plan: str, region: str, quarter: str, counting: str, focus: str | None = None) -> View:
    """The units of `region` (its tier below: targets.BOUND_LEVEL) with their figures, target
    verdicts and gaps, sorted by 每千人口托位数 (highest first, no data last)."""
    with indicators.session(con):  # the plan's targets and bindings read once
        return _build(con, plan, region, quarter, counting, focus)


def _build(con, plan: str, region: str, quarter: str, counting: str, focus: str | None) -> View:
    lineage = indicators.lineage(con, region)
    level = lineage["level"].iloc[0]
    units = targets.bound_units(con, region, level)
    unit_codes = units["code"].tolist()
    province = indicators.province_in(lineage)
    # for thousands of units only the columns used, as columns (a dict per unit, built and
    # taken apart again, was most of 县区对比 全国's time); whole rows for the region and its province
    reading = indicators.in_background(indicators.values, con, unit_codes, [quarter], counting, new_slots=False,
                                       columns=UNIT_COLUMNS)   # side by side with the whole rows
    whole = indicators.rows(con, {region, province} - {None}, [quarter], counting, new_slots=False)
    by_code = {code: row for (code, _), row in whole.items()}
    parent = by_code.get(region) or {}
    average, average_label = _average(by_code, province, region)
    year = int(quarter[:4])
    year_target, target_year = targets.pick_year(targets.applicable_rows(con, plan, region), targets.SLOTS, year)
    # each unit's own target for the year with its verdict (DESIGN §4.2), one read for all
    judged = targets.year_verdicts(con, plan, unit_codes, quarter, counting)

    vals = reading.result()
    at = dict(zip(vals["region_code"].tolist(), range(len(vals))))
    where = [at.get(code) for code in unit_codes]   # a unit without a row has no figures

    def column(name):
        found = vals[name].tolist()
        return [None if i is None else found[i] for i in where]

    figures = {name: column(name) for name in ("slots", "resident_population", "n_not_reported") + TABLE_INDICATORS}
    verdict = [judged.get(code) or {} for code in unit_codes]
    target = [v.get("target") for v in verdict]
    value = figures["slots_per_1000"]
    on_average = average.get("slots_per_1000")
    out = {"code": unit_codes, "name": units["name"].tolist(), "target": target,
           "target_year": [v.get("year") for v in verdict],
           **{name: figures[name] for name in ("slots", "resident_population", "n_not_reported")},
           "slots_needed": [v.get("slots_needed") for v in verdict],
           "status": [v.get("status") for v in verdict],
           "detail": [targets.describe(v) if v else "" for v in verdict],
           "enrolment_status": [_above(verdicts.meets(e, ">", average.get("enrolment_rate")))
                                for e in figures["enrolment_rate"]],
           "slots_vs_average": [_above(verdicts.meets(v, ">", on_average)) for v in value],
           **{name: figures[name] for name in TABLE_INDICATORS},
           "gap_to_target": [None if v is None or t is None else v - t for v, t in zip(value, target)],
           "gap_to_average": [None if v is None or on_average is None else v - on_average for v in value]}
    # highest 每千人口托位数 first, no data last (taken in that order by pandas, not cell by cell in Python)
    order = sorted(range(len(unit_codes)), key=lambda i: (value[i] is None, -(value[i] or 0), unit_codes[i]))
    frame = pd.DataFrame(out, dtype=object).take(order).reset_index(drop=True) \
        if unit_codes else pd.DataFrame()  # None stays None (无数据)
    word = UNITS_WORD.get(targets.BOUND_LEVEL.get(level), "下级地区")
    return View(parent, frame, average, average_label, year_target, target_year, word,
                focus if focus in set(unit_codes) else None)


def _above(above: bool | None) -> str | None:
    return None if above is None else ABOVE if above else NOT_ABOVE


def colouring(view: View) -> tuple[str, dict | None]:
    """What the bars and the map colour each unit by: its target status (DESIGN §4.2) where
    the plan sets the units a target (colours None: the status colours), else whether it
    is above the average (a plan such as Fujian's sets its counties none)."""
    if view.units["status"].notna().any():
        return "status", None
    return "slots_vs_average", ABOVE_COLOURS


def focus_summary(view: View) -> dict | None:
    """The highlighted unit's standing, as short figures under labels that carry the unit:
    its 每千人口托位数 and status, its gap to the year's target (个/千人 and 托位) and to the
    average, and its rank among its peers."""
    if view.focus is None:
        return None
    code = "slots_per_1000"
    units = view.units.reset_index(drop=True)
    row = units[units["code"] == view.focus].iloc[0].to_dict()
    ranked = units[units[code].notna()]
    average = view.average.get(code)
    has_target = row["target"] is not None
    unit = indicators.catalogue()[code]["unit"]
    return {
        "name": row["name"], "status": row["status"], "detail": row["detail"],
        "value_label": f"每千人口托位数（{unit}）", "value": fmt.number(row[code]),
        "gap_label": f"距{row['target_year']}年目标{fmt.number(row['target'])}" if has_target else "年度目标",
        "gap": _signed(row["gap_to_target"], "差", "超") if has_target else "未设目标",
        "slots_label": "尚需托位（个）",
        "slots_needed": (fmt.NO_DATA if row["slots_needed"] is None else str(row["slots_needed"])) if has_target
        else "—",
        "average_label": f"与{fmt.average_label(view.average.get('name'))}{fmt.number(average)}之差"
        if average is not None else f"与{view.average_label}之差",
        "to_average": _signed(row["gap_to_average"], "低", "高"),
        "rank": None if row[code] is None else f"每千人口托位数在{len(ranked)}个{view.units_word}中排第"
                                                f"{list(ranked['code']).index(view.focus) + 1}位",
    }


def _signed(v, below: str, above: str) -> str:
    """'差0.20' / '超0.50' / '持平' / 无数据: a gap as a word and its size."""
    if v is None:
        return fmt.NO_DATA
    return f"{below if v < 0 else above}{fmt.number(abs(v))}" if round(v, 2) else "持平"


def below_average(view: View) -> pd.DataFrame:
    """Which table cells lie below the average (for indicators where higher is better)."""
    out = pd.DataFrame(False, index=view.units.index, columns=list(TABLE_INDICATORS))
    for code in TABLE_INDICATORS:
        avg = view.average.get(code)
        if avg is not None:
            out[code] = [v is not None and v < avg for v in view.units[code]]
    return out


def table(view: View) -> pd.DataFrame:
    """The sortable comparison table, in the units' order (highest 每千人口托位数 first): the
    unit, its status and figure first (what stays on a phone's screen), then its gaps,
    the other indicators, and the region code last. Numbers stay numbers (rates in %);
    the highlighted unit is marked （所选） beside its name."""
    u = view.units
    data = {view.units_word: [f"{n}（所选）" if c == view.focus else n for c, n in zip(u["code"], u["name"])],
            "状态": u["status"]}
    for i, code in enumerate(TABLE_INDICATORS):
        scale = 100 if indicators.catalogue()[code]["unit"] == "%" else 1
        data[_header(code)] = [None if v is None else round(v * scale, 2) for v in u[code]]
        if i == 0:   # the gaps belong beside the figure they are gaps of
            data["距目标"] = [None if v is None else round(v, 2) for v in u["gap_to_target"]]
            data["尚需托位"] = u["slots_needed"]
            data[f"与{view.average_label}之差"] = [None if v is None else round(v, 2) for v in u["gap_to_average"]]
            data["年度目标"] = u["target"]
    flags = below_average(view)
    below = [[fmt.short(c) if hit else None for hit in flags[c].tolist()] for c in TABLE_INDICATORS]
    data["低于平均的指标"] = ["、".join(n for n in names if n) or "—" for names in zip(*below)]
    data["依据"] = u["detail"]
    data["本期未报机构"] = u["n_not_reported"]
    data["区划代码"] = u["code"]
    frame = pd.DataFrame(data)
    if u["target"].isna().all():   # the plan sets these units no target: no empty columns about one
        frame = frame.drop(columns=list(NOT_SET_COLUMNS) + ["依据"])
    if view.average.get("slots_per_1000") is None:   # nothing to compare with (the grid drew None)
        frame = frame.drop(columns=[f"与{view.average_label}之差"])
    return frame


# the table's columns where an empty cell means "no target set", not 无数据
NOT_SET_COLUMNS = ("状态", "距目标", "尚需托位", "年度目标")


def _header(code: str) -> str:
    unit = indicators.catalogue()[code]["unit"]
    return f"{fmt.short(code)}（{unit}）"


def indicator_headers() -> dict[str, str]:
    return {code: _header(code) for code in TABLE_INDICATORS}


# up to this many units the what-if lists them all; above it, those with 托位 added or
# still needed (a province's eighty-odd counties would bury the answer)
WHAT_IF_ALL = 12


def what_if(con, view: View, extra: dict[str, int]) -> pd.DataFrame:
    """Each unit's and the region's 每千人口托位数 if `extra` 托位 were added per unit, the
    answer (能否达到目标) and the figure first, the region's total last."""
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
    frame = pd.DataFrame({
        "地区": names,
        "新增后能否达到目标": [_reach(None if pd.isna(after[c]) else after[c], t) for c, t in zip(codes, bars)],
        "新增后": [None if pd.isna(after[c]) else round(after[c], 2) for c in codes],
        "新增托位": added + [sum(added)],
        "现每千人口托位数": [None if b is None else round(b, 2) for b in before],
        "年度目标": bars,
    })
    if len(u) <= WHAT_IF_ALL:
        return frame
    keep = [bool(a) or bool(n) for a, n in zip(added, u["slots_needed"])] + [True]   # the region's total too
    return frame[keep].reset_index(drop=True)


BARS_SHOWN = 50   # past twice this many units, the bar charts draw the highest and the lowest this many


def bar_units(view: View, code: str) -> tuple[pd.DataFrame, str | None]:
    """The units a bar chart of `code` draws, and a note (a clause) when they are not all: past 2 ×
    BARS_SHOWN (the country's 2,850 counties) the highest and the lowest BARS_SHOWN with a
    figure, and the selected unit. Thousands of bars cannot be read, and a chart that tall
    (24 px a bar) is more than a browser draws on one canvas (65,535 px in Chromium)."""
    units = view.units
    if len(units) <= 2 * BARS_SHOWN:
        return units, None
    known = units[units[code].notna()]
    ranked = known.assign(_v=known[code].astype(float)).sort_values("_v", ascending=False, kind="stable")
    keep = set(ranked["code"].head(BARS_SHOWN)) | set(ranked["code"].tail(BARS_SHOWN)) | {view.focus}
    note = f"共{len(units)}个{view.units_word}，图中为{fmt.short(code)}最高和最低的各{BARS_SHOWN}个"
    return units[units["code"].isin(keep)].reset_index(drop=True), note


def what_if_choices(view: View) -> list[str]:
    """The units offered a 新增托位 box first: all of a small set, else those still short of
    their target (most 托位 needed first)."""
    u = view.units
    if len(u) <= WHAT_IF_ALL:
        return u["code"].tolist()
    short = u[[bool(n) for n in u["slots_needed"]]]
    return short.sort_values("slots_needed", ascending=False, key=lambda c: c.astype(float))["code"].tolist()


REACH, SHORT = "可达到", "仍未达到"
REACH_COLOURS = {REACH: verdicts.style(verdicts.MET)["background"], SHORT: verdicts.style(verdicts.MISSED)["background"]}


def _reach(value, bar) -> str:
    """A hypothetical figure against the target: not a verdict (DESIGN §4.2 judges what was
    reported), so worded apart from the status words."""
    if bar is None:
        return "未设目标"
    ok = verdicts.meets(value, ">=", bar)
    return verdicts.NO_DATA if ok is None else REACH if ok else SHORT
