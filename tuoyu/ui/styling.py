"""Status colours on tables and badges (DESIGN §4.2): the word is always written too, the
colour only adds to it."""

from functools import partial

import pandas as pd
from pandas.api.types import is_float
from pandas.io.formats.style import Styler

from .. import comparison, fmt, tasks, verdicts

STATUS_COLOURS = verdicts.colours("background")  # cell backgrounds; the word is always written too
TASK_STATUS_COLOURS = tasks.styles("background")
BELOW_AVERAGE = "#fff3cd"   # 县区对比's cells below the average (amber); its 低于平均 column says it in words


def status_badge(container, status: str | None, label: str | None = None) -> None:
    """A target status as a coloured badge with its word (DESIGN §4.2 colours)."""
    if status:
        style = verdicts.style(status)
        container.badge(label or status, color=style["badge"], help=style["meaning"])


def cell_text(value, blank: bool = False) -> str:
    """A table cell as the tables show it, in the grid (style_status) and in a static table
    (display.static_table) alike: a number to 2 decimals, a whole number as it is, an empty
    cell 无数据, or blank where empty means "not set"."""
    if value is None or pd.isna(value) is True:
        return "" if blank else fmt.NO_DATA
    return f"{value:.2f}" if is_float(value) else str(value)


def style_status(frame, columns=("状态",), colours: dict | None = None, blank=()):
    """Status cells coloured and worded (never colour alone); numbers to 2 decimals; an
    empty cell 无数据, or blank in the `blank` columns (where it means "not set"), never
    None. frame: a DataFrame or a Styler already under way."""
    styler = frame if isinstance(frame, Styler) else frame.style
    data = styler.data
    cols = [c for c in columns if c in data.columns]
    colours = colours or STATUS_COLOURS
    styler = styler.map(lambda v: f"background-color: {colours.get(v, '')}", subset=cols).format(cell_text)
    blank = [c for c in blank if c in data.columns]
    return styler.format(partial(cell_text, blank=True), subset=blank) if blank else styler


def style_below_average(table: pd.DataFrame, flags: pd.DataFrame, headers: dict):
    """Cells below the average shaded amber (the table's 低于平均 column says it in words);
    status cells coloured; no target is a blank cell, a missing figure 无数据."""
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    for code, header in headers.items():
        css[header] = [f"background-color: {BELOW_AVERAGE}" if f else "" for f in flags[code]]
    return style_status(table.style.apply(lambda _: css, axis=None), blank=comparison.NOT_SET_COLUMNS)

