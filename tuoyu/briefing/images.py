"""The briefing's charts as images: the pages' charts (Vega-Lite, tuoyu.charts) restyled for
paper and drawn to PNG by vl-convert, which needs no browser."""

import copy
import logging
import tempfile
from pathlib import Path

from .model import Briefing

log = logging.getLogger(__name__)

# Chart images: pixel size at which the chart is laid out (text then prints at ~9pt on a
# 15.5 cm wide image) and the scale of the PNG.
CHART_SIZE = {"trend": (760, 430), "units": (760, 360), "map": (760, 520)}
CHART_SCALE = 2.5
CHART_FONT_SIZE = 15


def for_print(chart, name: str) -> dict:
    """The page's chart as a Vega-Lite specification for paper: no title (the caption says it),
    the image's size (a long list of units keeps its taller height), larger text."""
    spec = copy.deepcopy(chart.to_dict())
    spec.pop("title", None)
    width, height = CHART_SIZE[name]
    spec["width"] = width
    spec["height"] = max(height, spec.get("height") if isinstance(spec.get("height"), int) else 0)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    config = spec.setdefault("config", {})
    for part, keys in (("axis", ("labelFontSize", "titleFontSize")), ("legend", ("labelFontSize",)),
                       ("text", ("fontSize",))):
        config.setdefault(part, {}).update({k: CHART_FONT_SIZE - (1 if part == "text" else 0) for k in keys})
    config["background"] = "white"
    return spec


def _plotly_for_print(fig, name: str):
    """The page's figure restyled for paper: no title (the caption says it), larger text."""
    import plotly.graph_objects as go

    fig = go.Figure(fig)
    # margins grown by the axes themselves (automargin), so no tick label is cut at the edge
    fig.update_layout(title=None, font=dict(size=CHART_FONT_SIZE), margin=dict(l=10, r=10, t=16, b=10, pad=4),
                      paper_bgcolor="white", plot_bgcolor="white")
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True, title_standoff=14)
    if name == "units":
        fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.12, x=0))
    return fig


_for_print = _plotly_for_print


def to_png(chart, name: str) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(for_print(chart, name), scale=CHART_SCALE)


def render_images(briefing: Briefing) -> None:
    """PNG images of the briefing's charts. A failure leaves the images out with a warning:
    the text still stands."""
    import altair as alt

    figures = [f for f in briefing.figures() if f.png is None and f.figure is not None]
    for f in [f for f in figures if isinstance(f.figure, alt.TopLevelMixin)]:
        try:
            f.png = to_png(f.figure, f.name)
        except Exception as exc:
            log.warning("chart export failed", exc_info=True)
            briefing.warnings.append(f"图表未能生成：{exc}")
            return
    figures = [f for f in figures if f.png is None]
    if not figures:
        return
    import plotly.io as pio

    with tempfile.TemporaryDirectory(prefix="tuoyu-charts-") as tmp:
        paths = [Path(tmp) / f"{f.name}.png" for f in figures]
        try:
            pio.write_images([_plotly_for_print(f.figure, f.name) for f in figures], paths, format="png",
                             width=[CHART_SIZE[f.name][0] for f in figures],
                             # a long list of units draws taller than the usual size
                             height=[max(CHART_SIZE[f.name][1], f.figure.layout.height or 0) for f in figures],
                             scale=CHART_SCALE)
        except Exception as exc:  # kaleido needs a Chromium; without one the briefing goes out without charts
            log.warning("chart export failed", exc_info=True)
            briefing.warnings.append(f"图表未能生成（需要 Chromium 浏览器）：{exc}")
            return
        for f, path in zip(figures, paths):
            f.png = path.read_bytes()
