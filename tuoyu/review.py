"""The 评审指标 page's logic: a plan's review criteria (DESIGN §5; data/criteria.csv) judged
for a region and the counties below it, and any plan's count-type targets as a checklist.

A criterion has one or more parts (criterion 4: mean and minimum occupancy). Each part
compares one indicator with a bar: a fixed value, the provincial average (the province's
own ratio, DESIGN §3) or the plan's slots_per_1000 target for the period's year. Verdicts
combine the same way at both levels — any 未达标 → 未达标, else any 无数据 → 无数据,
else 达标 — first over a criterion's parts, then, for the selected region, over the units
its city_rule names:

- self: the region on its own figure;
- self_and_children: the region and every county (criterion 1, "申报城市及所辖县(区)");
- children: every county, the city's own figure aside (criterion 6, "所辖县区须建设…").

The criteria are those of a 申报城市 and its 县区, so counties are added only below a
region above county level; a county (or township) is judged on its own figures under
every rule, since it is one of the units the county-wide rules are about."""

from functools import lru_cache

import pandas as pd

from . import db, fmt, indicators, targets

CRITERIA_FILE = db.DATA / "criteria.csv"
CITY_RULES = ("self", "self_and_children", "children")
BENCHMARKS = ("value", "provincial_average", "plan_target")
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤"}
COLUMNS = ["region_code", "region_name", "is_parent", "criterion", "title", "verdict", "detail",
           "source", "text"]
CHECKLIST_COLUMNS = ["region_code", "region_name", "indicator", "indicator_name", "year", "requirement",
                     "value", "verdict", "judged_at", "source"]


# ------------------------------------------------------------------ the criteria as data

@lru_cache(maxsize=1)
def _all_criteria() -> pd.DataFrame:
    frame = pd.read_csv(CRITERIA_FILE, dtype=str, keep_default_na=False)
    frame["criterion"] = frame["criterion"].astype(int)
    frame["part"] = frame["part"].astype(int)
    return frame


def criteria_for(plan_code: str) -> pd.DataFrame:
    """The plan's rows of data/criteria.csv (empty for a plan without review criteria)."""
    frame = _all_criteria()
    return frame[frame["plan_code"] == plan_code].reset_index(drop=True)


def has_criteria(plan_code: str) -> bool:
    return not criteria_for(plan_code).empty


def combine(verdicts) -> str:
    """Any 未达标 → 未达标; else any 无数据 (or nothing to judge) → 无数据; else 达标."""
    verdicts = list(verdicts)
    if targets.MISSED in verdicts:
        return targets.MISSED
    if not verdicts or targets.NO_DATA in verdicts:
        return targets.NO_DATA
    return targets.MET


# ------------------------------------------------------------------ figures and wording

def _units(con, region_code: str) -> list[dict]:
    """The region first, then the counties below it when it lies above county level."""
    lineage = indicators.lineage(con, region_code).head(1)
    if lineage.empty:
        return []
    region = lineage.iloc[0]
    units = [{"code": region["code"], "name": region["name"], "is_parent": True}]
    if targets.BOUND_LEVEL.get(region["level"]) == "county":
        children = targets.bound_units(con, region_code, region["level"])
        units += [{"code": c, "name": n, "is_parent": False} for c, n in zip(children["code"], children["name"])]
    return units


def _average_label(province_name: str | None) -> str:
    return "全区平均" if (province_name or "").endswith("自治区") else "全省平均"


def _threshold(code: str, bar) -> str:
    """A fixed bar as the criteria write it: 85%, 1个, 1.20 个/千人."""
    info = indicators.catalogue()[code]
    if info["unit"] == "%":
        return f"{float(bar) * 100:g}%"
    if info["kind"] == "count":
        return fmt.count(bar) + info["unit"]
    return fmt.value(code, float(bar))


def _precise(code: str, v) -> str:
    if v is None:
        return fmt.NO_DATA
    unit = indicators.catalogue()[code]["unit"]
    return fmt.percent(v, 2) if unit == "%" else f"{fmt.number(v, 3)} {unit}".strip()


def _pair(code: str, value, bar) -> tuple[str, str]:
    """Value and bar in the indicator's unit, with more digits when the usual rounding would
    show two different figures as the same number."""
    shown = fmt.value(code, value), fmt.value(code, bar)
    if shown[0] == shown[1] and value is not None and bar is not None and value != bar:
        return _precise(code, value), _precise(code, bar)
    return shown


def _judge_part(part: dict, figures: dict, province: dict, plan_bar: tuple) -> tuple[str, str]:
    """One part of a criterion for one unit: (verdict, e.g. '平均托收率 85.0%（≥80%）')."""
    code, comparator, benchmark = part["indicator"], part["comparator"], part["benchmark"]
    value = figures.get(code)
    symbol = SYMBOLS[comparator]
    if benchmark == "provincial_average":
        bar = province.get(code)
        value_text, bar_text = _pair(code, value, bar)
        requirement = f"{symbol}{_average_label(province.get('name'))} {bar_text}"
    elif benchmark == "plan_target":
        bar, year = plan_bar
        requirement = f"{symbol}{year}年度目标 {_threshold(code, bar)}" if bar is not None else "无年度目标"
        value_text = fmt.value(code, value)
    else:
        bar = float(part["target"])
        requirement, value_text = f"{symbol}{_threshold(code, bar)}", fmt.value(code, value)
    return targets.status(value, comparator, bar), f"{fmt.short(code)} {value_text}（{requirement}）"


def _judge_unit(parts: list[dict], figures: dict, province: dict, plan_bar: tuple) -> tuple[str, str]:
    judged = [_judge_part(p, figures, province, plan_bar) for p in parts]
    return combine(v for v, _ in judged), "；".join(text for _, text in judged)


def _apply_city_rule(rule: str, own: tuple[str, str], children: list[tuple[str, str, str]]) -> tuple[str, str]:
    """The selected region's verdict under its city_rule; children are (name, verdict, detail)."""
    if rule == "self" or not children:
        return own
    listing = "，".join(f"{name}{verdict}" for name, verdict, _ in children)
    if rule == "children":
        return combine(v for _, v, _ in children), f"所辖县区：{listing}"
    verdict = combine([own[0]] + [v for _, v, _ in children])
    return verdict, f"{own[1]}；所辖县区：{listing}"


# ------------------------------------------------------------------ the two tables

def build(con, plan_code: str, region_code: str, quarter: str,
          counting: str = indicators.DEFAULT_COUNTING) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What 评审指标 shows, in one read: (criteria_table, count_checklist), sharing the
    look-ups (lineage, bound units, the plan's targets, provinces) and one indicator query."""
    with indicators.session(con):
        codes = sorted(u["code"] for u in _units(con, region_code))
        if not codes:
            return criteria_table(con, plan_code, region_code, quarter, counting), \
                count_checklist(con, plan_code, region_code, quarter, counting)
        provinces = indicators.run_once(con, "provinces_of", region_codes=codes)["province_code"].tolist()
        years = targets.plan_targets(con, plan_code)["year"].tolist()
        quarters = {quarter} | {targets.evaluation_quarter(quarter, int(y)) for y in years}
        with indicators.prefetch(con, [(set(codes) | set(provinces), quarters)], counting):
            return (criteria_table(con, plan_code, region_code, quarter, counting),
                    count_checklist(con, plan_code, region_code, quarter, counting))


def criteria_table(con, plan_code: str, region_code: str, quarter: str,
                   counting: str = indicators.DEFAULT_COUNTING, criteria: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (unit, criterion): the region (is_parent) and the counties below it, with
    verdict, the figures behind it (detail) and the clause. `criteria` defaults to the plan's
    rows of data/criteria.csv; tests pass their own."""
    criteria = criteria_for(plan_code) if criteria is None else criteria
    units = _units(con, region_code)
    if criteria.empty or not units:
        return pd.DataFrame(columns=COLUMNS)
    codes = sorted(u["code"] for u in units)
    province_of = dict(indicators.run_once(con, "provinces_of", region_codes=codes).itertuples(index=False))
    frame = indicators.values(con, set(codes) | set(province_of.values()), [quarter], counting, new_slots=False)
    figures = {code: r for (code, _), r in indicators.rows_by_key(frame).items()}
    year = int(quarter[:4])
    if (criteria["benchmark"] == "plan_target").any():
        # one look-up of the plan's targets for every unit, not a query per county
        plan_bars = targets.pick_year_each(targets.applicable_to_each(con, plan_code, codes), "slots_per_1000", year)
    else:
        plan_bars = {c: (None, None) for c in codes}

    rows = []
    for number, parts in criteria.sort_values(["criterion", "part"]).groupby("criterion", sort=True):
        parts = parts.to_dict("records")
        head = parts[0]
        judged = {u["code"]: _judge_unit(parts, figures.get(u["code"], {}),
                                         figures.get(province_of.get(u["code"]), {}), plan_bars[u["code"]])
                  for u in units}
        children = [(u["name"], *judged[u["code"]]) for u in units if not u["is_parent"]]
        for u in units:
            verdict, detail = (_apply_city_rule(head["city_rule"], judged[u["code"]], children)
                               if u["is_parent"] else judged[u["code"]])
            rows.append({"region_code": u["code"], "region_name": u["name"], "is_parent": u["is_parent"],
                         "criterion": int(number), "title": head["title"], "verdict": verdict,
                         "detail": detail, "source": head["source"], "text": head["text"]})
    return pd.DataFrame(rows, columns=COLUMNS)


def matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Criteria down, units across (the region first), verdict words in the cells."""
    if table.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(table.sort_values("is_parent", ascending=False, kind="stable")["region_name"]))
    labels = table["criterion"].astype(str) + ". " + table["title"]
    wide = table.assign(评审指标=labels).pivot(index=["criterion", "评审指标"], columns="region_name", values="verdict")
    return wide.reset_index(level="criterion", drop=True)[order].rename_axis(columns=None)


def _counts(verdicts: pd.Series) -> str:
    parts = [f"{(verdicts == v).sum()} 项{v}" for v in (targets.MISSED, targets.NO_DATA) if (verdicts == v).any()]
    return "、".join(parts)


def summary(table: pd.DataFrame) -> str:
    """One line, e.g. '中卫市 8 项中 5 项达标；所辖县区：海原县 3 项未达标'."""
    if table.empty:
        return ""
    parent = table[table["is_parent"]]
    met = (parent["verdict"] == targets.MET).sum()
    line = f"{parent['region_name'].iloc[0]} {len(parent)} 项中 {met} 项达标"
    rest = _counts(parent["verdict"])
    line += f"、{rest}" if rest else ""
    children = table[~table["is_parent"]]
    if children.empty:
        return line
    lagging = []
    for _, rows in children.groupby("region_code", sort=True):
        counts = _counts(rows["verdict"])
        if counts:
            lagging.append(f"{rows['region_name'].iloc[0]} {counts}")
    return line + "；所辖县区：" + ("，".join(lagging) if lagging else "各项均达标")


def _requirement(row: dict) -> str:
    """'≥ 1 个（2022年）'; a benchmark other than a number is worded."""
    symbol = SYMBOLS.get(row["comparator"], row["comparator"])
    unit = indicators.catalogue()[row["indicator"]]["unit"]
    if row["target"] is None:
        return f"{targets.COMPARATOR_ZH[row['comparator']]}全省平均（{row['year']}年）"
    return f"{symbol} {fmt.count(row['target'])} {unit}（{row['year']}年）"


def count_checklist(con, plan_code: str, region_code: str, quarter: str,
                    counting: str = indicators.DEFAULT_COUNTING) -> pd.DataFrame:
    """The plan's targets on count-type indicators (kind 'count' in data/indicators.csv: 示范机构,
    用人单位办托 …) for the region and the units its each_child targets bind, as a checklist.
    A past year's target is judged at that year's end (judged_at), as targets.evaluate does."""
    counts = {c for c, info in indicators.catalogue().items() if info["kind"] == "count"}
    evaluated = targets.evaluate(con, plan_code, region_code, quarter, counting, include_children=True)
    evaluated = evaluated[evaluated["indicator"].isin(counts)]
    if evaluated.empty:
        return pd.DataFrame(columns=CHECKLIST_COLUMNS)
    rows = [{"region_code": r["region_code"], "region_name": r["region_name"], "indicator": r["indicator"],
             "indicator_name": fmt.name(r["indicator"]), "year": r["year"], "requirement": _requirement(r),
             "value": r["value"], "verdict": r["status"], "judged_at": fmt.period(r["evaluated_quarter"]),
             "source": r["source"]} for r in evaluated.to_dict("records")]
    out = pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)
    out["value"] = pd.to_numeric(out["value"]).astype("Int64")
    out["_own"] = out["region_code"] != region_code
    out = out.sort_values(["year", "indicator", "_own", "region_code"], kind="stable")
    return out.drop(columns="_own").reset_index(drop=True)
