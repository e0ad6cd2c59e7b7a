"""The briefing's charts as they print: every chart of a briefing is laid out the way the
briefing draws it (briefing.images.for_print, through vl-convert), and the tick labels it
places are read back from Vega's scene graph — whole labels (never "5" for "0.5"), one
format per axis, inside the image, and clear of the axis title."""

import re

import pytest
import vl_convert

from tuoyu import briefing, db
from tuoyu.briefing import images


def width(text: str, size: float) -> float:
    """A label's width in Noto Sans CJK: a Chinese character 1 em, digits about 0.56 em, a
    point about 0.3 em."""
    return sum(0.3 if ch == "." else 0.56 if ch.isascii() else 1.0 for ch in text) * size


def axis_texts(scene: dict) -> list[dict]:
    """Every axis label and title with the axis's side (orient) and its position on the image
    (the scene graph gives each item's position within its group; groups add theirs)."""
    found = []

    def walk(mark, x, y, orient=None):
        for item in mark.get("items", []):
            if mark["marktype"] == "group":
                for child in item.get("items", []):
                    walk(child, x + item.get("x", 0), y + item.get("y", 0), item.get("orient", orient))
            elif mark["marktype"] == "text" and mark.get("role") in ("axis-label", "axis-title"):
                found.append(dict(item, role=mark["role"], orient=orient, x=x + item["x"], y=y + item["y"]))

    ox, oy = scene.get("origin", (0, 0))
    walk(scene["scenegraph"], ox, oy)
    return found


def drawn(briefing_content) -> list[tuple[str, dict, list[dict]]]:
    figures = briefing_content.figures()
    assert figures
    out = []
    for f in figures:
        scene = vl_convert.vegalite_to_scenegraph(images.for_print(f.figure, f.name))
        out.append((f.name, scene, axis_texts(scene)))
    return out


@pytest.fixture(scope="module")
def charts(sample_db_path):
    con = db.connect(sample_db_path)
    try:
        return drawn(briefing.assemble(con, "ZHONGWEI", "640500", "2024Q4"))
    finally:
        con.close()


def test_charts_print_at_the_images_size(charts):
    # the image's size (images.CHART_SIZE), or the chart's own height where it is taller:
    # the three counties' bars stand 380 px high on the page (charts.unit_bars)
    assert [(name, scene["width"], scene["height"]) for name, scene, _ in charts] == [
        ("trend", 760, 430), ("units", 760, 380), ("map", 760, 520)]


def test_y_tick_labels_are_whole_in_one_format_and_clear_of_the_title(charts):
    # the map has no axes at all: nothing there to cut or crowd
    assert not dict((n, t) for n, _, t in charts)["map"]
    for name, _, texts in charts[:2]:
        ticks = [t for t in texts if t["orient"] == "left" and t["role"] == "axis-label"]
        labels = [t["text"] for t in ticks]
        assert len(labels) >= 3, (name, labels)
        # one decimal everywhere (format .1f): 0.0, 0.5, 1.0 … — never a bare "5" cut from "0.5"
        assert all(re.fullmatch(r"\d+\.\d", label) for label in labels), (name, labels)
        values = [float(label) for label in labels]
        assert sorted(values) == values or sorted(values, reverse=True) == values, (name, labels)
        assert min(values) == 0.0, (name, labels)
        # right-aligned at x: the label's left edge lies inside the image
        assert all(t["align"] == "right" for t in ticks), name
        lefts = [t["x"] - width(t["text"], t["fontSize"]) for t in ticks]
        assert min(lefts) >= 0, (name, labels, lefts)
        # the title, turned a quarter left, stays left of the labels: its right edge is x for a
        # bottom baseline (the letters stand to the left of x), half a line further for middle
        titles = [t for t in texts if t["orient"] == "left" and t["role"] == "axis-title"]
        assert len(titles) == 1 and titles[0]["angle"] == -90, name
        title = titles[0]
        right = title["x"] + {"bottom": 0, "middle": 0.5, "top": 1}[title["baseline"]] * title["fontSize"]
        assert right < min(lefts), name


def test_x_tick_labels_read_as_a_report_writes_them(charts):
    texts = {name: t for name, _, t in charts}
    years = [t["text"] for t in texts["trend"] if t["orient"] == "bottom" and t["role"] == "axis-label"]
    assert years and all(re.fullmatch(r"20\d\d年", y) for y in years), years
    units = [t["text"] for t in texts["units"] if t["orient"] == "bottom" and t["role"] == "axis-label"]
    assert units == ["沙坡头区", "中宁县", "海原县"]                     # full names, the ranking's order
