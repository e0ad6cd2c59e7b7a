"""How the pages look beyond what Streamlit draws by itself: the dashboard's CSS
(tuoyu/ui/app.css: the uploader in Chinese, no English toolbars, the print layout), charts
in their own look, and the tables that need more than one element — a target table
with its copy for paper, the units in brief beside the map. Shells only: the figures come
from tuoyu.ui.loaders."""

import html
from functools import lru_cache
from pathlib import Path
from string import Template

import pandas as pd
import streamlit as st

from .. import comparison, fmt
from .styling import STATUS_COLOURS, style_status

STYLE_FILE = Path(__file__).with_name("app.css")
UPLOAD_TYPES = ("csv", "xlsx")   # what 数据上报 accepts (the uploader's own words are replaced: app.css)
STATUS_WIDTH = 130               # px: '已达到（未到期）' whole


@lru_cache(maxsize=1)
def _css() -> str:
    from ..uploads.read import MAX_UPLOAD_MB
    return Template(STYLE_FILE.read_text(encoding="utf-8")).substitute(
        max_upload_mb=MAX_UPLOAD_MB, upload_types="、".join(t.upper() for t in UPLOAD_TYPES))


def style() -> None:
    """The dashboard's CSS (tuoyu/ui/app.css) on the page: the uploader in Chinese, no English
    toolbars over tables and charts, and a print layout."""
    st.html(f"<style>{_css()}</style>")


def chart(fig) -> None:
    """A chart (an Altair chart from tuoyu.charts) across its container in its own look
    (charts.LOOK, not Streamlit's theme: the page and the briefing's image show the same chart).
    Streamlit's English tool bar over it is hidden (app.css).

    Sent as its Vega-Lite specification without checking it against Vega-Lite's schema, which
    st.altair_chart does on every first draw of a selection (70 ms of CPU for 总览's trend, as
    much again as building it); the tests check every chart's specification (to_dict validates)."""
    st.vega_lite_chart(spec=fig.to_dict(validate=False), width="stretch", theme=None)


def status_table(frame: pd.DataFrame, key: str) -> None:
    """A table of target statuses (状态 first, wide enough for its longest word, then the
    figure: on a phone they are what is on screen), up to 20 rows before it scrolls; and a
    static copy of every row that replaces it on paper, where a scrolling table would print
    cut off."""
    styled = style_status(frame)
    with st.container(key=f"screen_only_{key}"):
        st.dataframe(styled, hide_index=True, width="stretch", height=35 * (min(len(frame), 20) + 1) + 3,
                     column_config={"状态": st.column_config.Column(width=STATUS_WIDTH)})
    with st.container(key=f"print_only_{key}"):
        st.html(print_table(frame, STATUS_COLOURS))


def print_table(frame: pd.DataFrame, colours: dict) -> str:
    """A plain HTML table for paper: text escaped, cells whose word has a colour shaded by
    it, an empty cell 无数据."""
    def cell(v, tag="td") -> str:
        text = fmt.NO_DATA if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
        shade = f' style="background:{colours[text]}"' if text in colours else ""
        return f"<{tag}{shade}>{html.escape(text)}</{tag}>"

    head = "".join(cell(c, "th") for c in frame.columns)
    rows = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f'<table class="print-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def units_table(view: comparison.View) -> None:
    """The units in brief (name, status, 每千人口托位数, 托位 needed, gap to the average),
    highest first, as 总览 lists them beside the map; the whole table is on 县区对比."""
    table = comparison.table(view)
    wanted = {view.units_word, "状态", comparison.indicator_headers()["slots_per_1000"], "尚需托位",
              f"与{view.average_label}之差"}
    brief = table[[c for c in table.columns if c in wanted]]
    st.dataframe(style_status(brief, blank=comparison.NOT_SET_COLUMNS), hide_index=True, width="stretch",
                 height=35 * (min(len(brief), 12) + 1) + 3)


def what_if_table(frame: pd.DataFrame) -> None:
    """县区对比's what-if (comparison.what_if): whether each unit would reach its target, coloured
    and worded; no target is a blank cell."""
    st.dataframe(style_status(frame, ("新增后能否达到目标",), comparison.REACH_COLOURS, blank=("年度目标",)),
                 hide_index=True, width="stretch")
