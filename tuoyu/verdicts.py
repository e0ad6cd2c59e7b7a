"""The status of a target at a period (DESIGN §4.2): the one engine behind every status
word the dashboard, the briefing, the Excel files and the CLI show.

A target for year Y is due at J = Y's fourth quarter. At a period P on or after J it is
judged on the value at J (达标 / 未达标); before J it is not judged yet: the value at P
already meets it (已达到（未到期）), or the linear trend of the last four quarters up to P,
read at J, says whether it will (预计达标 / 有风险). Fewer than two quarters of data give no
trend: the status then rests on the value at P alone, and one that misses is 有风险 (below
the bar, with nothing to say it will catch up). A missing value is 无数据.

This module knows nothing of regions or the database: it takes a series of values by
quarter and the bar (a number, or a series such as the provincial average), so that its
cases can be checked by hand. tuoyu/targets.py feeds it; the words and colours are data
(data/verdicts.toml)."""

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from . import periods
from .paths import DATA

VERDICTS_FILE = DATA / "verdicts.toml"

MET, MISSED, REACHED, ON_TRACK, AT_RISK, NO_DATA = (
    "达标", "未达标", "已达到（未到期）", "预计达标", "有风险", "无数据")
STATUSES = (MET, MISSED, REACHED, ON_TRACK, AT_RISK, NO_DATA)
JUDGED = (MET, MISSED)               # final: the target's year is over
GOOD = (MET, REACHED, ON_TRACK)      # nobody needs to act (yet)
TREND_QUARTERS = 4

_COMPARE = {">=": lambda v, bar: v >= bar, ">": lambda v, bar: v > bar, "<=": lambda v, bar: v <= bar}
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤"}


@lru_cache(maxsize=1)
def _book() -> dict:
    with open(VERDICTS_FILE, "rb") as f:
        return tomllib.load(f)


def style(status: str) -> dict:
    """rank, colour (text/bars), background (table cells), mark and meaning of a status."""
    return _book()["status"][status]


def colours(kind: str = "background") -> dict[str, str]:
    return {s: style(s)[kind] for s in STATUSES}


def text(section: str, key: str, **fields) -> str:
    """A sentence of data/verdicts.toml ([detail], [headline]) with the figures filled in."""
    return _book()[section][key].format(**fields)


def meets(value, comparator: str, bar) -> bool | None:
    """Whether the value meets the bar; None when either is missing."""
    if missing(value) or missing(bar):
        return None
    return _COMPARE[comparator](value, bar)


def missing(v) -> bool:
    """A value the engine treats as absent (无数据): None, or a float NaN as a frame holds it."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def none_if_missing(v):
    """The value, or None where missing() (a verdict row carries None, never NaN)."""
    return None if missing(v) else v


def due_quarter(year: int) -> str:
    return f"{int(year)}Q4"


def quarter_index(quarter: str) -> int:
    return int(quarter[:4]) * 4 + int(quarter[5]) - 1


def quarters_needed(years, quarter: str) -> set[str]:
    """Every quarter whose value judge() may read for targets of these years at `quarter`:
    the trend window up to it, and the due quarter of each year already over."""
    needed = set(periods.quarters_back(quarter, TREND_QUARTERS))
    needed |= {due_quarter(y) for y in years if due_quarter(y) <= quarter}
    return needed


def linear_projection(points: list[tuple[float, float | None]], at: float) -> float | None:
    """Least-squares line through the (x, y) points that have a y, read at x = at; None
    with fewer than two such points."""
    points = [(x, y) for x, y in points if not missing(y)]
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else 0.0
    return mean_y + slope * (at - mean_x)


def project(series: Mapping[str, float | None], quarter: str, at: str) -> float | None:
    """The trend of the last four quarters' values up to `quarter`, read at quarter `at`;
    never below 0, which no indicator of DESIGN §3 can be (a falling line would otherwise
    promise −1.00 托位 per 1,000)."""
    window = periods.quarters_back(quarter, TREND_QUARTERS)
    value = linear_projection([(quarter_index(q), series.get(q)) for q in window], quarter_index(at))
    return None if value is None else max(value, 0.0)


@dataclass(frozen=True)
class Verdict:
    status: str
    due: str                      # J: the quarter the target is judged at
    judged_at: str                # the quarter whose value the status rests on (J once due, else P)
    value: float | None           # the value at judged_at
    bar: float | None             # the bar at judged_at (a fixed target, or e.g. the provincial average)
    projected: float | None       # the trend read at J (not yet due only)
    projected_bar: float | None   # the bar at J: fixed, or its own trend
    quarters_left: int            # quarters from P to J (0 once due)

    @property
    def is_final(self) -> bool:
        return self.status in JUDGED


def judge(comparator: str, year: int, quarter: str, values: Mapping[str, float | None],
          bar: float | Mapping[str, float | None] | None) -> Verdict:
    """The status at `quarter` (P) of a target for `year`: `values` maps quarters to the
    unit's value (at least the trend window up to P, and J once due); `bar` is a fixed
    number or a series by quarter (a provincial average, projected like the value)."""
    due = due_quarter(year)
    bars = bar if isinstance(bar, Mapping) else None

    def bar_at(q):
        return bars.get(q) if bars is not None else bar

    if quarter >= due:
        value, bar_now = values.get(due), bar_at(due)
        ok = meets(value, comparator, bar_now)
        status = NO_DATA if ok is None else MET if ok else MISSED
        return Verdict(status, due, due, value, bar_now, None, None, 0)

    left = quarter_index(due) - quarter_index(quarter)
    value, bar_now = values.get(quarter), bar_at(quarter)
    ok = meets(value, comparator, bar_now)
    if ok is None:
        return Verdict(NO_DATA, due, quarter, value, bar_now, None, None, left)
    projected = project(values, quarter, due)
    # a moving bar (an average) is projected like the value; with no trend it stays as it is now
    projected_bar = (project(bars, quarter, due) if bars is not None else None)
    if projected_bar is None:
        projected_bar = bar_now
    if ok:
        return Verdict(REACHED, due, quarter, value, bar_now, projected, projected_bar, left)
    if projected is None:
        return Verdict(AT_RISK, due, quarter, value, bar_now, None, projected_bar, left)
    status = ON_TRACK if meets(projected, comparator, projected_bar) else AT_RISK
    return Verdict(status, due, quarter, value, bar_now, projected, projected_bar, left)


def per_quarter(needed: int | None, quarters_left: int) -> int | None:
    """托位 to add in each quarter left before the target is due (rounded up)."""
    if needed is None or quarters_left <= 0:
        return None
    return -(-needed // quarters_left)


def combine(statuses) -> str:
    """Several statuses as one (a criterion's parts; a city and each of its counties): the
    worst by rank (data/verdicts.toml), 无数据 for nothing to judge."""
    statuses = [s for s in statuses if s]
    if not statuses:
        return NO_DATA
    return min(statuses, key=lambda s: style(s)["rank"])


def count_text(statuses, order=None, unit: str = "项") -> str:
    """'达标3项、有风险1项' in rank order (worst first unless `order` is given)."""
    statuses = list(statuses)
    order = order or sorted(STATUSES, key=lambda s: -style(s)["rank"])
    return "、".join(f"{s}{statuses.count(s)}{unit}" for s in order if s in statuses)
