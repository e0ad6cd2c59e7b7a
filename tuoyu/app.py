"""Streamlit glue shared by dashboard.py and the pages: the cached connection, cached
loaders, the sidebar selection kept in the URL, and status styling. Pages import this and
lay out what it returns; they hold no SQL and no formulas."""

import os
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from . import auth, charts, citations, comparison, db, fmt, freshness, indicators, overview, periods, review, verdicts
from .loading import database
from .markup import literal
from .snapshot import snapshot as _snapshot

STATUS_COLOURS = verdicts.colours("background")  # cell backgrounds; the word is always written too
COUNTING_LABELS = {"filed": "已备案的在营机构（默认）", "all": "全部在营机构"}
CACHE = dict(max_entries=256, show_spinner=False)


@st.cache_resource
def _connection(path: str):
    # One read-write connection for the whole server (DuckDB allows one mode per file
    # and process); sessions are threads, so each query runs on its own cursor (db.run).
    return database.open_database(path)


def con():
    return _connection(str(db.db_path()))


def _path() -> str:
    return str(db.db_path())


def chart(fig, container=st) -> None:
    """A Plotly figure across its container, without Plotly's English tool bar (charts.CONFIG)."""
    container.plotly_chart(fig, width="stretch", config=charts.CONFIG)


# ------------------------------------------------------------------ cached loaders
# Each takes the database path first so that two databases never share cache entries,
# and the selection as plain arguments (never widget state).

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
def values(path: str, codes: tuple, quarter_list: tuple, counting: str) -> pd.DataFrame:
    return indicators.values(con(), list(codes), list(quarter_list), counting)


@st.cache_data(**CACHE)
def national_series(path: str) -> pd.DataFrame:
    return db.run(con(), "national_series")


@st.cache_data(**CACHE)
def dataset_meta(path: str) -> dict:
    """The loaded dataset's meta rows (label 示例数据, default_plan …)."""
    meta = db.run(con(), "dataset_meta")
    return dict(zip(meta["key"], meta["value"]))


def dataset_label(path: str) -> str | None:
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
    return citations.cite(source, documents(_path()))


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


def peers_view(sel: "Selection") -> comparison.View | None:
    """The default comparison for the selection (its units, or it among its peers), or None."""
    found = comparison_scopes(sel.path, sel.region, sel.plan_region)
    if not found:
        return None
    return comparison_view(sel.path, sel.plan, found[0].region, sel.quarter, sel.counting, found[0].focus)


def what_if(view: comparison.View, extra: dict) -> pd.DataFrame:
    """Not cached: it depends on what the user has just typed."""
    return comparison.what_if(con(), view, extra)


def style_below_average(table: pd.DataFrame, flags: pd.DataFrame, headers: dict):
    """Cells below the average shaded amber (the table's 低于平均 column says it in words);
    status cells coloured; no target is a blank cell, a missing figure 无数据."""
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    for code, header in headers.items():
        css[header] = ["background-color: #fff3cd" if f else "" for f in flags[code]]
    return style_status(table.style.apply(lambda _: css, axis=None), blank=comparison.NOT_SET_COLUMNS)


@st.cache_data(**CACHE)
def region_name(path: str, code: str) -> str | None:
    rows = indicators.lineage(con(), code)
    return None if rows.empty else rows["name"].iloc[0]


def definition(code: str) -> str:
    """口径说明 of an indicator (data/indicators.csv)."""
    return indicators.catalogue()[code]["definition"]


# ------------------------------------------------------------------ accounts

def current_user() -> auth.User | None:
    """The signed-in user as the account stands now, or None: signs out after
    SESSION_TIMEOUT_MINUTES idle, and at once when the account was disabled or given a new
    password since sign-in (auth.current)."""
    user = st.session_state.get("user")
    if user is None:
        return None
    if auth.session_expired(st.session_state.get("user_last_seen")):
        sign_out("长时间未操作，已自动退出登录，请重新登录。")
        return None
    try:
        user = auth.current(con(), user, "session")
    except auth.SessionEnded as ended:
        sign_out(str(ended))
        return None
    st.session_state["user"] = user
    st.session_state["user_last_seen"] = auth.now()
    return user


def sign_out(reason: str | None = None) -> None:
    st.session_state.pop("user", None)
    st.session_state.pop("user_last_seen", None)
    if reason:
        st.session_state["sign_out_reason"] = reason


def sign_out_notice() -> None:
    """Why this session was signed out (idle, account disabled, password changed), once,
    where it is seen whatever the page."""
    reason = st.session_state.pop("sign_out_reason", None)
    if reason:
        st.warning(reason, icon=":material/logout:")


def as_signed_in(write):
    """Run a write made for the signed-in user; when the account has ended the session
    meanwhile (auth.SessionEnded), sign out with its notice and draw the page again."""
    try:
        return write()
    except auth.SessionEnded as ended:
        sign_out(str(ended))
        st.rerun()


def client_address() -> str | None:
    """Where a sign-in comes from, for the back-off by client: the connection's address,
    or the header a reverse proxy sets when TUOYU_CLIENT_HEADER names it (behind a proxy
    every connection comes from the proxy)."""
    header = os.environ.get("TUOYU_CLIENT_HEADER")
    if header and st.context.headers.get(header):
        return st.context.headers.get(header).split(",")[0].strip()
    return st.context.ip_address


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in_form(key: str) -> None:
    """Username and password (or the deployment's identity provider, when configured)."""
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            _sign_in_oidc()
        else:
            st.button("使用统一身份认证登录", key=f"{key}_oidc", on_click=st.login)
    with st.form(key):
        username = st.text_input("用户名", key=f"{key}_user")
        password = st.text_input("密码", type="password", key=f"{key}_password")
        if st.form_submit_button("登录", type="primary"):
            try:
                st.session_state["user"] = auth.sign_in(con(), username, password, client=client_address())
                st.session_state["user_last_seen"] = auth.now()
                st.rerun()
            except auth.AuthError as exc:
                st.error(literal(exc))


def _sign_in_oidc() -> None:
    """Map the identity provider's e-mail to an account of the same user name."""
    email = st.user.get("email")
    try:
        user = auth.get_user(con(), email)
    except auth.AuthError:
        st.error(f"{literal(email)} 尚未开通账号，请联系管理员。")
        return
    auth.audit(con(), user, "sign_in", "统一身份认证")
    st.session_state["user"] = user
    st.session_state["user_last_seen"] = auth.now()
    st.rerun()


def account_sidebar(user: auth.User | None) -> None:
    if user is None:
        with st.sidebar.expander("登录（上报数据、更新任务需登录）"):
            sign_in_form("side_sign_in")
        return
    st.sidebar.caption(f"已登录：{literal(user.label())}")
    if st.sidebar.button("退出登录", key="sign_out"):
        auth.audit(con(), user, "sign_out")
        sign_out()
        st.rerun()


def users_table() -> pd.DataFrame:
    return auth.list_users(con()).rename(columns={
        "username": "用户名", "display_name": "显示名", "role": "角色", "region_codes": "负责区划",
        "department": "所在单位", "is_disabled": "已停用", "failed_attempts": "连续失败次数",
        "created_at": "创建时间", "password_changed_at": "改密时间"})


def audit_table() -> pd.DataFrame:
    return auth.audit_events(con()).rename(columns={
        "event_id": "序号", "event_at": "时间", "username": "用户", "action": "操作", "detail": "内容", "ok": "成功"})


def run_admin_action(action, success: str) -> None:
    try:
        as_signed_in(action)
        st.success(success)
    except auth.AuthError as exc:
        st.error(literal(exc))


OPEN_WRITES_NOTICE = ("尚未开通任何账号，任何人填写姓名即可写入。管理员开通账号后，"
                      "只有有权限的账号登录后才能上报数据、更新任务。")


def write_access() -> tuple[auth.User | None, str | None]:
    """(signed-in user, refusal). With accounts in the database, writing needs sign-in;
    without any (a demonstration database) it is open: (None, None)."""
    user = current_user()
    if user is not None or not auth.accounts_exist(con()):
        return user, None
    return None, "写入数据需要登录：请先在左侧“登录”中输入账号和密码。"


def sign_in_required() -> bool:
    return auth.sign_in_required(con())


# ------------------------------------------------------------------ the selection

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
        return _path()


def _indent(row) -> str:
    return "\u3000" * int(row["depth"]) + f"{row['name']}（{row['code']}）"


def sidebar() -> Selection | None:
    """Plan, region and period in the sidebar, mirrored in the URL so a copied link opens
    the same view. An invalid value in the URL gives a Chinese notice and the default."""
    path = _path()
    notices = []
    all_plans = plans(path)
    all_plans = all_plans[all_plans["region_name"].notna()]
    all_quarters = quarters(path)
    if all_plans.empty or not all_quarters:
        st.sidebar.error("数据库中没有方案或报表数据，请联系管理员导入数据。")
        return None
    params = st.query_params

    def from_url(key: str, allowed: list, label: str):
        wanted = params.get(key)
        if wanted is not None and wanted not in allowed:
            notices.append(f"链接中的{label}“{literal(wanted)}”无效，已改为默认值。")
            return None
        return wanted

    plan_codes = all_plans["plan_code"].tolist()
    if "sel_plan" not in st.session_state:
        default = dataset_meta(path).get("default_plan")
        st.session_state.sel_plan = from_url("plan", plan_codes, "方案") or (
            default if default in plan_codes else plan_codes[0])
    titles = dict(zip(all_plans["plan_code"], all_plans["title"]))
    plan = st.sidebar.selectbox("方案", plan_codes, key="sel_plan", format_func=lambda c: titles[c])
    plan_row = all_plans.set_index("plan_code").loc[plan]

    units = plan_units(path, plan_row["region_code"])
    unit_codes = units["code"].tolist()
    labels = {r["code"]: _indent(r) for r in units.to_dict("records")}
    if "sel_region" not in st.session_state:
        st.session_state.sel_region = from_url("region", unit_codes, "区划代码") or plan_row["region_code"]
    if st.session_state.sel_region not in unit_codes:
        st.session_state.sel_region = plan_row["region_code"]
    region = st.sidebar.selectbox("地区", unit_codes, key="sel_region", format_func=labels.get)

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
    unit = units.set_index("code").loc[region]
    label = dataset_label(path)
    if label:
        st.sidebar.caption(f"当前数据：**{literal(label)}**")
    return Selection(plan, plan_row["title"], plan_row["region_code"], region, unit["name"],
                     unit["level"], quarter, counting)


def selection() -> Selection:
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


def status_badge(container, status: str | None, label: str | None = None) -> None:
    """A target status as a coloured badge with its word (DESIGN §4.2 colours)."""
    if status:
        style = verdicts.style(status)
        container.badge(label or status, color=style["badge"], help=style["meaning"])


def style_status(frame, columns=("状态",), colours: dict | None = None, blank=()):
    """Status cells coloured and worded (never colour alone); numbers to 2 decimals; an
    empty cell 无数据, or blank in the `blank` columns (where it means "not set"), never
    None. frame: a DataFrame or a Styler already under way."""
    styler = frame if isinstance(frame, Styler) else frame.style
    data = styler.data
    cols = [c for c in columns if c in data.columns]
    colours = colours or STATUS_COLOURS
    styler = styler.map(lambda v: f"background-color: {colours.get(v, '')}", subset=cols) \
        .format(precision=2, na_rep="无数据")
    blank = [c for c in blank if c in data.columns]
    return styler.format(precision=2, na_rep="", subset=blank) if blank else styler


@st.cache_data(**CACHE)
def institution_details(path: str, region: str, quarter: str, counting: str) -> pd.DataFrame:
    """The institutions active in the region at the quarter, with their flags (机构明细);
    cached per selection because the page reruns on every filter change."""
    from . import institutions
    return institutions.details(con(), region, quarter, counting)


# ------------------------------------------------------------------ 任务台账 (tuoyu.ledger)

from . import ledger as _ledger  # noqa: E402  (beside the loaders it serves)
from . import tasks as _tasks  # noqa: E402

TASK_STATUS_COLOURS = {"已完成": "#d8f0dd", "滞后": "#f8d7da", "进行中": "#dbe7f6", "未开始": "#e9ecef"}


@st.cache_data(**CACHE)
def ledger_tasks(path: str, plan: str, as_of: str) -> pd.DataFrame:
    """The plan's tasks as they stood at the end of `as_of` (ISO date: part of the key, so
    that a server left running turns tasks 滞后 the day after their deadline). Cleared by
    update_task."""
    from datetime import date
    return _ledger.load_tasks(con(), plan, date.fromisoformat(as_of))


@st.cache_data(**CACHE)
def ledger_phases(path: str, plan: str) -> pd.DataFrame:
    return _ledger.load_phases(con(), plan)


@st.cache_data(**CACHE)
def ledger_history(path: str, plan: str, as_of: str) -> pd.DataFrame:
    """Every change to the plan's tasks recorded up to the end of `as_of`, newest first.
    Cleared by update_task."""
    from datetime import date
    return _ledger.history(con(), plan, date.fromisoformat(as_of))


@st.cache_data(**CACHE)
def ledger_links(path: str, plan: str, region: str, quarter: str, counting: str) -> pd.DataFrame:
    """The indicators the plan's tasks move, with value and target status for the
    selection (targets.evaluate): cached per selection, it is the slow part of the page."""
    return _ledger.linked_indicators(con(), plan, region, quarter, counting)


def ledger_view(sel: Selection, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger for the selection as it stood at the end of `as_of`, each task with its
    linked indicators in words; and the indicators themselves."""
    tasks = ledger_tasks(sel.path, sel.plan, as_of.isoformat())
    links = ledger_links(sel.path, sel.plan, sel.region, sel.quarter, sel.counting)
    return tasks.assign(indicator_text=_ledger.indicator_text(tasks, links)), links


def update_task(task_id: str, status: str | None, note: str | None, by: str,
                user: auth.User | None = None) -> "_tasks.Change":
    """A write, so not cached; on success the ledger's caches are cleared for every session.
    Raises tuoyu.ledger.LedgerError (Chinese) when refused (also for a task outside the
    signed-in user's department)."""
    change = as_signed_in(lambda: _tasks.update_task(con(), task_id, status, note, by, user=user))
    ledger_tasks.clear()
    ledger_history.clear()
    return change


def task_form(pick: str, task, user: auth.User | None, refusal: str | None) -> None:
    """任务台账's update form for one task as it stands today; a saved change reruns the page
    with its description shown."""
    if refusal:
        st.info(refusal, icon=":material/lock:")
    elif user is None:
        st.caption(OPEN_WRITES_NOTICE)
    with st.form("tasks_form"):
        by = user.display_name if user else st.text_input("记录人", key="tasks_by", placeholder="填写姓名",
                                                           disabled=bool(refusal))
        status = st.selectbox("状态", _ledger.STATUSES, key=f"tasks_status_{pick}",
                              index=_ledger.STATUSES.index(task["stored_status"]),
                              help="超过完成时限仍未完成的任务会自动显示为“滞后”，无需手工选择。")
        note = st.text_area("最新进展", value=task["progress_note"] or "", key=f"tasks_note_{pick}",
                            help="留空则保留原进展说明。")
        submitted = st.form_submit_button("保存更新", type="primary", disabled=bool(refusal))
    if submitted:
        try:
            change = update_task(pick, status, note, by, user)
        except _tasks.LedgerError as exc:
            st.error(str(exc))
        else:
            st.session_state["tasks_flash"] = change.describe()
            st.rerun()


def style_task_status(frame: pd.DataFrame, column: str = "状态"):
    """Task status cells coloured as well as worded."""
    return frame.style.map(lambda v: f"background-color: {TASK_STATUS_COLOURS.get(v, '')}", subset=[column])


# ------------------------------------------------------------------ 数据上报 (tuoyu.uploads)

from .uploads import history as _history, templates as _templates, write as _write  # noqa: E402  (this section's own import, kept with it)


@st.cache_data(**CACHE)
def import_history(path: str) -> pd.DataFrame:
    """Every import batch, newest first (tuoyu.uploads.history.batches); cleared after each write."""
    return _history.batches(con())


@st.cache_data(**CACHE)
def report_freshness(path: str, region: str) -> "freshness.Freshness":
    """Per county under the plan's region: latest period reported and who has not reported
    it; cleared after each write."""
    return freshness.freshness(con(), region)


@st.cache_data(max_entries=32, show_spinner=False)
def upload_template(path: str, table: str, kind: str, region: str) -> bytes:
    """A collection template with the area's institutions and region codes to pick from."""
    return _templates.template_bytes(table, kind, con(), region)


def import_uploads(files: list[tuple[str, bytes]], by: str, dry_run: bool, plan_region: str,
                   user: auth.User | None = None) -> "_write.ImportResult":
    """A write, so not cached. After a batch is written every cached figure is cleared, so
    that all pages and sessions show the new data. Rows outside a signed-in user's regions
    refuse the whole upload."""
    result = as_signed_in(lambda: _write.import_files(con(), files, by, dry_run=dry_run,
                                                        plan_region=plan_region, user=user))
    if result.batch_ids:
        st.cache_data.clear()
    return result


def undo_batch(batch_id: int, by: str, user: auth.User | None = None) -> "_history.UndoResult":
    """Undo one import batch; on success every cached figure is cleared."""
    result = as_signed_in(lambda: _history.undo(con(), batch_id, by, user=user))
    if result.ok:
        st.cache_data.clear()
    return result


# ------------------------------------------------------------------ 简报导出 (tuoyu.briefing)

def briefing_files(sel: Selection, issued=None, progress=None):
    """The joint-meeting briefing for the selection as .docx, .pdf (where Chromium is
    installed), .xlsx and an HTML preview, dated `issued` (印发日期); progress(fraction,
    text) is told each step. Not cached: it is made on a button press, and the page keeps
    the result in session_state so that downloads and reruns do not make it again."""
    from . import briefing
    return briefing.generate(con(), sel.plan, sel.region, sel.quarter, sel.counting, progress=progress,
                             issued=issued)


def notices_section(sel: Selection) -> None:
    """简报导出's 督办通知: on a press, one Word notice per unit below the selection that has a
    target 未达标/有风险 or sent no report this period, listed with why, in one zip."""
    from .briefing import notices

    st.subheader("督办通知")
    st.caption("为所辖每个有未达标、有风险目标或本期未报送的县区（乡镇）各生成一份督办通知（Word），打包下载。")
    wanted = (sel.plan, sel.region, sel.quarter, sel.counting)
    if st.button("生成督办通知", key="brief_notices", icon=":material/mail:"):
        with st.spinner("正在生成督办通知……"):
            st.session_state["brief_notices_made"] = (wanted, notices.build(con(), sel.plan, sel.quarter, sel.counting,
                                                                            region=sel.region))
    stored = st.session_state.get("brief_notices_made")
    if not stored or stored[0] != wanted:
        return
    made = stored[1]
    if not made:
        st.success("所辖各地区本期均无需督办：没有未达标、有风险的目标，也没有未报送的。", icon=":material/check_circle:")
        return
    for n in made:
        st.text(f"{n.region_name}：{'；'.join(n.reasons)}")
    st.download_button(f"下载督办通知（{len(made)}份，.zip）", notices.to_zip(made),
                       file_name=f"督办通知_{sel.region_name}_{sel.quarter}.zip", mime="application/zip",
                       key="brief_notices_zip", on_click="ignore", icon=":material/download:")
