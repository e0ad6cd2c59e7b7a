"""Targets of a plan: which regions each one binds (DESIGN §4.1) and its status at a period,
judged by the one engine of tuoyu/verdicts.py (DESIGN §4.2). Every page, the briefing, the
Excel files and the CLI read target statuses from evaluate() or year_verdicts() here.

Bindings by scope:
- region: the region the target names, only. A target of a region above the one shown
  (the country's 4.5, a province's 4.5) is a reference for it (references()), never a
  verdict, never in slots_needed.
- each_child: every unit one tier down (BOUND_LEVEL): the counties of a city or province,
  the townships and streets of a county.
- each_city: every city under the plan's region, and the region itself when it is a city
  (the 申报城市 requirements of the national and Fujian plans)."""

import pandas as pd

from . import fmt, indicators, periods, verdicts
from .verdicts import none_if_missing

# kept as names: pages and tests compare with them
MET, MISSED, REACHED, ON_TRACK, AT_RISK, NO_DATA = (verdicts.MET, verdicts.MISSED, verdicts.REACHED,
                                                    verdicts.ON_TRACK, verdicts.AT_RISK, verdicts.NO_DATA)
COMPARATOR_ZH = {">=": "不低于", ">": "高于", "<=": "不高于"}
SLOTS = "slots_per_1000"

# The tier an each_child target binds below a region of each level: "every county" of a
# province or city, "every township/street" of a county.
BOUND_LEVEL = {"national": "county", "province": "county", "city": "county", "county": "township"}

# what a verdict row depends on of its target (plan targets and review criteria alike)
JUDGED_FIELDS = ("indicator", "year", "comparator", "target", "benchmark", "scope", "source", "note", "reading")
COLUMNS = ["region_code", "region_name", "indicator", "year", "comparator", "target", "benchmark", "scope",
           "bar", "bar_name", "value", "status", "due", "judged_at", "projected", "projected_bar",
           "quarters_left", "slots_needed", "per_quarter", "source", "note", "reading"]


def plan_targets(con, plan_code: str) -> pd.DataFrame:
    return indicators.run_once(con, "plan_targets", plan_code=plan_code)


def bound_units(con, region_code: str, level: str | None) -> pd.DataFrame:
    """The units an each_child target of this region binds (the tier below it)."""
    if level not in BOUND_LEVEL:
        return pd.DataFrame(columns=["code", "name", "level", "parent_code"])
    return indicators.run_once(con, "bound_units", region_code=region_code, level=BOUND_LEVEL[level])


def cities_within(con, region_code: str) -> pd.DataFrame:
    return indicators.run_once(con, "bound_units", region_code=region_code, level="city")


class _Binding:
    """Which units each target of a plan binds, worked out once per plan."""

    def __init__(self, con, targets: pd.DataFrame):
        self.children, self.cities = {}, {}
        for t in targets[["region_code", "target_region_level", "scope"]].drop_duplicates().to_dict("records"):
            code, level = t["region_code"], t["target_region_level"]
            if t["scope"] == "each_child" and code not in self.children:
                self.children[code] = set(bound_units(con, code, level)["code"])
            elif t["scope"] == "each_city" and code not in self.cities:
                self.cities[code] = set(cities_within(con, code)["code"]) | ({code} if level == "city" else set())

    def applies(self, target: dict, unit_code: str) -> bool:
        if target["scope"] == "each_child":
            return unit_code in self.children.get(target["region_code"], ())
        if target["scope"] == "each_city":
            return unit_code in self.cities.get(target["region_code"], ())
        return target["region_code"] == unit_code


def _binding(con, plan_code: str) -> _Binding:
    """The plan's bindings, worked out once per database build (indicators.per_build): they
    hold for any subset of its targets."""
    return indicators.per_build(con, "binding", plan_code, lambda: _Binding(con, plan_targets(con, plan_code)))


def _candidates(con, region: dict, include_children: bool) -> list[dict]:
    """The region, and (if asked) the units below it that a target of a plan may bind: the
    tier below it and, above city level, its cities."""
    units = [region]
    if include_children:
        below = [bound_units(con, region["code"], region["level"])]
        if region["level"] in ("national", "province"):
            below.append(cities_within(con, region["code"]))
        for frame in below:
            units += [u for u in indicators.records(frame) if u["code"] != region["code"]]
    return list({u["code"]: u for u in units}.values())


def evaluate(con, plan_code: str, region_code: str, quarter: str,
             counting: str = indicators.DEFAULT_COUNTING, include_children: bool = False) -> pd.DataFrame:
    """One row per (target of the plan, unit it binds) among the region and, if asked, the
    units below it, with its verdict at `quarter` (columns COLUMNS)."""
    return frame_of(evaluate_rows(con, plan_code, region_code, quarter, counting, include_children))


def evaluate_rows(con, plan_code: str, region_code: str, quarter: str,
                  counting: str = indicators.DEFAULT_COUNTING, include_children: bool = False) -> list[dict]:
    """evaluate()'s rows as dicts, for a caller that goes through them one by one."""
    return judge_rows(con, _pairs(con, plan_code, region_code, include_children), quarter, counting)


def frame_of(rows: list[dict]) -> pd.DataFrame:
    """Verdict rows as a frame with columns COLUMNS; object columns, so that 托位 stay whole
    numbers beside None (无数据)."""
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def judged_units(con, plan_code: str, region_code: str) -> list[str]:
    """The codes evaluate(…, include_children=True) judges: the region and the units below
    it that some target of the plan binds (a page fetches their figures, and no others)."""
    return sorted({u["code"] for _, u in _pairs(con, plan_code, region_code, True)})


def _pairs(con, plan_code: str, region_code: str, include_children: bool) -> list[tuple[dict, dict]]:
    """(target, unit) for each target of the plan and each unit it binds; worked out once
    per database build (indicators.per_build): at national level the candidates are 3,000
    units."""
    def compute():
        targets = plan_targets(con, plan_code)
        lineage = indicators.lineage(con, region_code).head(1)
        if targets.empty or lineage.empty:
            return []
        binding = _binding(con, plan_code)
        records = targets.to_dict("records")
        return [(t, u) for u in _candidates(con, lineage.iloc[0].to_dict(), include_children)
                for t in records if binding.applies(t, u["code"])]
    return indicators.per_build(con, "pairs", (plan_code, region_code, include_children), compute)


def judge_rows(con, pairs: list[tuple[dict, dict]], quarter: str, counting: str) -> list[dict]:
    """Each (target, unit) judged at `quarter` on the unit's values over the quarters the
    engine reads, with the provincial average as the bar where the target says so; rows as
    dicts (copies: the verdicts are kept for the page run)."""
    if not pairs:
        return []
    # a page judges the same pair several ways (its snapshot, its table, its headline):
    # each is judged once per page (indicators.remembered)
    fields = {}   # a plan has a few dozen targets across thousands of pairs: each target's fields once
    for t, _ in pairs:
        if id(t) not in fields:
            fields[id(t)] = tuple(t.get(k) for k in JUDGED_FIELDS)
    keys = [(fields[id(t)], u["code"], u["name"], quarter, counting) for t, u in pairs]
    held = indicators.remembered(con, "judged", None, dict)
    todo = {key: pair for key, pair in zip(keys, pairs) if key not in held}
    if todo:
        held.update(zip(todo, _judge(con, list(todo.values()), quarter, counting)))
    return [dict(held[k]) for k in keys]


def judged_columns(indicator_codes) -> list[str]:
    """The columns of indicators.values() a verdict on these indicators reads (rows of all 57
    for thousands of units cost more to fetch than to judge)."""
    return ["name", "resident_population", "slots", *indicator_codes]


def _judge(con, pairs: list[tuple[dict, dict]], quarter: str, counting: str) -> list[dict]:
    codes = sorted({u["code"] for _, u in pairs})
    province_of = indicators.provinces(con, codes)
    quarters = verdicts.quarters_needed({int(t["year"]) for t, _ in pairs}, quarter)
    judged = {t["indicator"] for t, _ in pairs}
    vals = indicators.rows(con, set(codes) | set(province_of.values()), quarters, counting,
                           new_slots="new_slots" in judged, columns=judged_columns(judged))

    held = {}   # (region, indicator) → its series: a province's average is the bar of each of its units

    def series(code, indicator):
        if (code, indicator) not in held:
            held[code, indicator] = {q: (vals.get((code, q)) or {}).get(indicator) for q in quarters}
        return held[code, indicator]

    # None for a missing value wherever it came from: a plan's empty target or note reads as
    # NaN (cleaned once per target, not per pair), a figure as NaN only if stored so
    clean = {}
    rows = []
    for t, u in pairs:
        if id(t) not in clean:
            clean[id(t)] = {k: none_if_missing(v) for k, v in t.items()}
        t = clean[id(t)]
        code, indicator = u["code"], t["indicator"]
        average = t["benchmark"] == "provincial_average"
        province = province_of.get(code)
        bar = series(province, indicator) if average else None if t["target"] is None else float(t["target"])
        v = verdicts.judge(t["comparator"], int(t["year"]), quarter, series(code, indicator), bar)
        needed = None
        if indicator == SLOTS and not average:
            at = vals.get((code, v.judged_at)) or {}
            needed = indicators.slots_needed(t["target"], at.get("resident_population"),
                                             at.get("slots") if v.value is not None else None)
        rows.append({
            "region_code": code, "region_name": u["name"], "indicator": indicator, "year": int(t["year"]),
            "comparator": t["comparator"], "target": t["target"], "benchmark": t["benchmark"], "scope": t["scope"],
            "bar": none_if_missing(v.bar), "bar_name": (vals.get((province, quarter)) or {}).get("name") if average else None,
            "value": none_if_missing(v.value), "status": v.status, "due": v.due, "judged_at": v.judged_at,
            "projected": v.projected, "projected_bar": none_if_missing(v.projected_bar), "quarters_left": v.quarters_left,
            "slots_needed": needed, "per_quarter": None if v.is_final else verdicts.per_quarter(needed, v.quarters_left),
            "source": t["source"], "note": t.get("note"), "reading": t.get("reading"),
        })
    return rows


# ------------------------------------------------------------------ this year's target

def applicable_rows(con, plan_code: str, region_code: str) -> list[dict]:
    """The plan's numeric targets (benchmark 'value') that bind the region, every indicator
    and year, as dicts made once per build: a page picks from them a dozen times. Shared:
    read them, never change them."""
    return applicable_to_each(con, plan_code, [region_code])[region_code]


def applicable_to_each(con, plan_code: str, region_codes: list[str]) -> dict[str, list[dict]]:
    """applicable_rows() for many regions with one look-up of the plan's targets; each
    region's rows are worked out once per database build (indicators.per_build), shared
    between regions and page runs: read them, never change them."""
    def plan():
        targets = plan_targets(con, plan_code)
        targets = targets[targets["benchmark"] == "value"] if not targets.empty else targets
        return {"records": indicators.records(targets), "by_mask": {}, "by_code": {}}
    held = indicators.per_build(con, "applicable", plan_code, plan)
    records, by_code = held["records"], held["by_code"]
    new = set(region_codes) - set(by_code)
    binding = _binding(con, plan_code) if new and records else None
    for code in new:
        # units bound by the same targets (most counties of a plan) share one list
        mask = tuple(binding.applies(t, code) for t in records) if binding else ()
        if mask not in held["by_mask"]:
            held["by_mask"][mask] = [t for t, applies in zip(records, mask) if applies]
        by_code[code] = held["by_mask"][mask]
    return {code: by_code[code] for code in region_codes}


def pick_row(applicable_targets: pd.DataFrame | list[dict], indicator: str, year: int) -> dict | None:
    """That year's target row, else the next later one (the step being worked towards),
    else the last earlier one (the plan's final bar stays the bar). The rows may be given
    as dicts: a page picks some twenty times from the same few."""
    if isinstance(applicable_targets, pd.DataFrame):
        applicable_targets = indicators.records(applicable_targets)
    rows = [r for r in applicable_targets if r["indicator"] == indicator]
    if not rows:
        return None
    years = [int(r["year"]) for r in rows]
    later = [y for y in years if y >= year]
    chosen = min(later) if later else max(years)
    return next(r for r, y in zip(rows, years) if y == chosen)


def pick_year(applicable_targets: pd.DataFrame | list[dict], indicator: str,
              year: int) -> tuple[float | None, int | None]:
    """(target, its year) of pick_row()."""
    row = pick_row(applicable_targets, indicator, year)
    return (None, None) if row is None else (float(row["target"]), int(row["year"]))


def year_target(con, plan_code: str, region_code: str, year: int,
                indicator: str = SLOTS) -> tuple[float | None, int | None]:
    return pick_year(applicable_rows(con, plan_code, region_code), indicator, year)


def final_target(con, plan_code: str, region_code: str, indicator: str = SLOTS) -> tuple[float | None, int | None]:
    return year_target(con, plan_code, region_code, 10_000, indicator)


def year_verdicts(con, plan_code: str, region_codes: list[str], quarter: str,
                  counting: str = indicators.DEFAULT_COUNTING, indicator: str = SLOTS,
                  year: int | None = None) -> dict[str, dict | None]:
    """Per region, the verdict row (evaluate()'s columns) of its target for the year (the
    quarter's year unless given; pick_row), None where the plan sets it none."""
    year = int(quarter[:4]) if year is None else year
    # units bound by the same targets share one list of rows (applicable_to_each): pick once per list
    by_rows, picked = {}, {}
    for code, rows in applicable_to_each(con, plan_code, list(region_codes)).items():
        if id(rows) not in by_rows:
            by_rows[id(rows)] = pick_row(rows, indicator, year)
        if by_rows[id(rows)] is not None:
            picked[code] = by_rows[id(rows)]
    names = indicators.names(con, picked)  # of the units judged only: the national plan binds no county
    pairs = [(t, {"code": code, "name": names.get(code, code)}) for code, t in picked.items()]
    judged = {r["region_code"]: r for r in judge_rows(con, pairs, quarter, counting)}
    return {code: judged.get(code) for code in region_codes}


def next_due(con, plan_code: str, region_code: str, quarter: str, counting: str = indicators.DEFAULT_COUNTING,
             indicator: str = SLOTS) -> dict | None:
    """The verdict of the region's earliest target on the indicator not yet due at the
    quarter (where the trend is heading), None when every one is due."""
    years = sorted(int(r["year"]) for r in applicable_rows(con, plan_code, region_code)
                   if r["indicator"] == indicator and verdicts.due_quarter(int(r["year"])) > quarter)
    if not years:
        return None
    return year_verdicts(con, plan_code, [region_code], quarter, counting, indicator, years[0])[region_code]


# ------------------------------------------------------------------ references

def references(con, plan_code: str, region_code: str) -> pd.DataFrame:
    """The plan's fixed targets of a region above this one (the country's 4.5 for a city),
    on indicators the plan sets this region no target of its own: shown beside its figures
    as 参考, never judged for it. Worked out once per database build (indicators.per_build:
    plans, targets and the region tree change only then); shared: read it, never change it."""
    return indicators.per_build(con, "references", (plan_code, region_code),
                                lambda: _references(con, plan_code, region_code))


def _references(con, plan_code: str, region_code: str) -> pd.DataFrame:
    lineage = indicators.lineage(con, region_code)
    targets = plan_targets(con, plan_code)
    columns = ["indicator", "year", "comparator", "target", "owner_code", "owner_name", "source", "note"]
    if targets.empty or len(lineage) < 2:
        return pd.DataFrame(columns=columns)
    above = dict(zip(lineage["code"].iloc[1:], lineage["name"].iloc[1:]))
    own = {t["indicator"] for t in applicable_rows(con, plan_code, region_code)}
    rows = targets[(targets["scope"] == "region") & (targets["benchmark"] == "value")
                   & targets["region_code"].isin(list(above)) & ~targets["indicator"].isin(list(own))]
    return pd.DataFrame({"indicator": rows["indicator"], "year": rows["year"].astype(int),
                         "comparator": rows["comparator"], "target": rows["target"],
                         "owner_code": rows["region_code"], "owner_name": rows["region_code"].map(above),
                         "source": rows["source"], "note": rows["note"]}, columns=columns).reset_index(drop=True)


# ------------------------------------------------------------------ wording

def requirement(row: dict, with_year: bool = True, projected: bool = False, bar_text: str | None = None) -> str:
    """'≥ 1.20 个/千人（2024年）' or '> 全区平均 0.95 个/千人（2024年）' for a target row;
    with projected, the average as projected to the due quarter ('> 全区平均预计 1.02 …')."""
    symbol = verdicts.SYMBOLS[row["comparator"]]
    if row["benchmark"] == "provincial_average":
        bar = row.get("projected_bar") if projected else row.get("bar")
        bar_text = bar_text if bar_text and not projected else fmt.value(row["indicator"], bar)
        text = fmt.average_label(row.get("bar_name")) + ("预计" if projected else "") \
            + (f" {bar_text}" if bar is not None else "")
    else:
        text = bar_text or fmt.value(row["indicator"], row["target"])
    return f"{symbol} {text}" + (f"（{row['year']}年）" if with_year else "")


def describe(row: dict) -> str:
    """What a verdict rests on, in words (data/verdicts.toml [detail]): the value judged,
    the requirement, and the projection, gap and 托位 still needed where they apply."""
    code, status = row["indicator"], row["status"]
    gap = None if row["value"] is None or row["bar"] is None else abs(float(row["bar"]) - float(row["value"]))
    value_text, bar_text = fmt.pair(code, row["value"], row["bar"])
    fields = {"due_label": periods.label(row["due"]), "value": value_text,
              "requirement": requirement(row, with_year=False, bar_text=bar_text), "gap": fmt.amount(code, gap),
              "projected": fmt.value(code, row["projected"]), "slots_needed": row["slots_needed"],
              "quarters_left": row["quarters_left"], "per_quarter": row["per_quarter"]}
    slots = "_slots" if row["slots_needed"] else ""
    if status == MET:
        key = "met"
    elif status == MISSED:
        key = "missed" + slots
    elif status == REACHED:
        # still the status the contract gives; the trend that would take it below is said too
        falling = row["projected"] is not None and verdicts.meets(row["projected"], row["comparator"],
                                                                   row["projected_bar"]) is False
        key = "reached_falling" if falling else "reached"
    elif status == ON_TRACK:
        key, fields["requirement"] = "on_track", _projected_requirement(row)
    elif status == AT_RISK and row["projected"] is None:
        key = "at_risk_no_trend" + slots
    elif status == AT_RISK:
        key, fields["requirement"] = "at_risk" + (slots if row["per_quarter"] else ""), _projected_requirement(row)
    else:
        key = "no_data_due" if row["judged_at"] == row["due"] else "no_data_now"
    return verdicts.text("detail", key, **fields)


def _projected_requirement(row: dict) -> str:
    """The requirement against the bar at the due quarter (an average as projected)."""
    return requirement(row, with_year=False, projected=row.get("projected_bar") is not None)


def reference_text(row: dict) -> str:
    return verdicts.text(
        "detail", "reference", owner=row["owner_name"], requirement=f"{verdicts.SYMBOLS[row['comparator']]} "
                                             f"{fmt.value(row['indicator'], row['target'])}（{row['year']}年）")
