"""What pages/tasks.py (任务台账, tuoyu.ledger) needs beyond tuoyu.ui.loaders and figures: a
task's update history (cached), and the update form with its write."""

from datetime import date

import pandas as pd
import streamlit as st

from .. import auth
from .. import ledger as _ledger
from .. import tasks as _tasks
from . import figures
from .access import OPEN_WRITES_NOTICE, as_signed_in
from .loaders import CACHE, con, ledger_tasks


@st.cache_data(**CACHE)
def ledger_history(path: str, plan: str, as_of: str) -> pd.DataFrame:
    """Every change to the plan's tasks recorded up to the end of `as_of`, newest first.
    Cleared by update_task."""
    return _ledger.history(con(), plan, date.fromisoformat(as_of))


def update_task(task_id: str, status: str | None, note: str | None, by: str,
                user: auth.User | None = None) -> "_tasks.Change":
    """A write, so not cached; on success the ledger's caches are cleared for every session.
    Raises tuoyu.ledger.LedgerError (Chinese) when refused (also for a task outside the
    signed-in user's department)."""
    change = as_signed_in(lambda: _tasks.update_task(con(), task_id, status, note, by, user=user))
    ledger_tasks.clear()
    ledger_history.clear()
    figures.clear(figures.LEDGER)
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
