"""Typing the cells of a file read by read.py: the value formats county staff type (全角
digits, "1,200", 是/否, 2024年9月30日, 2024年第3季度 …), each cell that is filled but
unreadable named with its row and column, and duplicate keys within the file."""

import re

import pandas as pd

from .. import periods
from ..errors import Problem
from ..tables import ALLOWED, KEYS, TABLES
from .read import TableFile

_TRUE = {"是", "y", "yes", "true", "t", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "f", "0", "×", "✗"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
_INT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?$")


def _parse_column(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that are filled but unreadable."""
    empty = values.eq("")
    if kind == "text":
        return values.where(~empty, None), pd.Series(False, index=values.index)
    if kind in ("int", "float"):
        cleaned = values.str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
        pattern = _INT if kind == "int" else _NUMBER
        ok = cleaned.str.match(pattern.pattern)
        percent = cleaned.str.endswith("%")
        number = pd.to_numeric(cleaned.str.rstrip("%").where(ok), errors="coerce")
        number = number.where(~percent, number / 100)
        bad = ~empty & (~ok | number.isna())
        if kind == "int":
            return number.where(~bad).astype("Int64"), bad
        return number.where(~bad).astype("Float64"), bad
    if kind == "bool":
        low = values.str.lower()
        result = pd.Series(pd.NA, index=values.index, dtype="boolean")
        result[low.isin(_TRUE)] = True
        result[low.isin(_FALSE)] = False
        return result, ~empty & result.isna()
    if kind == "date":
        parts = values.str.extract(_DATE.pattern)
        compact = values.str.fullmatch(r"\d{8}")
        parts[compact] = pd.DataFrame({0: values.str[:4], 1: values.str[4:6], 2: values.str[6:8]})[compact]
        stamp = pd.to_datetime(
            parts[0] + "-" + parts[1].str.zfill(2) + "-" + parts[2].str.zfill(2),
            format="%Y-%m-%d", errors="coerce")
        return stamp.dt.date.where(stamp.notna(), None), ~empty & stamp.isna()
    if kind == "period":
        canonical = {}
        for text in values[~empty].unique():
            try:
                canonical[text] = periods.parse_period(text)
            except ValueError:
                canonical[text] = None
        typed = values.map(lambda t: canonical.get(t))
        return typed, ~empty & typed.isna()
    raise ValueError(kind)


_KIND_HINT = {
    "int": "应为整数", "float": "应为数值", "bool": "应为 是/否",
    "date": "应为日期，如 2024-09-30、2024/9/30 或 2024年9月30日",
    "period": "应为报告期，如 2024Q3、2024年第3季度 或 2024-09",
}


def type_file(tf: TableFile) -> list[Problem]:
    """Fill tf.typed; return the cell-level problems (type, required, allowed values,
    negative counts, duplicate keys within the file)."""
    problems: list[Problem] = []
    typed = {}
    for col in TABLES[tf.table]:
        values = tf.raw[col.name]

        def flag(mask: pd.Series, message: str, with_value: bool = False):
            for idx in tf.rows.index[mask.fillna(False).astype(bool)]:
                text = f"“{values[idx]}”{message}" if with_value else message
                problems.append(Problem(tf.file, int(tf.rows[idx]), col.zh, text))

        typed[col.name], bad = _parse_column(values, col.kind)
        flag(bad, _KIND_HINT.get(col.kind, ""), with_value=True)
        if col.required:
            flag(values.eq(""), "必填项为空")
        allowed = ALLOWED.get((tf.table, col.name))
        if allowed:
            flag(values.ne("") & ~values.isin(allowed), f"取值应为 {' / '.join(allowed)}", with_value=True)
        if col.kind == "int":
            flag(typed[col.name].lt(0), "不能为负数")
    tf.typed = pd.DataFrame(typed)
    key = list(KEYS[tf.table])
    dup = tf.typed.duplicated(subset=key, keep=False) & tf.typed[key].notna().all(axis=1)
    first: dict[tuple, int] = {}
    for idx in tf.typed.index[dup]:
        k = tuple(tf.typed.loc[idx, key])
        if k in first:
            problems.append(Problem(tf.file, int(tf.rows[idx]), None,
                                    f"与第{first[k]}行重复（{'、'.join(str(v) for v in k)}）"))
        else:
            first[k] = int(tf.rows[idx])
    return problems

