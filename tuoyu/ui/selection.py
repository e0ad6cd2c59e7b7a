"""What the pages show: plan, region, period and counting rule chosen in the sidebar and
mirrored in the URL, and the header that names them on each page."""

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import fmt, periods
from ..markup import literal
from .loaders import data_updated, database_path, dataset_label, dataset_meta, plan_units, plans, quarters

COUNTING_LABELS = {"filed": "已备案的在营机构（默认）", "all": "全部在营机构"}


@dataclass(frozen=True)
class Selection:
    plan: str
    plan_title: str
    plan_region: str
    region: str
    region_name: str
    region_level: str
    quarter: str
    counting: str

    @property
    def path(self) -> str:
        return database_path()


@st.cache_data(max_entries=16, show_spinner=False)
def _plan_choices(path: str) -> dict[str, tuple[str, str]]:
    """The plans offered (those whose region is in the database): code → (title, region
    code). Plain values, because every run reads them: unpickling and indexing the loaders'
    DataFrames cost the sidebar ~4 ms a run."""
    rows = plans(path)
    rows = rows[rows["region_name"].notna()]
    return {r.plan_code: (r.title, r.region_code) for r in rows.itertuples()}


@st.cache_data(max_entries=256, show_spinner=False)
def _unit_choices(path: str, region_code: str) -> dict[str, tuple[str, str, str]]:
    """A plan's region and every unit below it: code → (label indented by depth, name, level)."""
    return {r.code: ("\u3000" * int(r.depth) + f"{r.name}（{r.code}）", r.name, r.level)
            for r in plan_units(path, region_code).itertuples()}


def sidebar() -> Selection | None:
    """Plan, region and period in the sidebar, mirrored in the URL so a copied link opens
    the same view. An invalid value in the URL gives a Chinese notice and the default."""
    path = database_path()
    notices = []
    all_plans = _plan_choices(path)
    all_quarters = quarters(path)
    if not all_plans or not all_quarters:
        st.sidebar.error("数据库中没有方案或报表数据，请联系管理员导入数据。")
        return None
    params = st.query_params

    def from_url(key: str, allowed: list, label: str):
        wanted = params.get(key)
        if wanted is not None and wanted not in allowed:
            notices.append(f"链接中的{label}“{literal(wanted)}”无效，已改为默认值。")
            return None
        return wanted

    plan_codes = list(all_plans)
    if "sel_plan" not in st.session_state:
        default = dataset_meta(path).get("default_plan")
        st.session_state.sel_plan = from_url("plan", plan_codes, "方案") or (
            default if default in plan_codes else plan_codes[0])
    plan = st.sidebar.selectbox("方案", plan_codes, key="sel_plan", format_func=lambda c: all_plans[c][0])
    plan_title, plan_region = all_plans[plan]

    units = _unit_choices(path, plan_region)
    unit_codes = list(units)
    if "sel_region" not in st.session_state:
        st.session_state.sel_region = from_url("region", unit_codes, "区划代码") or plan_region
    if st.session_state.sel_region not in unit_codes:
        st.session_state.sel_region = plan_region
    region = st.sidebar.selectbox("地区", unit_codes, key="sel_region", format_func=lambda c: units[c][0])

    if "sel_period" not in st.session_state:
        st.session_state.sel_period = from_url("period", all_quarters, "报告期") or all_quarters[0]
    quarter = st.sidebar.selectbox("报告期", all_quarters, key="sel_period", format_func=periods.label)

    if "sel_counting" not in st.session_state:
        st.session_state.sel_counting = from_url("counting", list(COUNTING_LABELS), "计入口径") or "filed"
    counting = st.sidebar.radio("计入口径", list(COUNTING_LABELS), key="sel_counting",
                                format_func=COUNTING_LABELS.get,
                                help="默认只计已在卫生健康部门备案的在营机构；备案率不受影响。")

    wanted = {"plan": plan, "region": region, "period": quarter}
    if counting != "filed":
        wanted["counting"] = counting
    for key in set(params) - set(wanted):
        del params[key]
    for key, value in wanted.items():
        if params.get(key) != value:
            params[key] = value
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")
    _, name, level = units[region]
    label = dataset_label(path)
    if label:
        st.sidebar.caption(f"当前数据：**{literal(label)}**")
    return Selection(plan, plan_title, plan_region, region, name, level, quarter, counting)


def current() -> Selection:
    """The sidebar's selection, set by dashboard.py before it runs the page.

    A `pages/` folder beside the entry makes a fresh server take Streamlit's legacy path
    (auto-discovered pages) until st.navigation is first called. If the very first request
    is a deep link to a page (/review?...), that path runs the page alone, without
    dashboard.py: switch the process to st.navigation and rerun through the entry."""
    if "selection" not in st.session_state:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["selection"]


def page_header(title: str, sel: Selection) -> None:
    """Title, what is shown (region, period, plan, 示例数据), and how fresh the data is."""
    st.title(title)
    label = dataset_label(sel.path)
    tag = f" · :orange-badge[{literal(label)}]" if label else ""
    st.caption(f"{literal(sel.region_name)} · {periods.label(sel.quarter)} · {literal(sel.plan_title)}{tag}")
    st.caption(freshness_line(data_updated(sel.path)))


def freshness_line(updated: dict) -> str:
    """'数据更新于2026年11月23日 10:05 · 最新报告期2026年第3季度'."""
    parts = []
    if pd.notna(updated.get("updated_at")):
        parts.append(f"数据更新于{fmt.date_time(updated['updated_at'])}")
    if isinstance(updated.get("latest_quarter"), str):
        parts.append(f"最新报告期{periods.label(updated['latest_quarter'])}")
    return " · ".join(parts)
