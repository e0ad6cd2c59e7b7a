"""The build's fast path: a large CSV of institutions or reports read, typed and checked
in DuckDB, accepted only when plainly clean (else the pandas path judges and words it)."""

import csv
from pathlib import Path

import duckdb

from .. import db, periods
from ..tables import ALLOWED, FULLWIDTH_ANY, FULLWIDTH_FROM, FULLWIDTH_TO, KEYS, TABLES, column_for_header, table_for_name
from .columns import _FALSE, _TRUE
from .read import TableFile
from .rules import flagged_rows, set_known

# A national dataset's reports file has millions of rows; reading and checking it with
# pandas takes minutes. A large CSV of the biggest tables is therefore read, typed and
# checked by DuckDB first, accepting only cells in their plain form (digits, 2024-09-30,
# 2024Q3 or 2024-09, true/false …) and only a file that breaks none of the rules below.
# Anything else — a problem, or just an unusual but valid cell (全角 digits, "1,000",
# 2024年9月30日) — sends the whole build down the pandas path, which reports every problem
# with its file, row and column exactly as before. So the fast path never refuses a file
# and never words a message; it only accepts clean ones sooner.
#
# The row rules are the pandas path's own: the same row-rules query (rules.query_name)
# runs on the rows typed here. What is this module's alone is which cells count as plain and
# how they are typed: stricter than columns.py, so a cell it takes, columns.py reads alike
# (tests/test_generate.py compares the two paths on a battery of broken and unusual files).

FAST_TABLES = ("institutions", "reports")
FAST_MIN_BYTES = 4 * 1024 * 1024  # smaller files take the pandas path: it is quick enough
_EDGE_SPACE = ("[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}"
               "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]")  # what str.strip() removes
# Every value the generated SQL below compares with, bound (never written into the text).
_PARAMS = {
    "fullwidth_from": FULLWIDTH_FROM, "fullwidth_to": FULLWIDTH_TO, "fullwidth_any": FULLWIDTH_ANY,
    "edge_space": f"^{_EDGE_SPACE}|{_EDGE_SPACE}$", "true_words": sorted(_TRUE), "false_words": sorted(_FALSE),
} | {f"allowed_{table}_{column}": list(values) for (table, column), values in ALLOWED.items()}


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

# Generated from tables.py rather than written per table in queries/: which file column is
# which table column is known only from a file's header, and each column's check and cast
# follows its kind there; so only identifiers from TABLES go into the text, values bound.


def _text(table: str, col, positions: dict[str, int]) -> str:
    """The cell as read_table_file would hold it."""
    if col.name not in positions:
        return "''"
    c = f"coalesce(c{positions[col.name]}, '')"
    if col.kind != "text" or ALLOWED.get((table, col.name)) or (table, col.name) in _FAST_REFERENCES:
        return c  # a 全角 digit fails the column's pattern or key: the pandas path translates it
    if col.prose:
        return c  # free text keeps its punctuation (read_table_file)
    # translate() is slow: only where a 全角 character is (as read_table_file does)
    return f"case when regexp_matches({c}, $fullwidth_any) then translate({c}, $fullwidth_from, $fullwidth_to) else {c} end"


def _not_plain(table: str) -> list[str]:
    """Conditions on a row's text cells that make a cell not plainly valid (the typed columns'
    patterns admit no spaces; free text is checked for them)."""
    out = []
    for col in TABLES[table]:
        c = col.name
        if col.kind == "text" and not ALLOWED.get((table, c)) and (table, c) not in _FAST_REFERENCES:
            out.append(f"regexp_matches({c}, $edge_space)")
        if col.required:
            out.append(f"{c} = ''")
        if col.kind == "int":
            out.append(f"({c} <> '' and not regexp_full_match({c}, '[0-9]{{1,9}}'))")
        elif col.kind == "bool":
            out.append(f"({c} <> '' and not list_contains($true_words || $false_words, lower({c})))")
        elif col.kind == "date":
            out.append(f"({c} <> '' and (not regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
                       f" or try_cast({c} as date) is null or year(try_cast({c} as date)) not between 1900 and 2200))")
        elif col.kind == "period":
            out.append(f"({c} <> '' and not regexp_full_match({c}, '[0-9]{{4}}Q[1-4]|[0-9]{{4}}-(0[1-9]|1[0-2])'))")
        elif col.kind != "text":
            out.append(f"{c} <> ''")  # floats: none in these tables; leave them to pandas
        if ALLOWED.get((table, c)):
            out.append(f"({c} <> '' and not list_contains($allowed_{table}_{c}, {c}))")
    return out


def _typed(col) -> str:
    c = col.name
    if col.kind == "int":
        return f"try_cast(nullif({c}, '') as integer)"
    if col.kind == "bool":
        return (f"case when list_contains($true_words, lower({c})) then true "
                f"when list_contains($false_words, lower({c})) then false end")
    if col.kind == "date":
        return f"try_cast(nullif({c}, '') as date)"
    return f"nullif({c}, '')"


def _run(con, sql: str):
    return con.execute(sql, {k: v for k, v in _PARAMS.items() if f"${k}" in sql})


def fast_load(con, path: Path, table: str, today) -> int | None:
    """Read, type and check one large CSV in DuckDB into temp table fast_<table>. The rows
    it holds, or None: the file is not plainly clean, so let the pandas path judge it. A key
    twice is not looked for here (any_key_twice, and the key the build adds once the rows
    are in).
    Expects temp tables known_regions / known_institutions (rules.set_known)."""
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
    try:
        con.execute(db.query_text("fast_read_csv"),
                    {"path": str(path), "columns": {f"c{i}": "VARCHAR" for i in range(len(header))}})
    except duckdb.Error:
        return None  # not UTF-8, a ragged row …: the pandas path names it
    # One pass over the cells: each checked and typed, and the row marked when a cell is not
    # plain (try_cast: such a cell must not stop the pass). From the table, not straight from
    # read_csv: a projection this heavy on the CSV reader loses the file's row order.
    text = ", ".join(f"{_text(table, col, positions)} as {col.name}" for col in TABLES[table])
    typed = ", ".join(f"{_typed(c)} as {c.name}" for c in TABLES[table])
    not_plain = " or ".join(_not_plain(table))
    filled = " or ".join(f"{col.name} <> ''" for col in TABLES[table])  # cheaper than concat(*columns(*))
    # a row with every column of the table empty is skipped, as read_table_file skips it
    _run(con, f"create or replace temp table fast_{table} as "
              f"select {typed}, coalesce({not_plain}, false) as fast_not_plain "
              f"from (select * from (select {text} from fast_raw) where {filled})")
    con.execute("drop table fast_raw")
    rows, not_plain_rows = con.execute(f"select count(*), count(*) filter (where fast_not_plain) "
                                       f"from fast_{table}").fetchone()
    if rows == 0 or not_plain_rows:
        return None
    con.execute(f"alter table fast_{table} drop column fast_not_plain")
    source = f"fast_{table}"
    if table == "reports":  # write.prepare_rows: the quarter and the period's last day
        con.execute(db.query_text("fast_reports_periods"))
        source = "fast_reports join fast_periods using (period)"
    # row_index 0 throughout: a flagged row sends the build down the pandas path, which numbers
    # and names the rows itself; row_number() over the whole file would be a pass on one core
    con.execute(f"create or replace temp view checked_rows as select *, 0 as row_index from {source}")
    try:
        if len(flagged_rows(con, table, today)):
            return None
    finally:
        con.execute("drop view checked_rows")
    return rows


def any_key_twice(con, tables) -> bool:
    """Whether a key occurs twice in one of the fast_<table> temp tables. fast_load leaves
    that to the table's key (a pass over the file less); a build refused for
    another file's problems asks here, since only the pandas path names both rows."""
    for table in tables:
        key = ", ".join(KEYS[table])
        if con.execute(f"select count(*) from (select {key} from fast_{table} group by all having count(*) > 1)").fetchone()[0]:
            return True
    return False


def insert(con, table: str) -> int:
    """fast_<table> into the table (queries/fast_insert_<table>.sql); the rows inserted."""
    con.execute(db.query_text(f"fast_insert_{table}"))
    n = con.execute(f"select count(*) from fast_{table}").fetchone()[0]
    con.execute(f"drop table fast_{table}")
    if table == "reports":
        con.execute("drop table fast_periods")
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
    today = periods.today()
    set_known(con, "regions", {v for tf in files if tf.table == "regions" for v in tf.raw["code"] if v})
    added = {}
    for table in FAST_TABLES:
        if table not in fast:
            continue
        if table == "reports":
            if "institutions" in fast:
                con.execute("create or replace temp table known_institutions as "
                            "select institution_id as v from fast_institutions")
            else:
                set_known(con, "institutions",
                          {v for tf in files if tf.table == "institutions" for v in tf.raw["institution_id"] if v})
        if fast_load(con, fast[table], table, today) is None:
            return None
    if "institutions" in fast:
        added["institutions"] = {r[0] for r in con.execute("select institution_id from fast_institutions").fetchall()}
    return added

