"""Reporting periods: quarters ('2024Q3') and months ('2024-09'), their end dates, and
their Chinese labels (2024年第3季度). 'Today' can be pinned with TUOYU_TODAY for tests."""

import os
import re
from datetime import date, timedelta

_QUARTER = re.compile(r"^(\d{4})\s*(?:[Qq]|年\s*第?)\s*([1-4一二三四])\s*(?:季度|季)?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_CN_DIGIT = {"一": "1", "二": "2", "三": "3", "四": "4"}


def today() -> date:
    pinned = os.environ.get("TUOYU_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


def parse_period(text: str) -> str:
    """Canonical period label for '2024Q3', '2024年第3季度', '2024-09', '2024年9月' …;
    raises ValueError for anything else."""
    text = str(text).strip()
    m = _QUARTER.match(text)
    if m:
        return f"{m.group(1)}Q{_CN_DIGIT.get(m.group(2), m.group(2))}"
    m = _MONTH.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    raise ValueError(text)


def is_quarter(period: str) -> bool:
    return len(period) == 6 and period[4] == "Q"


def quarter_of(period: str) -> str:
    if is_quarter(period):
        return period
    year, month = period.split("-")
    return f"{year}Q{(int(month) - 1) // 3 + 1}"


def period_end(period: str) -> date:
    if is_quarter(period):
        year, q = int(period[:4]), int(period[5])
        month = q * 3
    else:
        year, month = (int(x) for x in period.split("-"))
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def quarter_start(quarter: str) -> date:
    return date(int(quarter[:4]), int(quarter[5]) * 3 - 2, 1)


def previous_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[5])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def quarters_back(quarter: str, n: int) -> list[str]:
    """The n quarters ending with `quarter`, oldest first."""
    out = [quarter]
    for _ in range(n - 1):
        out.append(previous_quarter(out[-1]))
    return out[::-1]


def quarter_range(first: str, last: str) -> list[str]:
    out, q = [], last
    while q >= first:
        out.append(q)
        q = previous_quarter(q)
    return out[::-1]


def label(period: str) -> str:
    """2024Q3 → 2024年第3季度; 2024-09 → 2024年9月."""
    if is_quarter(period):
        return f"{period[:4]}年第{period[5]}季度"
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def as_of(quarter: str, on: date | None = None) -> date:
    """The day a page, briefing or export for the period shows the world at (DESIGN §4.3):
    the period's last day, or today while the period is not over yet."""
    return min(period_end(quarter), on or today())


def latest_complete_quarter(on: date | None = None) -> str:
    """The last quarter that has ended on or before `on` (default today)."""
    on = on or today()
    q = f"{on.year}Q{(on.month - 1) // 3 + 1}"
    return q if period_end(q) <= on else previous_quarter(q)
