"""The build's fast path: a large CSV of institutions or reports read, typed and checked
in DuckDB, accepted only when plainly clean (else the pandas path judges and words it)."""

import csv
from pathlib import Path

import pandas as pd

from .. import periods
from ..tables import ALLOWED, KEYS, TABLES, table_for_name
from .columns import _FALSE, _TRUE
from .read import FULLWIDTH_FROM, FULLWIDTH_TO, TableFile, column_for_header
from .rules import EARLIEST_PERIOD_YEAR, MAX_ENROLMENT_OVER_SLOTS
from .write import INSERT_ORDER

# A national dataset's reports file has millions of rows; reading and checking it with
# pandas takes minutes. A large CSV of the biggest tables is therefore read, typed and
# checked by DuckDB first, accepting only cells in their plain form (digits, 2024-09-30,
# 2024Q3 or 2024-09, true/false …) and only a file that breaks none of the rules below.
# Anything else — a problem, or just an unusual but valid cell (全角 digits, "1,000",
# 2024年9月30日) — sends the whole build down the pandas path, which reports every problem
# with its file, row and column exactly as before. So the fast path never refuses a file
# and never words a message; it only accepts clean ones sooner.
#
# The rules mirror check_rules() and type_file() for these tables: a rule added there for
# institutions or reports must be added to _fast_rules() too (tests/test_generate.py
# compares the two paths on a battery of broken files).

FAST_TABLES = ("institutions", "reports")
FAST_MIN_BYTES = 4 * 1024 * 1024  # smaller files take the pandas path: it is quick enough
_FW_FROM, _FW_TO = FULLWIDTH_FROM, FULLWIDTH_TO
_EDGE_SPACE = ("[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}"
               "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]")  # what str.strip() removes


def _sql_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _fast_header(table: str, header: list[str]) -> dict[str, int] | None:
    """Column positions by English name, as read_table_file maps headers; None for a
    header it would complain about (or mangle), left to the pandas path."""
    column_for = column_for_header(table)
    positions = {}
    if len(set(header)) != len(header):
        return None
    for i, raw in enumerate(header):
        target = column_for(raw)
        if target is None:
            continue
        if target in positions:
            return None
        positions[target] = i
    if any(c.required and c.name not in positions for c in TABLES[table]):
        return None
    return positions


# Text columns checked against known keys: a cell with spaces around it is unknown anyway.
_FAST_REFERENCES = {("reports", "institution_id"), ("institutions", "region_code")}


def _fast_cell_problems(table: str) -> list[str]:
    """SQL conditions on the text table that make a cell not plainly valid (the typed
    columns' patterns admit no spaces; free text is checked for them)."""
    out = []
    for col in TABLES[table]:
        c = col.name
        if col.kind == "text" and not ALLOWED.get((table, c)) and (table, c) not in _FAST_REFERENCES:
            out.append(f"regexp_matches({c}, '^{_EDGE_SPACE}|{_EDGE_SPACE}$')")
        if col.required:
            out.append(f"{c} = ''")
        if col.kind == "int":
            out.append(f"({c} <> '' and not regexp_full_match({c}, '[0-9]{{1,9}}'))")
        elif col.kind == "bool":
            out.append(f"({c} <> '' and lower({c}) not in ({_sql_list(_TRUE | _FALSE)}))")
        elif col.kind == "date":
            out.append(f"({c} <> '' and (not regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
                       f" or try_cast({c} as date) is null or year(try_cast({c} as date)) not between 1900 and 2200))")
        elif col.kind == "period":
            out.append(f"({c} <> '' and not regexp_full_match({c}, '[0-9]{{4}}Q[1-4]|[0-9]{{4}}-(0[1-9]|1[0-2])'))")
        elif col.kind != "text":
            out.append(f"{c} <> ''")  # floats: none in these tables; leave them to pandas
        allowed = ALLOWED.get((table, c))
        if allowed:
            out.append(f"({c} <> '' and {c} not in ({_sql_list(allowed)}))")
    return out


def _fast_typed(col) -> str:
    c = col.name
    if col.kind == "int":
        return f"cast(nullif({c}, '') as integer)"
    if col.kind == "bool":
        return (f"case when lower({c}) in ({_sql_list(_TRUE)}) then true "
                f"when lower({c}) in ({_sql_list(_FALSE)}) then false end")
    if col.kind == "date":
        return f"cast(nullif({c}, '') as date)"
    return f"nullif({c}, '')"


_PERIOD_END = ("case when period like '____Q_' then quarter_end(period) "
               "else last_day(cast(period || '-01' as date)) end")
_QUARTER = ("case when period like '____Q_' then period else substr(period, 1, 4) || 'Q' || "
            "cast((cast(substr(period, 6, 2) as integer) - 1) // 3 + 1 as varchar) end")


def _fast_rules(table: str) -> list[str]:
    """Queries counting rows that check_rules() would flag (and duplicate keys)."""
    t = f"fast_{table}"
    key = ", ".join(KEYS[table])
    out = [f"select count(*) from (select {key} from {t} group by all having count(*) > 1)"]
    if table == "institutions":
        out.append(f"select count(*) from {t} anti join fast_known_regions as k on k.v = {t}.region_code")
        out.append(f"select count(*) from {t} where filed_on < registered_on or closed_on < registered_on"
                   f" or registered_on > $today or filed_on > $today or closed_on > $today")
    if table == "reports":
        out.append(f"select count(*) from {t} anti join fast_known_institutions as k on k.v = {t}.institution_id")
        out.append(f"select count(*) from {t} where period_end > $today"
                   f" or year(period_end) < {EARLIEST_PERIOD_YEAR}")
        out.append(f"select count(*) from {t} where coalesce(enrolled_infant, 0) + coalesce(enrolled_toddler, 0)"
                   f" + coalesce(enrolled_preschool, 0) > slots * {MAX_ENROLMENT_OVER_SLOTS}"
                   f" or caregivers_certified > caregivers")
    return out


def fast_load(con, path: Path, table: str, today) -> int | None:
    """Read, type and check one large CSV in DuckDB into temp table fast_<table>. The rows
    it holds, or None: the file is not plainly clean, so let the pandas path judge it.
    Expects temp tables fast_known_regions / fast_known_institutions (column v)."""
    import duckdb

    try:
        with open(path, "rb") as f:
            first = f.readline().decode("utf-8-sig")
        if '"' in first:
            return None
        header = next(csv.reader([first]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    positions = _fast_header(table, [h.strip("\r\n") for h in header])
    if positions is None:
        return None
    names = [c.name for c in TABLES[table]]
    raw_columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"

    def text_of(col) -> str:
        if col.name not in positions:
            return "''"
        c = f"coalesce(c{positions[col.name]}, '')"
        if col.kind != "text" or ALLOWED.get((table, col.name)) or (table, col.name) in _FAST_REFERENCES:
            return c  # a 全角 digit fails the column's pattern or key: the pandas path translates it
        if col.prose:
            return c  # free text keeps its punctuation (read_table_file)
        # translate() is slow: only where a 全角 character is (as read_table_file does)
        return f"case when regexp_matches({c}, '[{_FW_FROM}]') then translate({c}, '{_FW_FROM}', '{_FW_TO}') else {c} end"
    text = ", ".join(f"{text_of(col)} as {col.name}" for col in TABLES[table])
    try:
        con.execute(f"create or replace temp table fast_text as select {text} from read_csv($path, "
                    f"header = true, auto_detect = false, columns = {raw_columns}, delim = ',', "
                    f"quote = '\"', escape = '\"')", {"path": str(path)})
    except duckdb.Error:
        return None  # not UTF-8, a ragged row …: the pandas path names it
    con.execute("delete from fast_text where " + " and ".join(f"{n} = ''" for n in names))
    rows = con.execute("select count(*) from fast_text").fetchone()[0]
    if rows == 0 or con.execute("select count(*) from fast_text where "
                                + " or ".join(_fast_cell_problems(table))).fetchone()[0]:
        return None
    typed = ", ".join(f"{_fast_typed(c)} as {c.name}" for c in TABLES[table])
    if table == "reports":  # prepare_rows: the quarter and the period's last day, per period
        con.execute(f"create or replace temp table fast_{table} as with typed as (select {typed} from fast_text), "
                    f"by_period as (select period, {_QUARTER} as quarter, {_PERIOD_END} as period_end "
                    f"from (select distinct period from typed)) "
                    f"select typed.*, by_period.quarter, by_period.period_end from typed join by_period using (period)")
    else:
        con.execute(f"create or replace temp table fast_{table} as select {typed} from fast_text")
    con.execute("drop table fast_text")
    for query in _fast_rules(table):
        params = {"today": today} if "$today" in query else {}
        if con.execute(query, params).fetchone()[0]:
            return None
    return rows


def insert(con, table: str) -> int:
    columns = [c.name for c in TABLES[table]]
    select = list(columns)
    if table == "reports":
        columns += ["quarter", "period_end"]
        select += ["quarter", "period_end"]
    if table == "institutions":  # prepare_rows: the flags default to false
        select = [f"coalesce({c}, false) as {c}" if c in ("is_puhui", "is_demonstration", "is_guidance_center")
                  else c for c in select]
    order = f" order by {INSERT_ORDER[table]}" if table in INSERT_ORDER else ""
    con.execute(f"insert into {table} ({', '.join(columns)}) "
                f"select * from (select {', '.join(select)} from fast_{table}){order}")
    n = con.execute(f"select count(*) from fast_{table}").fetchone()[0]
    con.execute(f"drop table fast_{table}")
    return n


def defer_large(deferred: dict[str, list[Path]]):
    def defer(path: Path) -> bool:
        table = table_for_name(path.stem)
        if path.suffix.lower() == ".csv" and table in FAST_TABLES and path.stat().st_size >= FAST_MIN_BYTES:
            deferred.setdefault(table, []).append(path)
            return True
        return False
    return defer


def load_all(con, fast: dict[str, Path], files: list[TableFile]) -> dict[str, set] | None:
    """fast_load() each deferred file (institutions before the reports that refer to them);
    the keys they add for check_files(), or None when one is not plainly clean."""
    def known(name: str, values) -> None:
        con.register("fast_values", pd.DataFrame({"v": sorted(values)}, dtype=object))
        con.execute(f"create or replace temp table {name} as select cast(v as varchar) as v from fast_values")
        con.unregister("fast_values")

    today = periods.today()
    known("fast_known_regions", {v for tf in files if tf.table == "regions" for v in tf.raw["code"] if v})
    added = {}
    for table in FAST_TABLES:
        if table not in fast:
            continue
        if table == "reports":
            if "institutions" in fast:
                con.execute("create or replace temp table fast_known_institutions as "
                            "select institution_id as v from fast_institutions")
            else:
                known("fast_known_institutions",
                      {v for tf in files if tf.table == "institutions" for v in tf.raw["institution_id"] if v})
        if fast_load(con, fast[table], table, today) is None:
            return None
    if "institutions" in fast:
        added["institutions"] = {r[0] for r in con.execute("select institution_id from fast_institutions").fetchall()}
    return added

