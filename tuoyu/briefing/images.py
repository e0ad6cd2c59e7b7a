"""The briefing's charts as images: the pages' charts (Vega-Lite, tuoyu.charts) restyled for
paper and drawn to PNG by vl-convert, which needs no browser."""

import logging

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
    spec = chart.to_dict()
    spec.pop("title", None)
    width, height = CHART_SIZE[name]
    spec["width"] = width
    spec["height"] = max(height, spec.get("height") if isinstance(spec.get("height"), int) else 0)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    config = spec.setdefault("config", {})
    config.setdefault("axis", {}).update(labelFontSize=CHART_FONT_SIZE, titleFontSize=CHART_FONT_SIZE)
    config.setdefault("legend", {}).update(labelFontSize=CHART_FONT_SIZE)
    config.setdefault("text", {}).update(fontSize=CHART_FONT_SIZE - 1)   # labels on the chart a size smaller
    config["background"] = "white"
    return spec


def to_png(chart, name: str) -> bytes:
    import vl_convert   # only when a briefing is drawn: the pages never need it

    return vl_convert.vegalite_to_png(for_print(chart, name), scale=CHART_SCALE)


def render_images(briefing: Briefing) -> None:
    """PNG images of the briefing's charts. A failure leaves the images out with a warning:
    the text still stands."""
    for f in briefing.figures():
        if f.png is not None or f.figure is None:
            continue
        try:
            f.png = to_png(f.figure, f.name)
        except Exception as exc:
            log.warning("chart export failed", exc_info=True)
            briefing.warnings.append(f"图表未能生成：{exc}")
            return
