"""Running the dashboard under Streamlit's AppTest against a given database."""

import functools
from pathlib import Path

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
    return next(d.value for d in at.dataframe if "评价值" in d.value.columns)


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
    return next(d.value for d in at.dataframe if "县区" in d.value.columns)


def cell_colours(at: AppTest, column: str, has: str) -> list[tuple[str, str]]:
    """(word, background colour) of each cell of `column` in the first table with a column
    `has`, read from the table's own styles as the browser gets them."""
    import re

    element = next(d for d in at.dataframe if has in d.value.columns)
    col = element.value.columns.get_loc(column)
    colours = {}
    for cells, colour in re.findall(r"([^{}]+)\{\s*background-color:\s*([^;}\s]*)\s*\}", element.proto.arrow_data.styler.styles):
        for row, c in re.findall(r"_row(\d+)_col(\d+)", cells):
            if int(c) == col:
                colours[int(row)] = colour
    return [(word, colours.get(i, "")) for i, word in enumerate(element.value[column])]
