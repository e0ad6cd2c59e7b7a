"""Numbers as a Chinese government report writes them: 1.05 个/千人, 82.3%, 2024年第3季度."""

from . import indicators, periods

NO_DATA = "无数据"


def number(value, digits: int = 2) -> str:
    if value is None:
        return NO_DATA
    return f"{value:.{digits}f}"


def count(value) -> str:
    """Whole counts: 1234 below ten thousand, 1.23万 above (as 统计公报 write them)."""
    if value is None:
        return NO_DATA
    value = int(value)
    return f"{value / 10000:.2f}万" if abs(value) >= 10000 else str(value)


def percent(value, digits: int = 1) -> str:
    return NO_DATA if value is None else f"{value * 100:.{digits}f}%"


def value(code: str, v, with_unit: bool = True) -> str:
    """An indicator's value in its unit (from data/indicators.csv)."""
    if v is None:
        return NO_DATA
    info = indicators.catalogue().get(code, {})
    unit = info.get("unit", "")
    if unit == "%":
        return percent(v)
    if info.get("kind") == "count":
        return count(v) + (unit if with_unit else "")
    return number(v) + (f" {unit}" if with_unit and unit else "")


def delta(code: str, v) -> str | None:
    """A change between periods, signed, in the indicator's unit (percentage points for rates)."""
    if v is None:
        return None
    unit = indicators.catalogue().get(code, {}).get("unit", "")
    if unit == "%":
        return f"{v * 100:+.1f}个百分点"
    return f"{v:+.2f}"


def period(p: str) -> str:
    return periods.label(p)


def name(code: str) -> str:
    return indicators.catalogue()[code]["name_zh"]


def short(code: str) -> str:
    return indicators.catalogue()[code]["short_zh"]


def definition(code: str) -> str:
    return indicators.catalogue()[code]["definition"]
