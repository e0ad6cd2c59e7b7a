"""The indicators' names, units, kinds and 口径 (data/indicators.csv): what every label,
number format and definition on a page, in the briefing and in the CLI is read from."""

import csv
from functools import lru_cache

from .paths import DATA


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict]:
    """Indicator code → its row of data/indicators.csv (name_zh, short_zh, unit, kind …)."""
    with open(DATA / "indicators.csv", encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}
