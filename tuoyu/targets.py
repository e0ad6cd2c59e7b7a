"""Targets of a plan and their status at a period (DESIGN §4): 达标 / 未达标 / 无数据."""

import pandas as pd

from . import indicators

MET, MISSED, NO_DATA = "达标", "未达标", "无数据"
COMPARATORS = {">=": lambda v, bar: v >= bar, ">": lambda v, bar: v > bar, "<=": lambda v, bar: v <= bar}
COMPARATOR_ZH = {">=": "不低于", ">": "高于", "<=": "不高于"}


def status(value, comparator: str, bar) -> str:
    if value is None or bar is None or pd.isna(value) or pd.isna(bar):
        return NO_DATA
    return MET if COMPARATORS[comparator](value, bar) else MISSED


def plan_targets(con, plan_code: str) -> pd.DataFrame:
    return indicators.run_once(con, "plan_targets", plan_code=plan_code)


# The tier an each_child target binds below a region of each level: "every county"
# of a province or city, "every township/street" of a county (DESIGN §4 scope).
BOUND_LEVEL = {"national": "county", "province": "county", "city": "county", "county": "township"}


def bound_units(con, region_code: str, level: str | None) -> pd.DataFrame:
    """The units an each_child target of this region binds."""
    if level not in BOUND_LEVEL:
        return pd.DataFrame(columns=["code", "name", "level", "parent_code"])
    return indicators.run_once(con, "bound_units", region_code=region_code, level=BOUND_LEVEL[level])


class _Binding:
    """Which units each target of a plan binds, worked out once per plan."""

    def __init__(self, con, targets: pd.DataFrame):
        self.children = {}
        for code, level in targets[["region_code", "target_region_level"]].drop_duplicates().itertuples(index=False):
            self.children[code] = set(bound_units(con, code, level)["code"].tolist())

    def applies(self, target: dict, unit_code: str) -> bool:
        """scope region binds the target's own region; each_child the units one tier down
        (see BOUND_LEVEL). A national plan's region-scope criteria bind whichever city or
        county is being assessed: 国卫人口发〔2021〕17号 sets the bar for every candidate."""
        if target["scope"] == "each_child":
            return unit_code in self.children.get(target["region_code"], ())
        return target["region_code"] == unit_code or target["target_region_level"] == "national"


def evaluation_quarter(quarter: str, year: int) -> str:
    """A past year's target is judged at that year's end; this year's and later ones now."""
    return min(quarter, f"{year}Q4")


def evaluate(con, plan_code: str, region_code: str, quarter: str,
             counting: str = indicators.DEFAULT_COUNTING, include_children: bool = False) -> pd.DataFrame:
    """One row per (target of the plan, unit it binds) among the region and, if asked, the
    units below it that each_child targets bind, with value, bar and status at `quarter`."""
    columns = ["region_code", "region_name", "indicator", "year", "comparator", "target", "benchmark",
               "scope", "bar", "value", "status", "evaluated_quarter", "source", "note"]
    targets = plan_targets(con, plan_code)
    units = indicators.lineage(con, region_code).head(1)
    if targets.empty or units.empty:
        return pd.DataFrame(columns=columns)
    if include_children:
        units = pd.concat([units, bound_units(con, region_code, units["level"].iloc[0])], ignore_index=True)
    binding = _Binding(con, targets)
    target_rows = targets.to_dict("records")
    pairs = [(t, u, evaluation_quarter(quarter, int(t["year"])))
             for u in units.to_dict("records") for t in target_rows
             if binding.applies(t, u["code"])]
    if not pairs:
        return pd.DataFrame(columns=columns)
    unit_codes = sorted({u["code"] for _, u, _ in pairs})
    province = dict(indicators.run_once(con, "provinces_of", region_codes=unit_codes).itertuples(index=False))
    vals = indicators.rows_by_key(indicators.values(
        con, set(unit_codes) | set(province.values()), {q for _, _, q in pairs}, counting,
        new_slots=any(t["indicator"] == "new_slots" for t, _, _ in pairs)))
    rows = []
    for t, u, q in pairs:
        value = (vals.get((u["code"], q)) or {}).get(t["indicator"])
        if t["benchmark"] == "provincial_average":
            bar = (vals.get((province.get(u["code"]), q)) or {}).get(t["indicator"])
        else:
            bar = t["target"]
        rows.append({
            "region_code": u["code"], "region_name": u["name"], "indicator": t["indicator"],
            "year": int(t["year"]), "comparator": t["comparator"], "target": t["target"],
            "benchmark": t["benchmark"], "scope": t["scope"], "bar": bar, "value": value,
            "status": status(value, t["comparator"], bar), "evaluated_quarter": q,
            "source": t["source"], "note": t["note"],
        })
    return indicators.nulls_as_none(pd.DataFrame(rows, columns=columns))


def applicable(con, plan_code: str, region_code: str) -> pd.DataFrame:
    """The plan's numeric targets (benchmark 'value') that bind the region, every
    indicator and year."""
    return applicable_to_each(con, plan_code, [region_code])[region_code]


def applicable_to_each(con, plan_code: str, region_codes: list[str]) -> dict[str, pd.DataFrame]:
    """applicable() for many regions with one look-up of the plan's targets."""
    targets = plan_targets(con, plan_code)
    targets = targets[targets["benchmark"] == "value"] if not targets.empty else targets
    if targets.empty:
        return {code: targets for code in region_codes}
    binding = _Binding(con, targets)
    records = targets.to_dict("records")
    out, shared = {}, {}
    for code in region_codes:
        # units bound by the same targets (most counties of a plan) share one frame
        mask = tuple(binding.applies(t, code) for t in records)
        if mask not in shared:
            shared[mask] = targets[list(mask)].reset_index(drop=True)
        out[code] = shared[mask]
    return out


def pick_year(applicable_targets: pd.DataFrame, indicator: str, year: int) -> tuple[float | None, int | None]:
    """That year's target, else the next later one (the step being worked towards), else
    the last earlier one (the plan's final bar stays the bar). Returns (target, its year)."""
    rows = applicable_targets[applicable_targets["indicator"] == indicator]
    if rows.empty:
        return None, None
    by_year = {int(y): float(t) for y, t in zip(rows["year"], rows["target"])}
    later = [y for y in by_year if y >= year]
    chosen = min(later) if later else max(by_year)
    return by_year[chosen], chosen


def pick_year_each(applicable_targets: dict[str, pd.DataFrame], indicator: str,
                   year: int) -> dict[str, tuple[float | None, int | None]]:
    """pick_year for every region of applicable_to_each(), once per distinct frame."""
    picked = {}
    out = {}
    for code, frame in applicable_targets.items():
        if id(frame) not in picked:
            picked[id(frame)] = pick_year(frame, indicator, year)
        out[code] = picked[id(frame)]
    return out


def year_target(con, plan_code: str, region_code: str, year: int,
                indicator: str = "slots_per_1000") -> tuple[float | None, int | None]:
    return pick_year(applicable(con, plan_code, region_code), indicator, year)


def final_target(con, plan_code: str, region_code: str,
                 indicator: str = "slots_per_1000") -> tuple[float | None, int | None]:
    return year_target(con, plan_code, region_code, 10_000, indicator)


def requirement(row: dict) -> str:
    """'≥ 1.2 个/千人（2024年）' or '> 全省平均（2024年）' for a target row."""
    from . import fmt

    symbol = {">=": "≥", ">": ">", "<=": "≤"}[row["comparator"]]
    if row["benchmark"] == "provincial_average":
        bar = "全省（区）平均" + (f" {fmt.value(row['indicator'], row['bar'])}" if row.get("bar") is not None else "")
    else:
        bar = fmt.value(row["indicator"], row["target"])
    return f"{symbol} {bar}（{row['year']}年）"
