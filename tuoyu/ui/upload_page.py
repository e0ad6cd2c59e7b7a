"""What pages/upload.py (数据上报, tuoyu.uploads) needs: the import history, who has reported,
the templates, and the writes that clear every cached figure."""

import pandas as pd
import streamlit as st

from .. import auth, freshness
from ..uploads import history as _history, templates as _templates, write as _write
from . import figures
from .access import as_signed_in
from .loaders import CACHE, con


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
        _clear_caches()
    return result


def undo_batch(batch_id: int, by: str, user: auth.User | None = None) -> "_history.UndoResult":
    """Undo one import batch; on success every cached figure is cleared."""
    result = as_signed_in(lambda: _history.undo(con(), batch_id, by, user=user))
    if result.ok:
        _clear_caches()
    return result


def _clear_caches() -> None:
    """After a batch is written or undone: every page and session reads the new data."""
    st.cache_data.clear()
    figures.clear()
