"""The rules that look at more than one cell of a row (references, ranges, consistency),
and checking typed files against them with the keys known from the database."""

import pandas as pd

from .. import periods
from ..errors import Problem
from ..tables import TABLES
from .columns import type_file
from .read import TableFile

MAX_ENROLMENT_OVER_SLOTS = 1.5  # DESIGN §2: 在托人数超过托位数的 150% is an error
EARLIEST_PERIOD_YEAR = 2019


def _rows(tf: TableFile, mask: pd.Series) -> list[int]:
    return tf.rows[mask.fillna(False).astype(bool)].tolist()


def check_rules(tf: TableFile, known: dict[str, set], today=None) -> list[Problem]:
    """Rules that look at more than one cell: references, ranges, consistency."""
    today = today or periods.today()
    t, out = tf.typed, []
    zh = {c.name: c.zh for c in TABLES[tf.table]}

    def flag(mask, column, message):
        out.extend(Problem(tf.file, r, zh.get(column, column), message) for r in _rows(tf, mask))

    def unknown(column, table, label):
        values = t[column]
        # as objects: pandas' isin on arrow strings converts every known key one by one
        # (a second per 100,000 institutions)
        mask = values.notna() & ~values.astype(object).isin(known[table])
        for r, v in zip(_rows(tf, mask), values[mask.fillna(False)]):
            out.append(Problem(tf.file, r, zh[column], f"未知{label} {v}"))

    if tf.table == "regions":
        flag(~t["code"].fillna("").str.fullmatch(r"\d{6}|\d{9}|\d{12}") & t["code"].notna(),
             "code", "区划代码应为6位（县级以上）或9位（乡镇街道）数字")
        unknown("parent_code", "regions", "上级区划代码")
        flag(t["code"].eq(t["parent_code"]), "parent_code", "上级代码不能是自身")
    if tf.table in ("population", "region_indicators", "surveys"):
        unknown("region_code", "regions", "区划代码")
    if tf.table == "population":
        flag(t["under3_population"] > t["resident_population"], "under3_population",
             "3岁以下婴幼儿数超过常住人口")
        flag(t["resident_population"].eq(0), "resident_population", "常住人口不能为0")
    if tf.table == "institutions":
        unknown("region_code", "regions", "区划代码")
        reg, filed, closed = (pd.to_datetime(t[c]) for c in ("registered_on", "filed_on", "closed_on"))
        flag(filed < reg, "filed_on", "备案日期早于登记日期")
        flag(closed < reg, "closed_on", "注销日期早于登记日期")
        for c, s in (("registered_on", reg), ("filed_on", filed), ("closed_on", closed)):
            flag(s > pd.Timestamp(today), c, "日期在未来")
    if tf.table in ("reports", "incidents"):
        unknown("institution_id", "institutions", "机构编码（机构名录中没有）")
    if tf.table in ("reports", "region_indicators"):
        ends = t["period"].map(lambda p: periods.period_end(p) if isinstance(p, str) else None)
        flag(ends.map(lambda d: d is not None and d > today), "period", "报告期在未来（尚未结束）")
        flag(ends.map(lambda d: d is not None and d.year < EARLIEST_PERIOD_YEAR), "period",
             f"报告期早于{EARLIEST_PERIOD_YEAR}年")
    if tf.table == "reports":
        enrolled = t[["enrolled_infant", "enrolled_toddler", "enrolled_preschool"]].fillna(0).sum(axis=1)
        flag((enrolled > t["slots"] * MAX_ENROLMENT_OVER_SLOTS) & t["slots"].ge(0), "slots",  # negative: said once
             f"在托人数超过托位数的{MAX_ENROLMENT_OVER_SLOTS:.0%}")
        flag(t["caregivers_certified"] > t["caregivers"], "caregivers_certified", "持证保育人员数超过保育人员数")
    if tf.table == "surveys":
        flag(t["satisfied"] > t["respondents"], "satisfied", "满意人数超过调查人数")
        flag(t["respondents"].eq(0), "respondents", "调查人数不能为0")
    if tf.table == "incidents":
        flag(pd.to_datetime(t["occurred_on"]) > pd.Timestamp(today), "occurred_on", "日期在未来")
    if tf.table == "targets":
        flag(t["benchmark"].fillna("value").eq("value") & t["target"].isna(), "target",
             "比较基准为目标值时必须填写目标值")
        unknown("plan_code", "plans", "方案代码")
    if tf.table in ("phases", "tasks"):
        unknown("plan_code", "plans", "方案代码")
    return out


def check_files(files: list[TableFile], known: dict[str, set] | None = None) -> list[Problem]:
    """Type every file, then check the rules with the keys known from the database
    (`known`) and from the files themselves."""
    problems = []
    for tf in files:
        problems += type_file(tf)
    known = {k: set(v) for k, v in (known or {}).items()}
    for table, columns in (("regions", "code"), ("institutions", "institution_id"), ("plans", "plan_code")):
        known.setdefault(table, set())
        for tf in files:
            if tf.table == table:
                known[table] |= set(tf.typed[columns].dropna())
    for tf in files:
        problems += check_rules(tf, known)
    return problems

