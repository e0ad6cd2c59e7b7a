"""Indicator values for regions and quarters (DESIGN §3).

The formulas are the macros in queries/ddl/macros.sql; this module only fetches them in
one query per question and shapes the result. Pages, the briefing, the CLI and the tests
all come through here."""

import csv
import math
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from . import db, periods

COUNTING_RULES = {"filed": False, "all": True}  # rule name → count_all
DEFAULT_COUNTING = "filed"

# The DESIGN §3 indicators, in the order the CLI prints them.
CORE = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "occupancy_min", "filing_rate",
        "standard_rate", "staffing_rate", "certified_rate", "puhui_slot_share", "satisfaction",
        "major_incidents_3y", "slots_needed")
SUPPORTING = ("slots", "enrolled", "resident_population", "under3_population")
REPORTED = ("health_management_rate", "parenting_knowledge_rate", "newborn_guidance_coverage")
COUNTS = ("n_demonstration", "n_demonstration_puhui", "n_public_kindergarten_tuoban",
          "n_puhui_kindergarten_tuoban", "n_workplace", "n_guidance_center", "n_public_private",
          "n_new_institutions", "new_slots")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict]:
    """Indicator names, units and 口径 from data/indicators.csv."""
    with open(db.DATA / "indicators.csv", encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def count_all(counting: str) -> bool:
    if counting not in COUNTING_RULES:
        raise ValueError(f"计入口径应为 {' / '.join(COUNTING_RULES)}")
    return COUNTING_RULES[counting]


def values(con, region_codes, quarters, counting: str = DEFAULT_COUNTING) -> pd.DataFrame:
    """Every indicator per (region, quarter): one query for all of them, plus the directly
    reported figures as columns and new_slots against the previous year's Q4."""
    region_codes, quarters = sorted(set(region_codes)), sorted(set(quarters))
    prior_q4 = sorted({f"{int(q[:4]) - 1}Q4" for q in quarters} - set(quarters))
    frame = db.run(con, "indicator_values", region_codes=region_codes,
                   quarters=quarters + prior_q4, count_all=count_all(counting))
    reported = db.run(con, "region_reported_values", region_codes=region_codes, quarters=quarters)
    if not reported.empty:
        wide = reported.pivot(index=["region_code", "quarter"], columns="indicator", values="value")
        frame = frame.merge(wide.reset_index(), on=["region_code", "quarter"], how="left")
    for code in REPORTED:
        if code not in frame:
            frame[code] = None
    frame["prior_year"] = frame["quarter"].str[:4].astype(int) - 1
    prior = frame[frame["quarter"].str.endswith("Q4")][["region_code", "quarter", "slots", "n_reported"]]
    prior = prior.assign(prior_year=prior["quarter"].str[:4].astype(int)).drop(columns="quarter")
    frame = frame.merge(prior, on=["region_code", "prior_year"], how="left", suffixes=("", "_prior"))
    has_both = (frame["n_reported"] > 0) & (frame["n_reported_prior"] > 0)
    frame["new_slots"] = (frame["slots"] - frame["slots_prior"]).where(has_both)
    frame = frame.drop(columns=["prior_year", "slots_prior", "n_reported_prior"])
    return nulls_as_none(frame[frame["quarter"].isin(quarters)].reset_index(drop=True))


def nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with None for missing values, so that a figure is a number or None
    (无数据) wherever it goes: JSON, templates, comparisons."""
    return frame.astype(object).where(frame.notna(), None)


def lineage(con, region_code: str) -> pd.DataFrame:
    """The region and its ancestors, nearest first (empty for an unknown code)."""
    return db.run(con, "region_lineage", region_code=region_code)


def province_of(con, region_code: str) -> str | None:
    rows = lineage(con, region_code)
    rows = rows[rows["level"] == "province"]
    return None if rows.empty else rows["code"].iloc[0]


def children(con, region_code: str) -> pd.DataFrame:
    return db.run(con, "child_regions", region_code=region_code)


def slots_needed(target: float | None, resident_population: int | None, slots: int | None) -> int | None:
    """max(0, ⌈target × population ÷ 1000⌉ − slots), in decimal arithmetic so that e.g.
    1.2 × 400,000 ÷ 1000 is exactly 480, not 480.00000000000006 rounded up to 481."""
    if target is None or resident_population is None or slots is None:
        return None
    required = math.ceil(Decimal(str(target)) * Decimal(int(resident_population)) / 1000)
    return max(0, required - int(slots))


def linear_projection(points: list[tuple[float, float]], at: float) -> float | None:
    """Least-squares line through (x, y) points, evaluated at x = at; None under 2 points."""
    points = [(x, y) for x, y in points if y is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else 0.0
    return mean_y + slope * (at - mean_x)


def quarter_index(quarter: str) -> int:
    return int(quarter[:4]) * 4 + int(quarter[5]) - 1


def projection(series: dict[str, float | None], quarter: str) -> float | None:
    """Year-end value of an indicator from the trend of the last four quarters up to
    `quarter` (DESIGN §4 on-track projection); the value itself at Q4."""
    last_four = periods.quarters_back(quarter, 4)
    if quarter.endswith("Q4"):
        return series.get(quarter)
    points = [(quarter_index(q), series.get(q)) for q in last_four]
    return linear_projection(points, quarter_index(f"{quarter[:4]}Q4"))


def quarters_left_in_year(quarter: str) -> int:
    return 4 - int(quarter[5])


def row_dict(frame: pd.DataFrame, region_code: str, quarter: str) -> dict | None:
    match = frame[(frame["region_code"] == region_code) & (frame["quarter"] == quarter)]
    return None if match.empty else match.iloc[0].to_dict()
