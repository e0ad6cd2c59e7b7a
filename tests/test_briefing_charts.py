"""The briefing's charts as they print: every chart of a briefing is rendered the way the
briefing renders it (briefing.images._for_print, through kaleido and Debian's Chromium) to SVG, and
the tick labels it drew are read back — whole labels (never "5" for "0.5"), one format per
axis, inside the image, and clear of the axis title."""

import re

import plotly.io as pio
import pytest

from tuoyu import briefing, db
from tuoyu.briefing import images

TICK = re.compile(r'<g class="(?P<axis>[xy])tick">\s*<text (?P<attrs>[^>]*)>(?P<text>[^<]*)</text>')
TITLE = re.compile(r'<text class="ytitle"(?P<attrs>[^>]*)>')


def attr(attrs: str, name: str) -> float:
    return float(re.search(rf'\b{name}="([-0-9.]+)"', attrs).group(1))


def font_size(attrs: str) -> float:
    return float(re.search(r"font-size: ([0-9.]+)px", attrs).group(1))


def width(text: str, size: float) -> float:
    """A label's width in Noto Sans CJK: digits about 0.56 em, a point about 0.3 em."""
    return sum(0.3 if ch == "." else 0.56 for ch in text) * size


def drawn(briefing_content) -> list[tuple[str, str]]:
    figures = briefing_content.figures()
    assert figures
    return [(f.name, pio.to_image(images._for_print(f.figure, f.name), format="svg",
                                  width=images.CHART_SIZE[f.name][0], height=images.CHART_SIZE[f.name][1]).decode())
            for f in figures]


@pytest.fixture(scope="module")
def charts(sample_db_path):
    con = db.connect(sample_db_path)
    try:
        return drawn(briefing.assemble(con, "ZHONGWEI", "640500", "2024Q4"))
    finally:
        con.close()


def test_y_tick_labels_are_whole_in_one_format_and_clear_of_the_title(charts):
    assert [name for name, _ in charts] == ["trend", "units", "map"]
    # the map has no axes at all: nothing there to cut or crowd
    assert not list(TICK.finditer(dict(charts)["map"]))
    for name, svg in charts[:2]:
        ticks = [m for m in TICK.finditer(svg) if m["axis"] == "y"]
        labels = [m["text"] for m in ticks]
        assert len(labels) >= 3, (name, labels)
        # one decimal everywhere (tickformat .1f): 0.0, 0.5, 1.0 … — never a bare "5" cut from "0.5"
        assert all(re.fullmatch(r"\d+\.\d", label) for label in labels), (name, labels)
        values = [float(label) for label in labels]
        assert values == sorted(values) and values[0] == 0.0, (name, labels)
        # right-aligned at x: the label's left edge lies inside the image
        lefts = [attr(m["attrs"], "x") - width(m["text"], font_size(m["attrs"])) for m in ticks]
        assert min(lefts) >= 0, (name, labels, lefts)
        # the rotated title's right edge (its centre + half its height) stays left of the labels
        title = TITLE.search(svg)
        assert title, name
        assert attr(title["attrs"], "x") + font_size(title["attrs"]) / 2 < min(lefts), name


def test_x_tick_labels_read_as_a_report_writes_them(charts):
    trend = dict(charts)["trend"]
    years = [m["text"] for m in TICK.finditer(trend) if m["axis"] == "x"]
    assert years and all(re.fullmatch(r"20\d\d年", y) for y in years), years
    units = [m["text"] for m in TICK.finditer(dict(charts)["units"]) if m["axis"] == "x"]
    assert units == ["沙坡头区", "中宁县", "海原县"]                     # full names, the ranking's order
