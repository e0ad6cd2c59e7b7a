"""Running the dashboard under Streamlit's AppTest against a given database."""

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tuoyu.ui import figures

ENTRY = Path(__file__).resolve().parent.parent / "dashboard.py"


class _NavigationPagesManager(PagesManager):
    """A `pages/` folder beside the entry script makes Streamlit take its legacy
    (v1, auto-discovered pages) path until the first st.navigation call switches it off
    for the process. A server makes that switch once, on its first run; AppTest resets
    the flag before every run, so each rerun would execute only the page script and never
    dashboard.py (no sidebar, stale selection). This restores the server's behaviour.
    The browser tests cover the server's real first load."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def run_app(monkeypatch, db_path, page: str | None = None, **params) -> AppTest:
    """dashboard.py with the query parameters given, then (optionally) one page."""
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)
    monkeypatch.setenv("TUOYU_DB", str(db_path))
    st.cache_data.clear()  # caches outlive one AppTest run inside a pytest process
    figures.clear()
    at = AppTest.from_file(str(ENTRY), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def target_table(at: AppTest):
    """总览's table of every target (the one with 评价值), among the page's tables."""
    return table_with(at, "评价值")


def metric(at: AppTest, label_start: str) -> str:
    matches = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert matches, [m.label for m in at.metric]
    return matches[0]


def vega_charts(at: AppTest) -> list[tuple[dict, list[dict]]]:
    """Every Vega-Lite chart on the page, as the browser gets it: (its specification, the rows
    of all its data sets; Streamlit sends them apart from the spec, in Arrow)."""
    import json

    import pyarrow as pa

    charts = []
    for element in at.get("vega_lite_chart"):
        rows = [row for d in element.proto.datasets for row in pa.ipc.open_stream(d.data.data).read_all().to_pylist()]
        charts.append((json.loads(element.proto.spec), rows))
    return charts


def spec_rows(spec: dict, series: str | None = None) -> list[dict]:
    """The data rows of a chart's Vega-Lite specification (its named data sets and any layer's
    inline values) — those of one legend entry (column 系列) when `series` is given."""
    inline = [layer["data"]["values"] for layer in spec.get("layer", []) if "values" in layer.get("data", {})]
    rows = [row for values in list(spec.get("datasets", {}).values()) + inline for row in values]
    return [r for r in rows if series is None or r.get("系列") == series]


def assert_valid_vega_lite(at: AppTest) -> None:
    """Every chart the page sent is valid Vega-Lite (the page sends the specification without
    checking it: tuoyu.ui.display.chart)."""
    charts = vega_charts(at)
    assert charts
    for spec, _ in charts:
        _vega_lite_schema().validate(spec)


@functools.cache
def _vega_lite_schema():
    """Vega-Lite's schema (the one Altair ships) as a validator, built once: jsonschema.validate
    would read and check the 1.5 MB schema itself again for every chart (half a second each)."""
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    schema = load_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def chart_rows(at: AppTest, title: str, series: str | None = None) -> list[dict]:
    """The data rows of the chart whose title starts with `title` — those of one legend entry
    (column 系列, tuoyu.charts.SERIES) when `series` is given."""
    for spec, rows in vega_charts(at):
        text = spec.get("title")
        text = text.get("text") if isinstance(text, dict) else text
        if str(text or "").startswith(title):
            return [r for r in rows if series is None or r.get("系列") == series]
    raise AssertionError(f"no chart titled {title}: {[s.get('title') for s, _ in vega_charts(at)]}")


def units_table(at: AppTest):
    """总览's units in brief beside the map (the one with 县区)."""
    return table_with(at, "县区")


def cell_colours(at: AppTest, column: str, has: str) -> list[tuple[str, str]]:
    """(word, background colour) of each cell of `column` in the first table with a column
    `has`, read from what the browser gets: a grid's own styles, or a static table's cells."""
    frame, colours = next((f, c) for f, c in tables(at) if has in f.columns)
    return list(zip(frame[column], colours[column]))


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with `column`, grid or static (tables())."""
    return tables_with(at, column)[0]


def tables_with(at: AppTest, column: str) -> list[pd.DataFrame]:
    """Every table on the page with `column`, grids first, then the static tables in page order (tables())."""
    found = [frame for frame, _ in tables(at) if column in frame.columns]
    assert found, [frame.columns.tolist() for frame, _ in tables(at)]
    return found


def tables(at: AppTest) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Every table on the page as (its cells, each cell's background colour or ""): the grids
    (st.dataframe) first, then the static tables (tuoyu.ui.display.static_table), skipping the
    static copy that a grid has for paper. A static table's figures (its cells aligned right)
    are read back as numbers, its 无数据 and blank figures as None, as a grid holds them."""
    out = [(d.value, _grid_colours(d)) for d in at.dataframe]
    grids = {tuple(frame.columns) for frame, _ in out}
    for element in at.html:
        if "<table" in element.value:
            frame, colours = static_table(element.value)
            if tuple(frame.columns) not in grids:
                out.append((frame, colours))
    return out


def print_copies(at: AppTest) -> list[pd.DataFrame]:
    """The static tables that repeat a grid's rows for paper."""
    grids = {tuple(d.value.columns) for d in at.dataframe}
    statics = [static_table(e.value)[0] for e in at.html if "<table" in e.value]
    return [frame for frame in statics if tuple(frame.columns) in grids]


def grid_containers(at: AppTest) -> list[list[str]]:
    """For each grid (st.dataframe) in the main area, the keys of the containers around it,
    outermost first (a key such as screen_only_… decides where it shows: app.css)."""
    found = []

    def walk(node, keys):
        for child in getattr(node, "children", {}).values():
            if child.type == "dataframe":
                found.append(keys)
                continue
            block_id = getattr(getattr(child, "proto", None), "id", "")   # $$ID-<hash>-<key> for a keyed container
            walk(child, keys + [block_id.split("-", 2)[-1]] if isinstance(block_id, str) and block_id else keys)

    walk(at.main, [])
    return found


def _grid_colours(element) -> pd.DataFrame:
    colours = pd.DataFrame("", index=range(len(element.value)), columns=element.value.columns)
    for cells, colour in re.findall(r"([^{}]+)\{\s*background-color:\s*([^;}\s]*)\s*\}", element.proto.arrow_data.styler.styles):
        for row, col in re.findall(r"_row(\d+)_col(\d+)", cells):
            colours.iat[int(row), int(col)] = colour
    return colours


class _TableReader(HTMLParser):
    """The header, the cells (text, class, background) of one HTML table."""

    def __init__(self):
        super().__init__()
        self.head, self.rows, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            background = re.search(r"background:\s*([^;]+)", attrs.get("style") or "")
            self._cell = [tag, "", attrs.get("class") or "", background.group(1).strip() if background else ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            (self.head if self._cell[0] == "th" else self.rows[-1]).append(self._cell[1:])
            self._cell = None


def static_table(body: str, text: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A static table's (cells, background colours), figures read back as numbers (or, with
    `text`, every cell as it is written)."""
    reader = _TableReader()
    reader.feed(body)
    columns = [cell for cell, _, _ in reader.head]
    rows = [r for r in reader.rows if r]

    def value(cell, kind):
        if text or "num" not in kind.split():
            return cell
        if cell in ("", "无数据"):
            return None
        return int(cell) if re.fullmatch(r"-?\d+", cell) else float(cell)

    frame = pd.DataFrame([[value(t, k) for t, k, _ in r] for r in rows], columns=columns)
    colours = pd.DataFrame([[c for _, _, c in r] for r in rows], columns=columns)
    return frame, colours
