"""Numbers as a Chinese government report writes them: 1.05 个/千人, 82.3%, 2024年第3季度."""

from . import periods
from .catalogue import catalogue

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


def scale_digits(code: str) -> tuple[int, int]:
    """How value() prints an indicator: (scale, decimals) — rates ×100 to one decimal,
    counts whole, ratios to two decimals. The Excel exports use it to show the same digits."""
    info = catalogue().get(code, {})
    if info.get("unit") == "%":
        return 100, 1
    if info.get("kind") == "count":
        return 1, 0
    return 1, 2


def excel_format(code: str) -> str:
    """The Excel number format that prints a scaled value with value()'s digits."""
    digits = scale_digits(code)[1]
    return "0." + "0" * digits if digits else "0"


def value(code: str, v, with_unit: bool = True) -> str:
    """An indicator's value in its unit (from data/indicators.csv)."""
    if v is None:
        return NO_DATA
    info = catalogue().get(code, {})
    unit = info.get("unit", "")
    if unit == "%":
        return percent(v)
    if info.get("kind") == "count":
        return count(v) + (unit if with_unit else "")
    return number(v) + (f" {unit}" if with_unit and unit else "")


def delta(code: str, v) -> str | None:
    """A change between periods from unrounded values, rounded once, signed, in the
    indicator's unit (percentage points for rates); one that rounds to nothing is written
    without a sign ('0.00'), so that it shows flat."""
    if v is None:
        return None
    unit = catalogue().get(code, {}).get("unit", "")
    text = f"{v * 100:+.1f}" if unit == "%" else f"{v:+.2f}"
    if float(text) == 0:
        text = text[1:]
    return text + ("个百分点" if unit == "%" else "")


def is_flat(delta_text: str | None) -> bool:
    """Whether a delta() rounds to nothing (no arrow, no colour)."""
    return delta_text is not None and delta_text[0] not in "+-"


def amount(code: str, v) -> str:
    """A difference without sign, in the indicator's unit (percentage points for rates):
    '0.15 个/千人', '3.2个百分点'."""
    if v is None:
        return NO_DATA
    if catalogue().get(code, {}).get("unit") == "%":
        return f"{abs(v) * 100:.1f}个百分点"
    return value(code, abs(v))


def pair(code: str, a, b) -> tuple[str, str]:
    """Two figures compared (a value and its bar) in the indicator's unit, with more digits
    when the usual rounding would print two different numbers alike."""
    shown = value(code, a), value(code, b)
    if shown[0] == shown[1] and a is not None and b is not None and a != b:
        unit = catalogue().get(code, {}).get("unit", "")
        if unit == "%":
            return percent(a, 2), percent(b, 2)
        if catalogue().get(code, {}).get("kind") != "count":
            return f"{number(a, 3)} {unit}".strip(), f"{number(b, 3)} {unit}".strip()
    return shown


def average_label(province_name: str | None, named: bool = False) -> str:
    """The provincial average (DESIGN §3: the province's own ratio) in words: 全区平均 for an
    autonomous region (宁夏回族自治区), else 全省平均, as a target's requirement and a county's
    card word it; `named`, under the province's own name (宁夏回族自治区平均), as the charts'
    legends, 县区对比 and the briefing name the line they draw."""
    if named and province_name:
        return f"{province_name}平均"
    return "全区平均" if (province_name or "").endswith("自治区") else "全省平均"


def date_zh(value) -> str:
    """2023年10月1日 (empty for no date): the one Chinese date format."""
    import pandas as pd

    if value is None or pd.isna(value):
        return ""
    value = pd.Timestamp(value)
    return f"{value.year}年{value.month}月{value.day}日"


def date_time(ts) -> str:
    """'2026年11月23日 10:05'."""
    return f"{ts.year}年{ts.month}月{ts.day}日 {ts:%H:%M}"


def period(p: str) -> str:
    return periods.label(p)


def name(code: str) -> str:
    return catalogue()[code]["name_zh"]


def short(code: str) -> str:
    return catalogue()[code]["short_zh"]


def definition(code: str) -> str:
    return catalogue()[code]["definition"]
