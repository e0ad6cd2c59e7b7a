"""The dashboard's cached data: one connection for the server and the loaders the pages
read. Each loader takes the database path first, so that two databases never share cache
entries, and the selection as plain arguments (never widget state)."""

from datetime import date

import pandas as pd
import streamlit as st

from .. import citations, comparison, db, indicators, ledger, overview, review
from ..loading import database
from ..snapshot import snapshot as _snapshot

CACHE = dict(max_entries=256, show_spinner=False)


@st.cache_resource
def _connection(path: str):
    # One read-write connection for the whole server (DuckDB allows one mode per file
    # and process); sessions are threads, so each query runs on its own cursor (db.run).
    return database.open_database(path)


def database_path() -> str:
    return str(db.db_path())


def con():
    return _connection(database_path())


@st.cache_data(**CACHE)
def plans(path: str) -> pd.DataFrame:
    return db.run(con(), "plans")


@st.cache_data(**CACHE)
def plan_units(path: str, region_code: str) -> pd.DataFrame:
    return db.run(con(), "plan_units", region_code=region_code)


@st.cache_data(**CACHE)
def quarters(path: str) -> list[str]:
    return db.run(con(), "report_quarters")["quarter"].tolist()


@st.cache_data(**CACHE)
def snapshot(path: str, region: str, quarter: str, plan: str, counting: str) -> dict:
    """Everything about one region at one quarter (tuoyu.snapshot)."""
    return _snapshot(con(), region, quarter, plan, counting)


@st.cache_data(**CACHE)
def dataset_meta(path: str) -> dict:
    """The loaded dataset's meta rows (label 示例数据, default_plan …: db.dataset_meta)."""
    return db.dataset_meta(con())


def dataset_label(path: str) -> str | None:
    """What the data is called where it is shown (示例数据), from the cached meta rows."""
    return dataset_meta(path).get("label")


@st.cache_data(**CACHE)
def data_updated(path: str) -> dict:
    """When the data last changed (latest import or undo, else the build) and its latest
    quarter with reports; cleared with every cached figure after a write."""
    return db.run(con(), "data_updated").iloc[0].to_dict()


@st.cache_data(**CACHE)
def documents(path: str) -> dict[str, str]:
    """How each plan document is cited (tuoyu.citations.documents)."""
    return citations.documents(con())


def cite(source) -> str:
    """A source as 文号 + clause (tuoyu.citations.cite)."""
    return citations.cite(source, documents(database_path()))


@st.cache_data(**CACHE)
def review_view(path: str, plan: str, region: str, quarter: str, counting: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """评审指标's criteria table and count-type checklist (review.build), per selection."""
    return review.build(con(), plan, region, quarter, counting)


@st.cache_data(**CACHE)
def overview_view(path: str, plan: str, region: str, quarter: str, counting: str) -> overview.View:
    """Everything 总览 shows for one selection (tuoyu.overview)."""
    return overview.build(con(), plan, region, quarter, counting)


@st.cache_data(**CACHE)
def comparison_view(path: str, plan: str, region: str, quarter: str, counting: str,
                    focus: str | None = None) -> comparison.View:
    """Everything 县区对比 shows for the units of `region`, `focus` highlighted (tuoyu.comparison)."""
    return comparison.build(con(), plan, region, quarter, counting, focus)


@st.cache_data(**CACHE)
def comparison_scopes(path: str, region: str, plan_region: str) -> list[comparison.Scope]:
    """The comparisons for a selected region, the default first (tuoyu.comparison.scopes)."""
    return comparison.scopes(con(), region, plan_region)


def peers_key(sel) -> tuple | None:
    """The arguments of comparison_view (and of tuoyu.ui.figures' comparison charts) for the
    selection's default comparison (a tuoyu.ui.selection.Selection: its units, or it among
    its peers), or None when it has none."""
    found = comparison_scopes(sel.path, sel.region, sel.plan_region)
    if not found:
        return None
    return (sel.path, sel.plan, found[0].region, sel.quarter, sel.counting, found[0].focus)


def what_if(view: comparison.View, extra: dict) -> pd.DataFrame:
    """Not cached: it depends on what the user has just typed."""
    return comparison.what_if(con(), view, extra)



@st.cache_data(**CACHE)
def region_name(path: str, code: str) -> str | None:
    rows = indicators.lineage(con(), code)
    return None if rows.empty else rows["name"].iloc[0]



@st.cache_data(**CACHE)
def institution_details(path: str, region: str, quarter: str, counting: str) -> pd.DataFrame:
    """The institutions active in the region at the quarter, with their flags (机构明细);
    cached per selection because the page reruns on every filter change."""
    from .. import institutions
    return institutions.details(con(), region, quarter, counting)


@st.cache_data(**CACHE)
def ledger_tasks(path: str, plan: str, as_of: str) -> pd.DataFrame:
    """The plan's tasks as they stood at the end of `as_of` (ISO date: part of the key, so
    that a server left running turns tasks 滞后 the day after their deadline). Cleared by
    update_task."""
    return ledger.load_tasks(con(), plan, date.fromisoformat(as_of))


@st.cache_data(**CACHE)
def ledger_phases(path: str, plan: str) -> pd.DataFrame:
    return ledger.load_phases(con(), plan)


@st.cache_data(**CACHE)
def ledger_links(path: str, plan: str, region: str, quarter: str, counting: str) -> pd.DataFrame:
    """The indicators the plan's tasks move, with value and target status for the
    selection (targets.evaluate): cached per selection, it is the slow part of the page."""
    return ledger.linked_indicators(con(), plan, region, quarter, counting)


def ledger_view(path: str, plan: str, region: str, quarter: str, counting: str,
                as_of: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger as it stood at the end of `as_of` (ISO date), each task with its linked
    indicators in words for the selection; and the indicators themselves."""
    tasks = ledger_tasks(path, plan, as_of)
    links = ledger_links(path, plan, region, quarter, counting)
    return tasks.assign(indicator_text=ledger.indicator_text(tasks, links)), links
