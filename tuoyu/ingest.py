"""Reading and checking files in the interchange format (DESIGN §2), and building a
database from a folder of them.

Everything is checked before anything is written: a folder (or file) with any problem is
refused whole, with every problem named in Chinese by file, row and column. Row numbers
are the ones a person sees in Excel: the header is row 1, the first data row is row 2.
"""

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import periods
from .errors import ImportRefused, Problem
from .tables import ALLOWED, KEYS, LOAD_ORDER, TABLES, table_for_name

NO_DATA_ROWS = "文件没有数据行"
MAX_ENROLMENT_OVER_SLOTS = 1.5  # DESIGN §2: 在托人数超过托位数的 150% is an error
EARLIEST_PERIOD_YEAR = 2019

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－／：　＋", "0123456789.,-/: +")
_TRUE = {"是", "y", "yes", "true", "t", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "f", "0", "×", "✗"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
_INT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?$")


@dataclass
class TableFile:
    """One file's rows for one table: raw text cells and, after checking, typed columns."""
    table: str
    file: str
    raw: pd.DataFrame          # text, columns renamed to the English names
    rows: pd.Series            # spreadsheet row number of each row
    typed: pd.DataFrame | None = None


# ---------------------------------------------------------------- reading files

def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel on Chinese
    Windows writes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(data: bytes) -> pd.DataFrame:
    text = decode_csv_bytes(data)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime from Excel
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, table_hint: str | None, sheet_name: str | None = None) -> pd.DataFrame:
    """The named sheet, else the one named for the table, else the first."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheet = book.worksheets[0]
    for ws in book.worksheets:
        if ws.title == sheet_name or (not sheet_name and table_hint and table_for_name(ws.title) == table_hint):
            sheet = ws
            break
    values = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    while values and not any(v.strip() for v in values[-1]):
        values.pop()
    if not values:
        return pd.DataFrame()
    header = [h.strip() for h in values[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in values[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    return frame.loc[:, [h != "" for h in header]]


def read_table_file(name: str, data: bytes, table: str | None = None,
                    sheet: str | None = None) -> tuple[TableFile | None, list[Problem]]:
    """Parse one uploaded or on-disk file (of an XLSX, `sheet`, else the sheet named for
    the table, else the first) into raw text rows with English column names."""
    stem, _, ext = name.rpartition(".")
    ext = ext.lower()
    table = table or table_for_name(Path(stem).name)
    if table is None:
        return None, [Problem(name, None, None,
                              "无法识别文件对应的数据表，文件名应为表名，如 reports.csv 或 机构报表.xlsx")]
    if not data.strip():
        return None, [Problem(name, None, None, "文件为空")]
    try:
        if ext == "csv":
            frame = _read_csv(data)
        elif ext in ("xlsx", "xlsm"):
            frame = _read_xlsx(data, table, sheet)
        else:
            return None, [Problem(name, None, None, "只接受 CSV 或 XLSX 文件")]
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as exc:
        return None, [Problem(name, None, None, f"文件无法读取（{type(exc).__name__}），请检查格式")]
    if frame.empty and len(frame.columns) == 0:
        return None, [Problem(name, None, None, "文件为空")]

    by_header = {}
    for col in TABLES[table]:
        by_header[col.name.lower()] = col.name
        by_header[col.zh] = col.name
    rename, problems = {}, []
    for header in frame.columns:
        key = str(header).strip().translate(_FULLWIDTH)
        target = by_header.get(key.lower()) or by_header.get(key)
        if target is None:
            continue  # an extra column (a remark, a running number) is ignored
        if target in rename.values():
            problems.append(Problem(name, 1, str(header), "列重复"))
        rename[header] = target
    frame = frame[list(rename)].rename(columns=rename)
    for col in TABLES[table]:
        if col.name not in frame.columns:
            if col.required:
                problems.append(Problem(name, 1, col.zh, f"缺少必填列（{col.name}）"))
            frame[col.name] = ""
    if problems:
        return None, problems
    frame = frame[[c.name for c in TABLES[table]]]
    # 全角 digits and separators become ASCII where a value is read (codes, numbers, dates);
    # free text (names, notes) keeps its Chinese punctuation
    prose = {c.name for c in TABLES[table] if c.prose}
    frame = frame.apply(lambda s: s.astype(str).str.strip() if s.name in prose
                        else s.astype(str).str.translate(_FULLWIDTH).str.strip())
    keep = frame.ne("").any(axis=1)
    rows = pd.Series(range(2, len(frame) + 2), index=frame.index)[keep]
    frame = frame[keep]
    if frame.empty:
        return None, [Problem(name, None, None, NO_DATA_ROWS)]
    return TableFile(table, name, frame.reset_index(drop=True), rows.reset_index(drop=True)), []


def read_folder(folder: Path, defer=None) -> tuple[list[TableFile], dict[str, str], list[Problem]]:
    """Every table file in a folder, plus dataset.csv (key,value) as metadata. A file for
    which defer(path) is true is not read; defer collects it (the build's fast path)."""
    files, problems, meta = [], [], {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm") or path.name.startswith("~$"):
            continue
        if path.stem == "dataset":
            meta = dict(_read_csv(path.read_bytes()).itertuples(index=False, name=None))
            continue
        if defer and defer(path):
            continue
        tf, found = read_table_file(path.name, path.read_bytes())
        problems += found
        if tf is not None:
            files.append(tf)
    return files, meta, problems


# ---------------------------------------------------------------- typing cells

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


# ---------------------------------------------------------------- checks across rows and tables

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


def combine(files: list[TableFile]) -> dict[str, pd.DataFrame]:
    """One typed frame per table; a later file's row replaces an earlier one with its key."""
    out = {}
    for table in LOAD_ORDER:
        parts = [tf.typed for tf in files if tf.table == table]
        if parts:
            frame = pd.concat(parts, ignore_index=True)
            out[table] = frame.drop_duplicates(subset=list(KEYS[table]), keep="last")
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


# ---------------------------------------------------------------- building a database

def prepare_rows(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns the schema keeps (quarter, period end) and defaults."""
    frame = frame.copy()
    if table in ("reports", "region_indicators"):
        frame["quarter"] = frame["period"].map(periods.quarter_of)
        frame["period_end"] = frame["period"].map(periods.period_end)
    if table == "institutions":
        for flag in ("is_puhui", "is_demonstration", "is_guidance_center"):
            frame[flag] = frame[flag].fillna(False)
    if table == "targets":
        frame["benchmark"] = frame["benchmark"].fillna("value")
    return frame


# Reports are stored by quarter, so that one quarter's reports (机构明细, the stored totals
# of tuoyu/totals.py) are a few row groups; sorting further by institution cost a second
# of the national build for a few milliseconds on 机构明细.
INSERT_ORDER = {"reports": "quarter"}


def insert_frame(con, table: str, frame: pd.DataFrame) -> int:
    columns = ", ".join(frame.columns)  # names come from TABLES, never from input
    order = f" order by {INSERT_ORDER[table]}" if table in INSERT_ORDER else ""
    con.register("incoming", frame)
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from incoming{order}")
    finally:
        con.unregister("incoming")
    return len(frame)


# ---------------------------------------------------------------- the build's fast path
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
_FW_FROM, _FW_TO = "０１２３４５６７８９．，－／：　＋", "0123456789.,-/: +"  # as _FULLWIDTH
_EDGE_SPACE = ("[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}"
               "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]")  # what str.strip() removes


def _sql_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _fast_header(table: str, header: list[str]) -> dict[str, int] | None:
    """Column positions by English name, as read_table_file maps headers; None for a
    header it would complain about (or mangle), left to the pandas path."""
    by_header = {}
    for col in TABLES[table]:
        by_header[col.name.lower()] = col.name
        by_header[col.zh] = col.name
    positions = {}
    if len(set(header)) != len(header):
        return None
    for i, raw in enumerate(header):
        key = raw.strip().translate(_FULLWIDTH)
        target = by_header.get(key.lower()) or by_header.get(key)
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


def _fast_insert(con, table: str) -> int:
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


def _read_folders(folders: list[Path], defer=None):
    files, meta, problems = [], {}, []
    for folder in folders:
        if not folder.is_dir():
            raise ImportRefused([Problem(str(folder), None, None, "数据目录不存在")])
        found, folder_meta, folder_problems = read_folder(folder, defer)
        files += found
        meta.update(folder_meta)
        problems += folder_problems
    return files, meta, problems


def _defer_large(deferred: dict[str, list[Path]]):
    def defer(path: Path) -> bool:
        table = table_for_name(path.stem)
        if path.suffix.lower() == ".csv" and table in FAST_TABLES and path.stat().st_size >= FAST_MIN_BYTES:
            deferred.setdefault(table, []).append(path)
            return True
        return False
    return defer


def _fast_load_all(con, fast: dict[str, Path], files: list[TableFile]) -> dict[str, set] | None:
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


def build_database(db_path: Path, folders: list[Path], progress=None) -> dict[str, int]:
    """(Re)build the database at db_path from the folders, later folders overriding
    earlier ones. The new database is written beside the old one and swapped in only when
    complete, so a refused folder or a crash leaves an existing database as it was. An
    existing database is replaced only while no other process holds it, and its accounts
    and audit log are carried into the new one (tuoyu.rebuild).
    A large CSV of institutions or reports is checked in DuckDB first (fast_load); if any
    file is not plainly clean, every file is read and checked the usual way instead."""
    from . import db, rebuild, tasks, totals

    deferred: dict[str, list[Path]] = {}
    files, meta, problems = _read_folders(folders, _defer_large(deferred))
    fast = {table: paths[0] for table, paths in deferred.items()}
    if deferred and (problems or any(len(paths) > 1 for paths in deferred.values())
                     or any(tf.table in fast for tf in files)):
        fast = {}
        files, meta, problems = _read_folders(folders)

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    rebuild.clean_leftovers(db_path)
    replacing = db_path.exists()
    if replacing:
        rebuild.ensure_free(db_path)
    building = db_path.with_name(db_path.name + f".building-{os.getpid()}")
    for leftover in (building, Path(str(building) + ".wal")):
        leftover.unlink(missing_ok=True)
    counts = {}
    con = None
    try:
        known = {}
        if fast:
            con = db.connect_raw(building)
            db.create_schema(con)
            known = _fast_load_all(con, fast, files)
            if known is None:  # let the pandas path find and word every problem
                fast, known = {}, {}
                files, meta, problems = _read_folders(folders)
        problems += check_files(files, known)
        if problems:
            raise ImportRefused(problems)
        frames = combine(files)
        if con is None:
            con = db.connect_raw(building)
            db.create_schema(con)
        con.execute("begin")
        for table in LOAD_ORDER:
            if table in frames or table in fast:
                if progress:
                    progress(table)
                counts[table] = (_fast_insert(con, table) if table in fast
                                 else insert_frame(con, table, prepare_rows(table, frames[table])))
        totals.refresh_derived(con)
        counts["task_history"] = tasks.apply_sample_updates(con, folders)
        # when the data was loaded: pages show it as 数据更新于 until an import changes it
        meta = meta | {"built_at": datetime.now().isoformat(sep=" ", timespec="seconds")}
        # what the build itself recorded, so that later changes can be told apart (rebuild.work_in)
        con.execute("insert or replace into meta values ('task_changes_at_build', ?)", [str(counts["task_history"])])
        for key, value in sorted(meta.items()):
            con.execute("insert into meta values (?, ?)", [key, value])
        con.execute("commit")
        if replacing:
            counts.update(rebuild.carry_over(con, db_path))
        con.execute("checkpoint")
        con.close()
        con = None
        if replacing:  # again: a dashboard may have started on the old file meanwhile
            rebuild.ensure_free(db_path)
    except BaseException:  # an interrupted build (Ctrl-C) removes its file too
        if con is not None:
            con.close()
        building.unlink(missing_ok=True)
        Path(str(building) + ".wal").unlink(missing_ok=True)
        raise
    os.replace(building, db_path)
    Path(str(db_path) + ".wal").unlink(missing_ok=True)
    return counts
