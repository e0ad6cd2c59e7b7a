"""The briefing's charts as images: the pages' Plotly figures restyled for paper and drawn
to PNG through kaleido (which needs a Chromium)."""

import logging
import tempfile
from pathlib import Path

from .model import Briefing

log = logging.getLogger(__name__)

# Chart images: pixel size at which Plotly lays them out (text then prints at ~9pt on a
# 15.5 cm wide image) and the scale of the PNG.
CHART_SIZE = {"trend": (760, 430), "units": (760, 360), "map": (760, 520)}
CHART_SCALE = 2.5
CHART_FONT_SIZE = 15


def _for_print(fig, name: str):
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


def render_images(briefing: Briefing) -> None:
    """PNG images of the briefing's charts, in one kaleido session (each session starts a
    browser). A failure leaves the images out with a warning: the text still stands."""
    figures = [f for f in briefing.figures() if f.png is None and f.figure is not None]
    if not figures:
        return
    import plotly.io as pio

    with tempfile.TemporaryDirectory(prefix="tuoyu-charts-") as tmp:
        paths = [Path(tmp) / f"{f.name}.png" for f in figures]
        try:
            pio.write_images([_for_print(f.figure, f.name) for f in figures], paths, format="png",
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
