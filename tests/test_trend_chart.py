"""总览's and the briefing's trend chart (trend_chart.trend), read back from its Vega-Lite
specification: what each line, step, label and note says, and where the national figures go
(on the chart where they fit NATIONAL_FITS × the local top, else a note at its top)."""

from types import SimpleNamespace

import pandas as pd
import pytest

from tests.apptest import spec_rows
from tuoyu import overview, trend_chart

TITLE = "每千人口拥有3岁以下婴幼儿托位数（个）"
NO_NATIONAL = pd.DataFrame(columns=["period", "quarter", "period_end", "value", "source"])


def texts(spec: dict) -> set[str]:
    """Every text the chart writes on itself (labels and notes)."""
    out = set()
    for layer in spec["layer"]:
        if layer["mark"]["type"] == "text":
            field = layer["encoding"]["text"]["field"]
            out |= {r[field] for r in spec["datasets"][layer["data"]["name"]]}
    return out


def national_lines(spec: dict) -> list[float]:
    """The heights of the horizontal reference lines across the whole chart (rules with no x)."""
    return [r["值"] for layer in spec["layer"] if layer["mark"]["type"] == "rule" and "x" not in layer["encoding"]
            for r in spec["datasets"][layer["data"]["name"]]]


def layer_encoding(spec: dict, channel: str) -> dict:
    """The channel as the layer that sets its scale has it (the other layers share that scale)."""
    return next(layer["encoding"][channel] for layer in spec["layer"]
                if "scale" in layer["encoding"].get(channel, {}))


@pytest.fixture
def city(con):
    """测试市 at 2024Q3 (TESTPLAN): steps 0.8 (2023), 1.0 (2024), 2.0 (2025); 4.5 national (TESTWIDE)."""
    return trend_chart.trend(overview.build(con, "TESTPLAN", "990100", "2024Q3", "filed"), "测试市", "测试省").to_dict()


def test_the_city_its_average_steps_and_projection(city):
    assert city["title"] == TITLE and city["height"] == 420
    # 测试市, filed 托位 at each quarter's end over 150,000 people:
    # Q2 A1 100 + A3 30 + B1 50 = 180 → 1.20; Q3 A1 120 + A2 40 = 160 → 1.0667
    assert [(r["值"], r["提示"]) for r in spec_rows(city, "测试市")] == [
        (pytest.approx(1.2), "2024年第2季度：1.20"), (pytest.approx(1.0667, abs=1e-4), "2024年第3季度：1.07")]
    # 测试省 adds C1's 60 over 200,000: (180 + 60) → 1.20, (160 + 60) → 1.10
    assert [round(r["值"], 2) for r in spec_rows(city, "测试省平均")] == [1.2, 1.1]
    assert [(r["值"], r["提示"]) for r in spec_rows(city, "方案年度目标")] == [
        (0.8, "2023年目标 0.8"), (1.0, "2024年目标 1"), (2.0, "2025年目标 2")]
    # the last two quarters' trend, −0.1333 a quarter, carried one quarter on: 0.9333 at 2024Q4's end;
    # its start is the last quarter's point (its tooltip there is the quarter's own)
    projection = spec_rows(city, "按近四个季度趋势预计")
    assert [round(r["值"], 4) for r in projection] == [1.0667, 0.9333]
    assert projection[-1]["提示"] == "预计2024年第4季度 0.93" and projection[0]["提示"] is None
    assert {"2023年目标 0.8", "2024年目标 1", "2025年目标 2", "预计 0.93"} <= texts(city)
    # dates are plain days (read as UTC midnight on the UTC axis): a date-time without a zone
    # would be read in the browser's zone, 8 hours early in Beijing
    assert [r["日期"] for r in spec_rows(city, "测试市")] == ["2024-06-30", "2024-09-30"]
    assert [(r["日期"], r["止"]) for r in spec_rows(city, "方案年度目标")][0] == ("2023-01-01", "2023-12-31")
    assert [r["日期"] for r in projection] == ["2024-09-30", "2024-12-31"]
    colour = layer_encoding(city, "color")["scale"]
    assert dict(zip(colour["domain"], colour["range"])) == {
        "测试市": "#1f5fa8", "测试省平均": "#8a8f98", "方案年度目标": "#c0392b", "按近四个季度趋势预计": "#1f5fa8"}


def test_axes_read_as_a_report_writes_them(city):
    x, y = layer_encoding(city, "x"), layer_encoding(city, "y")
    assert x["axis"]["format"] == "%Y年"
    # one label a year, in its middle: the span runs 2024-06-30 − 45 days = 2024-05-16 to
    # 2025-12-31 (the last step) + 240 days = 2026-08-28
    assert [(d["year"], d["month"]) for d in x["scale"]["domain"]] == [(2024, 5), (2026, 8)]
    assert [d["date"] for d in x["scale"]["domain"]] == [16, 28]
    assert [v["year"] for v in x["axis"]["values"]] == [2024, 2025, 2026]
    assert y["title"] == "个/千人" and y["axis"]["format"] == ".1f" and y["scale"]["domain"][0] == 0


def test_a_national_target_far_above_the_local_figures_is_a_note_and_keeps_the_local_scale(city):
    # local top 2.0 (the 2025 step); 4.5 > 2.0 × 1.25 = 2.5: no line, a note, the y-axis to 2.0 × 1.2
    assert national_lines(city) == []
    assert "↑ 高于本图范围：国家目标 4.5（2025年）" in texts(city)
    assert layer_encoding(city, "y")["scale"]["domain"] == [0, pytest.approx(2.4)]


def test_the_national_plan_draws_its_target_as_a_line(con):
    # 全国's own step is 4.5 (2025), so the national 4.5 fits: a dotted line, labelled, no note
    spec = trend_chart.trend(overview.build(con, "TESTWIDE", "100000", "2024Q3", "filed"), "全国", None).to_dict()
    assert national_lines(spec) == [4.5]
    assert "国家目标 4.5（2025年）" in texts(spec)
    assert not any(t.startswith("↑") for t in texts(spec))
    assert layer_encoding(spec, "y")["scale"]["domain"][1] >= 4.5


def view(values: list[float], steps: list[tuple[int, float]]) -> SimpleNamespace:
    """A hand-made overview view: quarters from 2024Q1, the published national series 4.08
    (2024Q4) and 4.70 (October 2025, read as 2025Q4), the national 4.5 by 2025."""
    quarters = [f"2024Q{i + 1}" for i in range(len(values))]
    return SimpleNamespace(
        trend=pd.DataFrame({"quarter": quarters, "quarter_end": [pd.Period(q).end_time.date() for q in quarters],
                            "region": values, "province": [None] * len(values)}),
        staircase=steps, projection=None,
        national_targets=pd.DataFrame({"plan_code": ["N"], "year": [2025], "target": [4.5], "source": ["x"]}),
        national_series=pd.DataFrame({"period": ["2024Q4", "2025-10"], "quarter": ["2024Q4", "2025Q4"],
                                      "period_end": pd.to_datetime(["2024-12-31", "2025-10-31"]),
                                      "value": [4.08, 4.70], "source": ["x", "y"]}))


def test_the_published_national_series_where_it_fits():
    # local top 4.5 (the step); 4.70 ≤ 4.5 × 1.25 = 5.625: the series and the target drawn
    spec = trend_chart.trend(view([3.0, 3.6], [(2025, 4.5)]), "福建省", None).to_dict()
    assert [(r["值"], r["提示"]) for r in spec_rows(spec, "全国（公开数据）")] == [
        (4.08, "2024年第4季度：4.08"), (4.7, "2025年第4季度：4.70")]
    assert national_lines(spec) == [4.5]
    marks = {(layer["mark"]["type"], layer["mark"].get("shape")) for layer in spec["layer"]}
    assert ("point", "diamond") in marks
    colour = layer_encoding(spec, "color")["scale"]
    assert dict(zip(colour["domain"], colour["range"]))["全国（公开数据）"] == "#6c3483"


def test_the_published_national_series_far_above_is_named_in_the_note():
    # local top 1.2; 4.70 > 1.2 × 1.25 = 1.5: nothing national drawn, one note naming both
    spec = trend_chart.trend(view([1.0, 1.1], [(2024, 1.2)]), "中卫市", None).to_dict()
    assert spec_rows(spec, "全国（公开数据）") == [] and national_lines(spec) == []
    note = next(t for t in texts(spec) if t.startswith("↑"))
    assert note.replace("\n", "") == "↑ 高于本图范围：国家目标 4.5（2025年）；全国 4.70（2025年第4季度，公开数据）"
    assert layer_encoding(spec, "y")["scale"]["domain"] == [0, pytest.approx(1.44)]
