"""The 评审指标 page's logic: a plan's review criteria (DESIGN §5; data/criteria.csv) judged
for a region and the counties below it, and any plan's count-type targets as a checklist.

A criterion has one or more parts (criterion 4: mean and minimum occupancy). Each part is
a target like those of targets.csv — an indicator, a comparator, a bar (a fixed value, the
provincial average, or the plan's 每千人口托位数 target for the period's year) and the year
it is due — and is judged by the same engine (tuoyu/verdicts.py, DESIGN §4.2) through
targets.judge_rows, so a criterion that is also a target row gets the same word at the
same quarter. Verdicts combine the same way at both levels (verdicts.combine: the worst by
rank), first over a criterion's parts, then, for the selected region, over the units its
city_rule names:

- self: the region on its own figure;
- self_and_children: the region and every county (criterion 1, "申报城市及所辖县(区)");
- children: every county, the city's own figure aside (criterion 6, "所辖县区须建设…").

The criteria are those of a 申报城市 and its 县区, so counties are added only below a
region above county level; a county (or township) is judged on its own figures under
every rule, since it is one of the units the county-wide rules are about."""

from functools import lru_cache

import pandas as pd

from . import citations, fmt, indicators, paths, targets, verdicts

CRITERIA_FILE = paths.DATA / "criteria.csv"
CITY_RULES = ("self", "self_and_children", "children")
BENCHMARKS = ("value", "provincial_average", "plan_target")
COLUMNS = ["region_code", "region_name", "is_parent", "criterion", "title", "verdict", "own_verdict", "detail",
           "source", "text"]
CHECKLIST_COLUMNS = ["region_code", "region_name", "indicator", "indicator_name", "year", "requirement",
                     "value", "verdict", "judged_at", "detail", "reading", "source"]
# Chinese headers of the criteria's details and of the checklist, wherever they are shown
# (评审指标, the briefing's workbook)
CRITERIA_HEADERS = {"region_name": "地区", "criterion": "序号", "title": "评审指标", "verdict": "结论",
                    "detail": "依据数据", "source": "出处"}
CHECKLIST_HEADERS = {"region_code": "区划代码", "region_name": "地区", "indicator_name": "指标", "year": "年份",
                     "requirement": "要求", "value": "实际", "verdict": "结论", "judged_at": "判断时点",
                     "detail": "依据", "reading": "解读", "source": "出处"}


# ------------------------------------------------------------------ the criteria as data

@lru_cache(maxsize=1)
def _all_criteria() -> pd.DataFrame:
    frame = pd.read_csv(CRITERIA_FILE, dtype=str, keep_default_na=False)
    frame["criterion"] = frame["criterion"].astype(int)
    frame["part"] = frame["part"].astype(int)
    return frame


_PLAN_ROWS: dict = {}   # plan → (the file's frame they were cut from, the plan's rows)


def criteria_for(plan_code: str) -> pd.DataFrame:
    """The plan's rows of data/criteria.csv (empty for a plan without review criteria), cut
    once per reading of the file (总览 asked twice a run): read them, never change them."""
    frame = _all_criteria()
    held = _PLAN_ROWS.get(plan_code)
    if held is None or held[0] is not frame:   # the file read again (a test's own criteria)
        held = _PLAN_ROWS[plan_code] = (frame, frame[frame["plan_code"] == plan_code].reset_index(drop=True))
    return held[1]


def has_criteria(plan_code: str) -> bool:
    return not criteria_for(plan_code).empty


def standard_bar(indicator: str) -> float:
    """The national 示范城市 standard's bar for an indicator: its rows of data/criteria.csv
    citing document 000 (附件2), whichever plan repeats them — e.g. 平均托收率 0.8, the line
    on 县区对比's capacity chart for every plan."""
    frame = _all_criteria()
    rows = frame[(frame["indicator"] == indicator) & frame["source"].str.startswith("000 ") & (frame["target"] != "")]
    bars = set(rows["target"].astype(float))
    if len(bars) != 1:
        raise ValueError(f"data/criteria.csv: the standard's bar for {indicator} should be one number, not {sorted(bars)}")
    return bars.pop()


combine = verdicts.combine


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


def _as_target(part: dict, plan_row: dict | None) -> dict | None:
    """A criterion part as a target row for the engine: plan_target takes the unit's own
    每千人口托位数 target for the year (its value and year), with the part's comparator."""
    base = {"indicator": part["indicator"], "comparator": part["comparator"], "scope": "criterion",
            "source": part["source"], "note": part["note"], "reading": None}
    if part["benchmark"] == "plan_target":
        if plan_row is None:
            return None
        return base | {"benchmark": "value", "target": float(plan_row["target"]), "year": int(plan_row["year"])}
    target = float(part["target"]) if part["benchmark"] == "value" else None
    return base | {"benchmark": part["benchmark"], "target": target, "year": int(part["year"])}


def _part_text(row: dict | None) -> str:
    if row is None:
        return "无年度目标"
    return f"{fmt.short(row['indicator'])}：{targets.describe(row)}"


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
    look-ups (lineage, bound units, the plan's targets, provinces) and one indicator query
    over every quarter the engine reads. Sources as 文号 + clause (tuoyu.citations)."""
    with indicators.session(con):
        codes = sorted(u["code"] for u in _units(con, region_code))
        if not codes:
            frames = (criteria_table(con, plan_code, region_code, quarter, counting),
                      count_checklist(con, plan_code, region_code, quarter, counting))
        else:
            provinces = list(indicators.provinces(con, codes).values())
            years = targets.plan_targets(con, plan_code)["year"].astype(int).tolist() + [int(quarter[:4])]
            quarters = verdicts.quarters_needed(years, quarter)
            with indicators.prefetch(con, [(set(codes) | set(provinces), quarters)], counting):
                frames = (criteria_table(con, plan_code, region_code, quarter, counting),
                          count_checklist(con, plan_code, region_code, quarter, counting))
    docs = citations.documents(con)
    return tuple(f.assign(source=pd.Series([citations.cite(v, docs) for v in f["source"]], index=f.index,
                                           dtype=f["source"].dtype)) for f in frames)


def criteria_table(con, plan_code: str, region_code: str, quarter: str,
                   counting: str = indicators.DEFAULT_COUNTING, criteria: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (unit, criterion): the region (is_parent) and the counties below it, with
    verdict, the unit's own verdict before its city_rule (own_verdict), the figures behind it
    (detail) and the clause. `criteria` defaults to the plan's rows of data/criteria.csv;
    tests pass their own."""
    criteria = criteria_for(plan_code) if criteria is None else criteria
    units = _units(con, region_code)
    if criteria.empty or not units:
        return pd.DataFrame(columns=COLUMNS)
    codes = [u["code"] for u in units]
    plan_rows = {c: None for c in codes}
    if (criteria["benchmark"] == "plan_target").any():
        # one look-up of the plan's targets for every unit, not a query per county
        plan_rows = {c: targets.pick_row(rows, targets.SLOTS, int(quarter[:4]))
                     for c, rows in targets.applicable_to_each(con, plan_code, codes).items()}
    parts = criteria.sort_values(["criterion", "part"]).to_dict("records")
    pairs, keys = [], []
    for i, part in enumerate(parts):
        for u in units:
            target = _as_target(part, plan_rows[u["code"]])
            if target is not None:
                pairs.append((target, u))
                keys.append((i, u["code"]))
    judged = dict(zip(keys, targets.judge_rows(con, pairs, quarter, counting)))

    rows = []
    for number in sorted({p["criterion"] for p in parts}):
        mine = [i for i, p in enumerate(parts) if p["criterion"] == number]
        head = parts[mine[0]]
        own = {}
        for u in units:
            found = [judged.get((i, u["code"])) for i in mine]
            own[u["code"]] = (combine(r["status"] if r else verdicts.NO_DATA for r in found),
                              "；".join(_part_text(r) for r in found))
        children = [(u["name"], *own[u["code"]]) for u in units if not u["is_parent"]]
        for u in units:
            verdict, detail = (_apply_city_rule(head["city_rule"], own[u["code"]], children)
                               if u["is_parent"] else own[u["code"]])
            rows.append({"region_code": u["code"], "region_name": u["name"], "is_parent": u["is_parent"],
                         "criterion": int(number), "title": head["title"], "verdict": verdict,
                         "own_verdict": own[u["code"]][0], "detail": detail, "source": head["source"],
                         "text": head["text"]})
    return pd.DataFrame(rows, columns=COLUMNS)


def matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Criteria down, units across (the region first), verdict words in the cells."""
    if table.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(table.sort_values("is_parent", ascending=False, kind="stable")["region_name"]))
    labels = table["criterion"].astype(str) + ". " + table["title"]
    wide = table.assign(评审指标=labels).pivot(index=["criterion", "评审指标"], columns="region_name", values="verdict")
    return wide.reset_index(level="criterion", drop=True)[order].rename_axis(columns=None)


def summary(table: pd.DataFrame) -> str:
    """One line, e.g. '中卫市 8 项：达标2项、未达标6项；所辖县区：海原县 未达标8项' — the
    region's criteria counted by status, then each unit's that are not 达标 or on course."""
    if table.empty:
        return ""
    parent = table[table["is_parent"]]
    line = f"{parent['region_name'].iloc[0]} {len(parent)} 项：{verdicts.count_text(parent['verdict'])}"
    children = table[~table["is_parent"]]
    if children.empty:
        return line
    lagging = []
    for _, rows in children.groupby("region_code", sort=True):
        bad = [v for v in rows["verdict"] if v not in verdicts.GOOD]
        if bad:
            lagging.append(f"{rows['region_name'].iloc[0]} {verdicts.count_text(bad)}")
    return line + "；所辖县区：" + ("，".join(lagging) if lagging else "各项均达标或预计达标")


def count_checklist(con, plan_code: str, region_code: str, quarter: str,
                    counting: str = indicators.DEFAULT_COUNTING) -> pd.DataFrame:
    """The plan's targets on count-type indicators (kind 'count' in data/indicators.csv: 示范机构,
    用人单位办托 …) for the region and the units its targets bind, as a checklist, each with
    its verdict (targets.evaluate: judged at its year's Q4 once due) and the reading of a
    vague quantity beside it."""
    counts = {c for c, info in indicators.catalogue().items() if info["kind"] == "count"}
    evaluated = targets.evaluate(con, plan_code, region_code, quarter, counting, include_children=True)
    evaluated = evaluated[evaluated["indicator"].isin(counts)]
    if evaluated.empty:
        return pd.DataFrame(columns=CHECKLIST_COLUMNS)
    rows = [{"region_code": r["region_code"], "region_name": r["region_name"], "indicator": r["indicator"],
             "indicator_name": fmt.name(r["indicator"]), "year": r["year"],
             "requirement": targets.requirement(r), "value": r["value"], "verdict": r["status"],
             "judged_at": fmt.period(r["judged_at"]), "detail": targets.describe(r),
             "reading": r["reading"] or "", "source": r["source"]} for r in evaluated.to_dict("records")]
    out = pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)
    out["value"] = pd.to_numeric(out["value"]).astype("Int64")
    out["_own"] = out["region_code"] != region_code
    out = out.sort_values(["year", "indicator", "_own", "region_code"], kind="stable")
    return out.drop(columns="_own").reset_index(drop=True)
