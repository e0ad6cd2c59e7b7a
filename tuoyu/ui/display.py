"""How the pages look beyond what Streamlit draws by itself: the dashboard's CSS
(tuoyu/ui/app.css: the uploader in Chinese, no English toolbars, the print layout), charts
in their own look, and the tables of 总览, 评审指标, 任务台账 and 县区对比's what-if: whole and
static when short, a scrolling grid with a copy for paper when long (table()). Shells only: the
figures come from tuoyu.ui.loaders."""

import html
import unicodedata
from functools import lru_cache
from pathlib import Path
from string import Template

import pandas as pd
import streamlit as st

from .. import comparison
from .styling import BELOW_AVERAGE, STATUS_COLOURS, cell_text, style_below_average, style_status

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


# The product's rule for the tables a leader reads (table()): at most this many rows, shown whole
# and static; more, a grid that scrolls, with a static copy for paper. A city's own targets and its
# counties' fit whole (中卫市: 14 + 3 × 7 = 35), as do its review criteria, count targets (10) and
# tasks (9; WUGANG's 22 the most); a province's or the country's plan (福建 102, 全国 ~670) and a
# county's dozens of townships (舞钢市 57 targets, 57 count targets) scroll. 县区对比's 指标对比表
# too (below_average_table): a city's counties whole, ordered by 每千人口托位数 as the bars are; a
# province's 83 counties a grid that sorts by a click on a column (on paper, its copy).
# 机构明细's list stays a grid (its own number and date formats).
SHORT_TABLE_ROWS = 40
# A grid's copy for paper holds every row up to this many (the national plan's ~670 targets,
# 福建's 83 counties); the country's 2,850 counties × 20 columns would be megabytes of hidden
# HTML sent with every run of 县区对比 全国
PAPER_COPY_ROWS = 1000
SHORT_WORD = 10                  # Chinese characters wide (_width): a cell no wider is not wrapped (static_table)
ROW_PX = 35                      # a grid row's height: a scrolling grid `rows_high` rows high


def table(frame: pd.DataFrame, key: str, rows_high: int, *, columns=("状态",), colours: dict = STATUS_COLOURS,
          blank=(), column_config: dict | None = None) -> None:
    """A table with its status cells coloured (styling.style_status: the word and the colour,
    numbers to 2 decimals, empty cells 无数据, or blank in the `blank` columns).

    A table of at most SHORT_TABLE_ROWS rows is drawn whole as a static table (static_table):
    the leader reads every row without an inner scroll bar, it prints as it is, and it reads on
    a 390 px phone (it scrolls sideways inside its own box, app.css). Drawn as HTML it needs
    none of the scripts that a browser opening the page from a link loads for the first grid
    (DataFrame.js and arrowFormatUtils.js, 1.2 MB; st.table too loads the second, 743 KB): a page
    whose tables are all short is fully drawn without them (中卫市's and 海原县's 总览 0.5–1.2 s
    sooner on the 2-core machine). A longer table
    (the national plan's ~670 targets, 福建's 83 counties) is a grid `rows_high` rows high that
    scrolls, with a static copy of every row that replaces it on paper, where a scrolling table
    would print cut off (_whole_or_grid)."""
    _whole_or_grid(len(frame), key, lambda: static_table(frame, colours, columns, blank),
                   lambda: st.dataframe(style_status(frame, columns, colours, blank), hide_index=True, width="stretch",
                                        height=ROW_PX * (min(len(frame), rows_high) + 1) + 3,
                                        column_config=column_config))


def _whole_or_grid(rows: int, key: str, whole, grid) -> bool:
    """The one rule of the tables above: at most SHORT_TABLE_ROWS rows drawn whole (the HTML
    that `whole` gives); more, `grid` drawn on screen with the whole table as its copy for
    paper, up to PAPER_COPY_ROWS rows (beyond, the copy would weigh more than the page: the
    country's 2,850 counties print as much of the grid as shows). Whether it drew the grid."""
    if rows <= SHORT_TABLE_ROWS:
        st.html(whole())
        return False
    if rows > PAPER_COPY_ROWS:
        grid()
        return True
    with st.container(key=f"screen_only_{key}"):
        grid()
    with st.container(key=f"print_only_{key}"):
        st.html(whole())
    return True


def static_table(frame: pd.DataFrame, colours: dict, columns=("状态",), blank=(),
                 shaded: dict[str, list[bool]] | None = None, wide_text: bool = False) -> str:
    """A plain HTML table (class print-table, in its own box that scrolls sideways: app.css)
    showing what the grid shows: each cell's text (styling.cell_text; escaped), the cells of
    the status `columns` shaded by their word's colour, and those `shaded` flags (column → a
    flag per row) in amber (styling.BELOW_AVERAGE), numbers aligned right, columns of short
    words on one line; with wide_text, long text as wide on a desk as on a phone (app.css)."""
    shaded = shaded or {}
    # as the grid reads a column: numbers (an object column of whole numbers and blanks too)
    numeric = {c for c in frame.columns
               if pd.api.types.infer_dtype(frame[c], skipna=True) in ("integer", "floating", "mixed-integer-float")}

    def cell(column, value, row) -> str:
        text = cell_text(value, column in blank)
        if column in columns:
            colour = colours.get(text)
        else:
            colour = BELOW_AVERAGE if column in shaded and shaded[column][row] else None
        shade = f' style="background:{colour}"' if colour else ""
        return f"<td{kind(column)}{shade}>{html.escape(text)}</td>"

    # a column of short words (a name, a status, a figure, a code) kept on one line, long text wrapped
    short = {c for c in frame.columns if frame[c].map(lambda v: _width(cell_text(v))).max() <= SHORT_WORD}

    def kind(column) -> str:
        names = ["status" if column in columns else "", "num" if column in numeric else "",
                 "short" if column in short else ""]
        return f' class="{" ".join(n for n in names if n)}"' if any(names) else ""

    head = "".join(f"<th{kind(c)}>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(cell(c, v, i) for c, v in zip(frame.columns, values)) + "</tr>"
                   for i, values in enumerate(frame.itertuples(index=False)))
    table_class = "print-table wide-text" if wide_text else "print-table"
    return (f'<div class="table-box"><table class="{table_class}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _width(text: str) -> float:
    """How wide a text is drawn, in Chinese characters: a Latin letter, a digit or a sign is about
    half of one (任务编号 ZHONGWEI-02 and 要求 ≥ 1个（2022年） are short words, never broken)."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def status_table(frame: pd.DataFrame, key: str) -> None:
    """A table of target statuses (状态 first, wide enough for its longest word, then the
    figure: on a phone they are what is on screen); 20 rows high when it scrolls (table())."""
    table(frame, key, 20, column_config={"状态": st.column_config.Column(width=STATUS_WIDTH)})


def units_table(view: comparison.View) -> None:
    """The units in brief (name, status, 每千人口托位数, 托位 needed, gap to the average),
    highest first, as 总览 lists them beside the map; the whole table is on 县区对比.
    12 rows high when it scrolls (table())."""
    full = comparison.table(view)
    wanted = {view.units_word, "状态", comparison.indicator_headers()["slots_per_1000"], "尚需托位",
              f"与{view.average_label}之差"}
    brief = full[[c for c in full.columns if c in wanted]]
    table(brief, "overview_unit_list", 12, blank=comparison.NOT_SET_COLUMNS)


def below_average_table(frame: pd.DataFrame, flags: pd.DataFrame, headers: dict) -> bool:
    """县区对比's 指标对比表 (comparison.table): status cells coloured, the cells of each
    indicator (headers: code → its column) that `flags` (comparison.below_average) marks
    shaded amber. Whole and static when short, else a grid that sorts by a click on a column,
    with its copy for paper (_whole_or_grid, as table()); whether it sorts."""
    def whole() -> str:   # only when drawn: the country's 2,850 counties need no flags as lists
        shaded = {header: [bool(f) for f in flags[code]] for code, header in headers.items() if header in frame}
        return static_table(frame, STATUS_COLOURS, blank=comparison.NOT_SET_COLUMNS, shaded=shaded, wide_text=True)

    return _whole_or_grid(len(frame), "comparison_table", whole,
                          lambda: st.dataframe(style_below_average(frame, flags, headers), hide_index=True,
                                               width="stretch"))


def what_if_table(frame: pd.DataFrame) -> None:
    """县区对比's what-if (comparison.what_if): whether each unit would reach its target, coloured
    and worded; no target is a blank cell. 10 rows high when it scrolls (table())."""
    table(frame, "counties_what_if", 10, columns=("新增后能否达到目标",), colours=comparison.REACH_COLOURS,
          blank=("年度目标",))
