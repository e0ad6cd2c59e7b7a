"""Indicator values for regions and quarters (DESIGN §3).

The formulas are the macros in queries/ddl/macros.sql; this module only fetches them in
one query per question and shapes the result. Pages, the briefing, the CLI and the tests
all come through here."""

import contextvars
import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal

import pandas as pd

from . import db, totals
from .catalogue import catalogue  # noqa: F401  (re-exported: indicators.catalogue() is how the domain reads it)

COUNTING_RULES = {"filed": False, "all": True}  # rule name → count_all
DEFAULT_COUNTING = "filed"

# The DESIGN §3 indicators, in the order the CLI prints them.
CORE = ("slots_per_1000", "enrolment_rate", "occupancy_mean", "occupancy_min", "filing_rate",
        "standard_rate", "staffing_rate", "staffing_coverage", "certified_rate", "puhui_slot_share", "satisfaction",
        "major_incidents_3y", "slots_needed")
SUPPORTING = ("slots", "enrolled", "resident_population", "under3_population")
REPORTED = ("health_management_rate", "parenting_knowledge_rate", "newborn_guidance_coverage")
COUNTS = ("n_demonstration", "n_demonstration_puhui", "n_public_kindergarten_tuoban",
          "n_puhui_kindergarten_tuoban", "n_workplace", "n_guidance_center", "n_public_private",
          "n_new_institutions", "new_slots")


def count_all(counting: str) -> bool:
    if counting not in COUNTING_RULES:
        raise ValueError(f"计入口径应为 {' / '.join(COUNTING_RULES)}")
    return COUNTING_RULES[counting]


def values(con, region_codes, quarters, counting: str = DEFAULT_COUNTING,
           new_slots: bool = True, columns=None) -> pd.DataFrame:
    """Every indicator per (region, quarter), the directly reported figures and new_slots
    against the previous year's Q4 (None with new_slots=False, which outside the stored
    span saves computing a second quarter): one query, on the stored rows of tuoyu/totals.py
    where they hold every quarter asked for. Within prefetch() the rows are cut from the
    prefetched ones. With `columns`, only those of them that exist (and region_code,
    quarter): thousands of units' rows of all 57 cost more to read and convert than to judge."""
    region_codes, quarters = sorted(set(region_codes)), sorted(set(quarters))
    columns = _columns(columns)
    all_active = count_all(counting)
    cut = _cut(con, all_active, region_codes, quarters, columns)
    if cut is None:
        frame = _values(con, region_codes, quarters, all_active, new_slots, columns)
    else:
        names, found = cut
        frame = pd.DataFrame([[found[key].get(n) for n in names] for key in sorted(found)], columns=names, dtype=object)
    if not new_slots:
        frame["new_slots"] = None   # the frame is this call's own: no copy of thousands of wide rows
    return frame


def rows(con, region_codes, quarters, counting: str = DEFAULT_COUNTING,
         new_slots: bool = True, columns=None) -> dict[tuple[str, str], dict]:
    """values() as {(region_code, quarter): row}, for look-ups by key (a page's snapshot,
    trend and verdicts) without a frame in between. A row may hold more columns than asked
    for; within prefetch() the rows are the prefetched ones, shared: read them, never change them."""
    region_codes, quarters = sorted(set(region_codes)), sorted(set(quarters))
    columns = _columns(columns)
    all_active = count_all(counting)
    cut = _cut(con, all_active, region_codes, quarters, columns)
    found = (cut or _rows(con, region_codes, quarters, all_active, new_slots, columns))[1]
    if new_slots:
        return found
    return {key: row | {"new_slots": None} if "new_slots" in row else row for key, row in found.items()}


def _columns(columns) -> list | None:
    return None if columns is None else ["region_code", "quarter"] + sorted(set(columns) - {"region_code", "quarter"})


def _cut(con, all_active: bool, region_codes: list, quarters: list,
         columns: list | None) -> tuple[list[str], dict] | None:
    """(column names, rows by key) cut from the blocks prefetched for this connection and
    counting rule, when they hold every (region, quarter) asked for with the columns asked
    for; None where they do not (or outside prefetch())."""
    held = _SESSION.get()
    pre = held and held.get("values")
    if not pre or pre["con"] is not con or pre["count_all"] != all_active:
        return None
    usable = [b for b in pre["blocks"] if b["columns"] is None or (columns is not None and set(columns) <= set(b["columns"]))]
    if not usable:
        return None
    found = {}
    for key in [(c, q) for c in region_codes for q in quarters]:   # thousands at national scale: plain loops
        for block in usable:
            if key in block["pairs"]:
                if key in block["rows"]:   # a pair the query returned no row for has none here either
                    found[key] = block["rows"][key]
                break
        else:
            return None
    names = usable[0]["names"]
    return (names if columns is None else [n for n in names if n in columns]), found


def _rows(con, region_codes: list, quarters: list, all_active: bool, new_slots: bool,
          columns: list | None = None) -> tuple[list[str], dict]:
    """_values() as (column names, rows by key)."""
    if totals.covers(stored_span(con), quarters):
        names, found = db.run_rows(con, "indicator_values", region_codes=region_codes, quarters=quarters,
                                   count_all=all_active, columns=columns)
    else:
        frame = _values(con, region_codes, quarters, all_active, new_slots, columns)
        names, found = list(frame.columns), records(frame)
    return names, {(r["region_code"], r["quarter"]): r for r in found}


def _values(con, region_codes: list, quarters: list, all_active: bool, new_slots: bool,
            columns: list | None = None) -> pd.DataFrame:
    """The rows as stored or computed now, new_slots included (values() blanks it if not asked)."""
    params = {"region_codes": region_codes, "quarters": quarters, "count_all": all_active}
    if totals.covers(stored_span(con), quarters):
        return db.run_objects(con, "indicator_values", **params, columns=columns)  # None for missing already
    # quarters the stored totals do not hold: the same rows computed now, on one cursor,
    # with each previous year's Q4 that new_slots compares with
    prior_q4 = sorted({f"{int(q[:4]) - 1}Q4" for q in quarters} - set(quarters)) if new_slots else []
    params["quarters"] = quarters + prior_q4
    frame = db.run_steps(con, [("unit_totals_live", {"region_codes": region_codes, "quarters": params["quarters"]}),
                               ("indicator_values_live", params)])
    frame = frame[frame["quarter"].isin(quarters)].reset_index(drop=True)
    return nulls_as_none(frame if columns is None else frame[[c for c in columns if c in frame.columns]])


def report_counts(con, region_codes, quarter: str) -> dict[str, tuple[int, int]]:
    """Per region, (active institutions, institutions that reported) at the quarter under
    the 'all' counting rule: values()'s n_active and n_reported, read narrowly from the
    stored rows where they hold the quarter. A region without a row is left out."""
    region_codes = sorted(set(region_codes))
    if totals.covers(stored_span(con), [quarter]):
        frame = db.run(con, "report_counts", region_codes=region_codes, quarter=quarter)
    else:
        frame = values(con, region_codes, [quarter], "all", new_slots=False)
    return {code: (int(active or 0), int(reported or 0)) for code, active, reported
            in zip(frame["region_code"].tolist(), frame["n_active"].tolist(), frame["n_reported"].tolist())}


# ------------------------------------------------------------------ one page, one read
# A page asks for the same figures several ways (the snapshot, the trend, each target's
# status, each county's); every row of indicator_values depends only on its own region and
# quarter, so within session()/prefetch() the same look-ups run once and values() for any
# subset of the prefetched regions and quarters is cut from one query. Nothing outlives
# the block, so an import is never hidden from the next page run.

_SESSION: contextvars.ContextVar = contextvars.ContextVar("indicator_session", default=None)


@contextmanager
def session(con):
    """Within the block, run_once() runs each (query, parameters) once and remembered()
    computes each (kind, key) once."""
    if _SESSION.get() is not None:
        yield
        return
    token = _SESSION.set({"con": con, "remembered": {}})
    try:
        yield
    finally:
        _SESSION.reset(token)


# DuckDB lets go of Python's lock while a query runs, so a page's independent reads (the
# blocks of prefetch(), a notice it words at the end) can run on the second core while it
# judges and words on the first. Small and shared by every session: the tasks are single
# reads that never wait on one another, and two cores run no more than that at once.
_READS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tuoyu-read")


def in_background(fn, *args, **kwargs) -> Future:
    """fn(*args, **kwargs) on a reader thread, inside this page's session() (what it reads
    is remembered for the page as if read here); .result() gives its value or raises its error.
    For a read that takes a query's time and waits on nothing else."""
    return _READS.submit(contextvars.copy_context().run, fn, *args, **kwargs)


@contextmanager
def prefetch(con, blocks, counting: str = DEFAULT_COUNTING):
    """session(), and values() and rows() under `counting` for any regions and quarters within the
    blocks — (region codes, quarters) pairs, e.g. a region's whole trend, or (region codes,
    quarters, columns) for only those columns, e.g. its counties' figures a verdict reads at
    the quarters it judges — cut from one query per block made here."""
    with session(con):
        held = _SESSION.get()
        outer = held.get("values")
        all_active = count_all(counting)
        stored_span(con)   # read once here, not by each block at once
        reads = []
        for codes, wanted, *columns in blocks:
            codes, wanted, columns = sorted(set(codes)), sorted(set(wanted)), _columns(columns[0] if columns else None)
            if codes and wanted:   # the blocks are read side by side
                reads.append((codes, wanted, columns, in_background(_rows, con, codes, wanted, all_active, True, columns)))
        kept = []
        for codes, wanted, columns, read in reads:
            names, found = read.result()
            kept.append({"pairs": {(c, q) for c in codes for q in wanted}, "columns": columns,
                         "names": names, "rows": found})
        held["values"] = {"con": con, "count_all": all_active, "blocks": kept}
        try:
            yield
        finally:
            held["values"] = outer


def stored_span(con) -> tuple[str, str] | None:
    """The quarters the stored totals hold (totals.coverage), from meta()."""
    found = meta(con)
    return totals.span_of((found.get("unit_totals_from"), found.get("unit_totals_to")))


def meta(con) -> dict[str, str]:
    """The database's meta rows (db.dataset_meta: the label, the stored totals' span, the
    build id), read once per session(): a page asked three times, a query each."""
    return remembered(con, "meta", None, lambda: db.dataset_meta(con))


def run_once(con, name: str, **params) -> pd.DataFrame:
    """db.run, memoised within session(), or for the database's build for a query of
    BUILD_QUERIES (a copy each time, so a caller may change it)."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, (list, set, tuple)) else v) for k, v in params.items()))
    keep = per_build if name in BUILD_QUERIES else remembered
    return keep(con, ("run", name), key, lambda: db.run(con, name, **params)).copy()


def remembered(con, kind: str, key, compute):
    """compute(), once per (kind, key) within session() (every call outside one): a query's
    rows (run_once) and results worked out in Python from them — which units a plan's
    targets bind, a target's verdict for a unit — that a page asks for several times."""
    held = _SESSION.get()
    if held is None or held["con"] is not con:
        return compute()
    store = held["remembered"]
    if (kind, key) not in store:
        store[(kind, key)] = compute()
    return store[(kind, key)]


# ------------------------------------------------------------------ one build, one reading
# The plans, their targets and the region tree are written only when the database is built
# (`init`: uploads carry reports, institutions, population, indicators, surveys and
# incidents, tuoyu/uploads/read.py IMPORTABLE). What is read or worked out from them alone —
# which units a plan's targets bind, a region's lineage, province and name — is kept for the
# build (meta build_id, new at every build) and shared by every page run after the first:
# at national scale it was half of 总览's time, every run.

BUILD_QUERIES = frozenset({"plan_targets", "plans", "bound_units", "region_lineage", "provinces_of", "region_names",
                           "national_targets", "counties_of"})
_BUILDS: dict = {}      # build id → {(kind, key): value}, for the last few builds opened
_BUILDS_KEPT = 4
_BUILDS_LOCK = threading.Lock()


def per_build(con, kind: str, key, compute):
    """remembered(), kept for as long as the database's build (computed once per session()
    where the database has no build id, e.g. one built before the id existed)."""
    build = _build_id(con)
    if build is None:
        return remembered(con, kind, key, compute)
    with _BUILDS_LOCK:
        if build not in _BUILDS:
            while len(_BUILDS) >= _BUILDS_KEPT:
                _BUILDS.pop(next(iter(_BUILDS)))
            _BUILDS[build] = {}
        store = _BUILDS[build]
    if (kind, key) not in store:
        store[(kind, key)] = compute()   # two threads may both compute it: the same value
    return store[(kind, key)]


def forget_builds() -> None:
    """Drop what per_build() kept (the benchmark's cold runs start from nothing)."""
    with _BUILDS_LOCK:
        _BUILDS.clear()


def _build_id(con) -> str | None:
    return meta(con).get("build_id")


def nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with None for missing values, so that a figure is a number or None
    (无数据) wherever it goes: JSON, templates, comparisons."""
    return frame.astype(object).where(frame.notna(), None)


def provinces(con, region_codes) -> dict[str, str]:
    """The province of each listed region (itself for a province; none above province
    level)."""
    return _per_code(con, "provinces_of", "region_code", "province_code", region_codes)


def names(con, region_codes) -> dict[str, str]:
    """The name of each listed region (a code not in the regions table is left out)."""
    return _per_code(con, "region_names", "code", "name", region_codes)


def _per_code(con, query: str, key: str, value: str, region_codes) -> dict:
    """One value per region from a query over a list of codes (a query of BUILD_QUERIES);
    each code is looked up once per database build (per_build), however many different
    lists the pages ask about."""
    known = per_build(con, query, None, dict)   # code → value, None where there is none
    unknown = sorted(set(region_codes) - set(known))
    if unknown:
        found = db.run(con, query, region_codes=unknown)
        # one update: another page run may be reading the same dict meanwhile
        known.update(dict.fromkeys(unknown) | dict(zip(found[key], found[value])))
    return {code: known[code] for code in region_codes if known[code] is not None}


def lineage(con, region_code: str) -> pd.DataFrame:
    """The region and its ancestors, nearest first (empty for an unknown code)."""
    return run_once(con, "region_lineage", region_code=region_code)


def province_of(con, region_code: str) -> str | None:
    return province_in(lineage(con, region_code))


def province_in(lineage_rows: pd.DataFrame) -> str | None:
    """The province among a region's lineage rows (lineage()), without another query."""
    # plain lists: a boolean mask on a frame of three rows cost a page a millisecond
    levels = lineage_rows["level"].tolist()
    return lineage_rows["code"].tolist()[levels.index("province")] if "province" in levels else None


def children(con, region_code: str) -> pd.DataFrame:
    return db.run(con, "child_regions", region_code=region_code)


def slots_needed(target: float | None, resident_population: int | None, slots: int | None) -> int | None:
    """max(0, ⌈target × population ÷ 1000⌉ − slots), in decimal arithmetic so that e.g.
    1.2 × 400,000 ÷ 1000 is exactly 480, not 480.00000000000006 rounded up to 481."""
    if target is None or resident_population is None or slots is None:
        return None
    required = math.ceil(Decimal(str(target)) * Decimal(int(resident_population)) / 1000)
    return max(0, required - int(slots))


def row_dict(frame: pd.DataFrame, region_code: str, quarter: str) -> dict | None:
    match = frame[(frame["region_code"] == region_code) & (frame["quarter"] == quarter)]
    return None if match.empty else match.iloc[0].to_dict()


def records(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records"), which boxes cell by cell: slow for thousands of rows.
    Missing values come back as they are stored (None in nulls_as_none() frames)."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in frame.to_numpy(dtype=object).tolist()]
