"""The shipped sample (示例数据): it is what the generator makes, it loads cleanly, and it
tells the story the dashboard's users are meant to find (issue 2: 中卫 meets its 2022 and
2023 steps, 海原 misses 2024, a county below the 宁夏 average, a county not reporting the
latest quarter)."""

import filecmp
import json

from tuoyu import cli, indicators, paths, targets
from tuoyu.tools import sample


def test_generator_reproduces_the_shipped_files(tmp_path):
    sample.generate(tmp_path)
    for path in sorted(paths.SAMPLE_DATA.glob("*.csv")):
        assert filecmp.cmp(path, tmp_path / path.name, shallow=False), path.name


def test_sample_is_labelled(sample_con):
    from tuoyu.db import dataset_label
    assert dataset_label(sample_con) == "示例数据"


def status_of(frame, code, indicator, year):
    rows = frame[(frame.region_code == code) & (frame.indicator == indicator) & (frame.year == year)
                 & (frame.benchmark == "value")]
    assert len(rows) == 1
    return rows.iloc[0]["status"]


def test_zhongwei_story(sample_con):
    at = targets.evaluate(sample_con, "ZHONGWEI", "640500", "2024Q4", include_children=True)
    assert status_of(at, "640500", "slots_per_1000", 2022) == "达标"
    assert status_of(at, "640500", "slots_per_1000", 2023) == "达标"
    assert status_of(at, "640500", "slots_per_1000", 2024) == "达标"
    assert status_of(at, "640522", "slots_per_1000", 2024) == "未达标"     # 海原 lags
    assert status_of(at, "640522", "n_public_kindergarten_tuoban", 2022) == "未达标"
    vals = indicators.values(sample_con, ["640000", "640502", "640521", "640522"], ["2024Q4"])
    ratio = dict(zip(vals.region_code, vals.slots_per_1000))
    assert ratio["640522"] < ratio["640000"] and ratio["640521"] < ratio["640000"] < ratio["640502"]


def test_a_county_has_not_reported_the_latest_quarter(sample_con):
    vals = indicators.values(sample_con, ["640422", "640500"], ["2026Q3"])
    xiji = indicators.row_dict(vals, "640422", "2026Q3")
    assert xiji["n_reported"] == 0 and xiji["slots_per_1000"] is None
    assert indicators.row_dict(vals, "640500", "2026Q3")["n_not_reported"] == 3


def test_done_means_command(sample_db_path, capsys):
    assert cli.main(["--db", str(sample_db_path), "indicators", "--region", "640500",
                     "--period", "2024Q4", "--plan", "ZHONGWEI", "--json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    step = [t for t in snap["targets"] if t["indicator"] == "slots_per_1000" and t["year"] == 2024
            and t["benchmark"] == "value"]
    assert step[0]["target"] == 1.2 and step[0]["status"] == "达标"
    assert 1.2 <= snap["slots_per_1000"] < 1.6 and snap["dataset"] == "示例数据"
    assert snap["provincial_average"]["region_code"] == "640000"
