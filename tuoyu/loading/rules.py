"""The rules that look at more than one cell of a row (references, ranges, consistency), and
checking typed files against them with the keys known from the database.

Each rule is written once: its condition is an is_* column of the table's row-rules query
(queries/row_rules_<table>.sql; phases and tasks share one, query_name()), its wording a
line of RULES below. The same query judges an upload or a build's files here (on the typed
rows, in an in-memory DuckDB) and a large file on the build's fast path (fast.py, on the
rows DuckDB typed), so the two cannot drift apart."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from .. import db, periods
from ..errors import Problem
from ..tables import TABLES
from .columns import type_file
from .read import TableFile

MAX_ENROLMENT_OVER_SLOTS = 1.5  # DESIGN §2: 在托人数超过托位数的 150% is an error
EARLIEST_PERIOD_YEAR = 2019


@dataclass(frozen=True)
class Rule:
    flag: str            # the is_* column of the table's row-rules query (query_name)
    column: str          # the column a problem is named in
    message: str
    with_value: bool = False  # the cell's value follows the message (an unknown key)


_UNKNOWN_REGION = Rule("is_region_unknown", "region_code", "未知区划代码", with_value=True)
_UNKNOWN_INSTITUTION = Rule("is_institution_unknown", "institution_id", "未知机构编码（机构名录中没有）", with_value=True)
_UNKNOWN_PLAN = Rule("is_plan_unknown", "plan_code", "未知方案代码", with_value=True)
_PERIOD = (Rule("is_period_unfinished", "period", "报告期在未来（尚未结束）"),
           Rule("is_period_too_early", "period", f"报告期早于{EARLIEST_PERIOD_YEAR}年"))

# Per table, in the order its problems are listed.
RULES = {
    "regions": (
        Rule("is_code_malformed", "code", "区划代码应为6位（县级以上）或9位（乡镇街道）数字"),
        Rule("is_parent_unknown", "parent_code", "未知上级区划代码", with_value=True),
        Rule("is_own_parent", "parent_code", "上级代码不能是自身"),
    ),
    "population": (
        _UNKNOWN_REGION,
        Rule("is_under3_over_population", "under3_population", "3岁以下婴幼儿数超过常住人口"),
        Rule("is_population_zero", "resident_population", "常住人口不能为0"),
    ),
    "region_indicators": (_UNKNOWN_REGION, *_PERIOD),
    "surveys": (
        _UNKNOWN_REGION,
        Rule("is_satisfied_over_respondents", "satisfied", "满意人数超过调查人数"),
        Rule("is_respondents_zero", "respondents", "调查人数不能为0"),
    ),
    "institutions": (
        _UNKNOWN_REGION,
        Rule("is_filed_before_registered", "filed_on", "备案日期早于登记日期"),
        Rule("is_closed_before_registered", "closed_on", "注销日期早于登记日期"),
        Rule("is_registered_in_future", "registered_on", "日期在未来"),
        Rule("is_filed_in_future", "filed_on", "日期在未来"),
        Rule("is_closed_in_future", "closed_on", "日期在未来"),
    ),
    "reports": (
        _UNKNOWN_INSTITUTION, *_PERIOD,
        Rule("is_enrolment_over_slots", "slots", f"在托人数超过托位数的{MAX_ENROLMENT_OVER_SLOTS:.0%}"),
        Rule("is_certified_over_caregivers", "caregivers_certified", "持证保育人员数超过保育人员数"),
    ),
    "incidents": (_UNKNOWN_INSTITUTION, Rule("is_occurred_in_future", "occurred_on", "日期在未来")),
    "targets": (Rule("is_target_missing", "target", "比较基准为目标值时必须填写目标值"), _UNKNOWN_PLAN),
    "phases": (_UNKNOWN_PLAN,),
    "tasks": (_UNKNOWN_PLAN,),
}

# The keys a rule may look up, as the tables the queries read (known_<table>, column v).
KNOWN_KEYS = {"regions": "code", "institutions": "institution_id", "plans": "plan_code"}


def set_known(con, table: str, values) -> None:
    """Temp table known_<table> (column v) on `con`: the keys the row rules look up."""
    con.register("known_values", pd.DataFrame({"v": sorted(values)}, dtype=object))
    try:  # the name from KNOWN_KEYS, never from input
        con.execute(f"create or replace temp table known_{table} as select cast(v as varchar) as v from known_values")
    finally:
        con.unregister("known_values")


# tables whose rows break the same rules share one query
SHARED_QUERY = {"phases": "row_rules_plan_items", "tasks": "row_rules_plan_items"}


def query_name(table: str) -> str:
    """The query holding `table`'s row rules: queries/row_rules_<table>.sql, or a shared one."""
    return SHARED_QUERY.get(table, f"row_rules_{table}")


def flagged_rows(con, table: str, today) -> pd.DataFrame:
    """queries/<query_name(table)>.sql on `con`, whose checked_rows and known_<table> the
    caller has made: row_index and the is_* flags of each row that breaks a rule."""
    text = db.query_text(query_name(table))
    params = {"today": today, "earliest_year": EARLIEST_PERIOD_YEAR,
              "max_enrolment_over_slots": MAX_ENROLMENT_OVER_SLOTS}
    # on `con` itself, not a cursor: the temp tables it reads belong to this connection
    return con.execute(text, {k: v for k, v in params.items() if f"${k}" in text}).df()


def check_rules(con, tf: TableFile, today=None) -> list[Problem]:
    """tf's rows against RULES[tf.table], on `con` holding the known_* tables."""
    if tf.table not in RULES:
        return []
    con.register("checked_rows", _checked_rows(tf))
    try:
        found = flagged_rows(con, tf.table, today or periods.today())
    finally:
        con.unregister("checked_rows")
    zh = {c.name: c.zh for c in TABLES[tf.table]}
    out = []
    for rule in RULES[tf.table]:
        for i in sorted(found.loc[found[rule.flag].fillna(False).astype(bool), "row_index"]):
            value = tf.typed[rule.column].iloc[i]
            out.append(Problem(tf.file, int(tf.rows.iloc[i]), zh[rule.column],
                               f"{rule.message} {value}" if rule.with_value else rule.message))
    return out


def _checked_rows(tf: TableFile) -> pd.DataFrame:
    """tf's typed rows as the rule queries read them: with row_index and, where there is a
    period, its last day."""
    typed = tf.typed.assign(row_index=range(len(tf.typed)))
    if "period" in typed.columns:
        typed["period_end"] = typed["period"].map(lambda p: periods.period_end(p) if isinstance(p, str) else None)
    kinds = {c.name: c.kind for c in TABLES[tf.table]} | {"period_end": "date"}
    # typed explicitly: DuckDB guesses a column of Python objects from its values, and one
    # of nothing but None it cannot type at all (year(NULL) is ambiguous)
    for name in typed.columns:
        if typed[name].dtype == object:
            typed[name] = typed[name].astype("datetime64[s]" if kinds.get(name) == "date" else "str")
    return typed


def check_files(files: list[TableFile], known: dict[str, set] | None = None) -> list[Problem]:
    """Type every file, then check the rules with the keys known from the database
    (`known`) and from the files themselves."""
    problems = []
    for tf in files:
        problems += type_file(tf)
    known = {k: set(v) for k, v in (known or {}).items()}
    for table, column in KNOWN_KEYS.items():
        known.setdefault(table, set())
        for tf in files:
            if tf.table == table:
                known[table] |= set(tf.typed[column].dropna())
    con = duckdb.connect()
    try:
        for table in KNOWN_KEYS:
            set_known(con, table, known[table])
        for tf in files:
            problems += check_rules(con, tf)
    finally:
        con.close()
    return problems
