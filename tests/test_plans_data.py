"""The plans as data (data/base) against the seed documents they were transcribed from
(data/base/seeds, copies of ../shared/seeds): every DESIGN §4 target is there with its
clause, and the Zhongwei tasks' 责任单位 are the document's own words."""

import csv
import re

import pytest

from tuoyu import db, indicators
from tuoyu.tables import ALLOWED, TABLES

SEEDS = db.BASE_DATA / "seeds"


def rows(table):
    with open(db.BASE_DATA / f"{table}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def seed_text(prefix):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    # OCR text: line breaks inside sentences, and full-width ％ and ．
    text = path.read_text(encoding="utf-8").replace("％", "%").replace("．", ".")
    return re.sub(r"\s+", "", text)


def find_target(plan, indicator, year, scope="region", benchmark="value"):
    found = [t for t in rows("targets") if (t["plan_code"], t["indicator"], int(t["year"]), t["scope"],
                                             t["benchmark"]) == (plan, indicator, year, scope, benchmark)]
    assert len(found) == 1, (plan, indicator, year, scope, benchmark)
    assert found[0]["source"].startswith({"NATIONAL": "001", "ZHONGWEI": "000", "FUJIAN": "002",
                                          "WUGANG": "003", "JIANGBEI": "004"}[plan])
    return found[0]


@pytest.mark.parametrize("plan, indicator, year, target, comparator, scope", [
    ("NATIONAL", "slots_per_1000", 2025, 4.5, ">=", "region"),
    ("ZHONGWEI", "slots_per_1000", 2022, 0.6, ">=", "region"),
    ("ZHONGWEI", "slots_per_1000", 2023, 0.9, ">=", "region"),
    ("ZHONGWEI", "slots_per_1000", 2024, 1.2, ">=", "region"),
    ("ZHONGWEI", "slots_per_1000", 2025, 1.5, ">=", "region"),
    ("ZHONGWEI", "slots_per_1000", 2022, 0.6, ">=", "each_child"),
    ("ZHONGWEI", "slots_per_1000", 2023, 0.9, ">=", "each_child"),
    ("ZHONGWEI", "slots_per_1000", 2024, 1.2, ">=", "each_child"),
    ("ZHONGWEI", "slots_per_1000", 2025, 1.5, ">=", "each_child"),
    ("ZHONGWEI", "n_demonstration_puhui", 2022, 1, ">=", "each_child"),
    ("ZHONGWEI", "n_public_kindergarten_tuoban", 2022, 1, ">=", "each_child"),
    ("FUJIAN", "slots_per_1000", 2025, 4.5, ">=", "region"),
    ("FUJIAN", "filing_rate", 2022, 0.7, ">=", "region"),
    ("FUJIAN", "newborn_guidance_coverage", 2022, 0.5, ">=", "region"),
    ("FUJIAN", "n_workplace", 2022, 1, ">=", "each_child"),
    ("WUGANG", "n_demonstration", 2021, 1, ">=", "each_child"),
    ("WUGANG", "n_puhui_kindergarten_tuoban", 2021, 1, ">=", "each_child"),
    ("WUGANG", "n_workplace", 2022, 1, ">=", "each_child"),
    ("JIANGBEI", "n_demonstration", 2020, 2, ">=", "region"),
    ("JIANGBEI", "n_new_institutions", 2020, 2, ">=", "region"),
    ("JIANGBEI", "new_slots", 2020, 50, ">=", "region"),
    ("JIANGBEI", "health_management_rate", 2020, 0.9, ">=", "region"),
    ("JIANGBEI", "health_management_rate", 2025, 0.95, ">=", "region"),
    ("JIANGBEI", "parenting_knowledge_rate", 2020, 0.8, ">=", "region"),
    ("JIANGBEI", "parenting_knowledge_rate", 2025, 0.9, ">=", "region"),
    ("JIANGBEI", "certified_rate", 2025, 0.85, ">=", "region"),
])
def test_design_targets_present(plan, indicator, year, target, comparator, scope):
    row = find_target(plan, indicator, year, scope)
    assert float(row["target"]) == target and row["comparator"] == comparator


@pytest.mark.parametrize("indicator", ["enrolment_rate", "slots_per_1000"])
def test_national_above_provincial_average(indicator):
    row = find_target("NATIONAL", indicator, 2025, benchmark="provincial_average")
    assert row["comparator"] == ">" and row["target"] == ""


def test_seed_numbers_stated_in_the_documents():
    zhongwei = seed_text("000")
    for phrase in ("0.6", "0.9", "1.2", "1.5"):
        assert phrase in zhongwei
    assert "4.5" in seed_text("001") and "4.5" in seed_text("002") and "70%" in seed_text("002")


ZHONGWEI_UNITS = {
    "ZHONGWEI-01": "市发展改革委、市卫生健康委、市教育局、市住房城乡建设局",
    "ZHONGWEI-02": "市政府办、市财政局、市卫生健康委、市教育局",
    "ZHONGWEI-03": "市自然资源局、市住房城乡建设局、市财政局",
    "ZHONGWEI-04": "市税务局、市人力资源社会保障局、市财政局、中卫银保监分局、市发展改革委",
    "ZHONGWEI-05": "市人力资源社会保障局",
    "ZHONGWEI-06": "市民政局、市卫生健康委",
    "ZHONGWEI-07": "市自然资源局、市住房城乡建设局、市发展改革委、市教育局、市工业和信息化局",
    "ZHONGWEI-08": "市卫生健康委、市人力资源社会保障局、市云计算和大数据局",
    "ZHONGWEI-09": "市卫生健康委、市民政局、市市场监管局",
}


def test_nine_zhongwei_tasks_with_their_units_as_written():
    tasks = {t["task_id"]: t for t in rows("tasks") if t["plan_code"] == "ZHONGWEI"}
    assert sorted(tasks) == sorted(ZHONGWEI_UNITS)
    text = seed_text("000")
    for task_id, units in ZHONGWEI_UNITS.items():
        assert tasks[task_id]["responsible_units"] == units
        # the document writes "责任单位：<units>" after each task (line breaks removed)
        assert f"责任单位：{units}" in text, task_id
        assert tasks[task_id]["source"].startswith("000")


def test_zhongwei_phases_with_dates():
    phases = {p["phase"]: p["ends_on"] for p in rows("phases") if p["plan_code"] == "ZHONGWEI"}
    assert phases == {"启动准备": "2021-08-31", "实施创建": "2023-09-30",
                      "整改提高": "2024-03-31", "迎检评审": "2024-07-31"}
    fujian = [p for p in rows("phases") if p["plan_code"] == "FUJIAN"]
    assert fujian[0]["ends_on"] == "2021-12-31" and fujian[-1]["ends_on"].startswith("2022")


def test_contract_of_plan_data():
    """Unique ids, known indicator codes, allowed values, every target citing a clause."""
    known = set(indicators.catalogue())
    targets = rows("targets")
    assert all(t["indicator"] in known and t["source"].strip() for t in targets)
    assert all(t["comparator"] in ALLOWED[("targets", "comparator")] for t in targets)
    for t in targets:  # rates are fractions, never percentages
        if t["target"] and indicators.catalogue()[t["indicator"]]["unit"] == "%":
            assert 0 < float(t["target"]) <= 1, t
    tasks = rows("tasks")
    assert len({t["task_id"] for t in tasks}) == len(tasks)
    for t in tasks:
        assert all(code in known for code in filter(None, t["indicators"].split("、")))
    for table in ("plans", "targets", "phases", "tasks"):
        with open(db.BASE_DATA / f"{table}.csv", encoding="utf-8") as f:
            assert next(csv.reader(f)) == [c.name for c in TABLES[table]]


def test_national_series_shipped_as_region_indicators():
    series = {r["period"]: float(r["value"]) for r in rows("region_indicators")
              if r["region_code"] == "100000" and r["indicator"] == "slots_per_1000"}
    assert series["2021Q4"] == 2.03 and series["2023Q4"] == 3.38 and series["2024Q4"] == 4.08
    assert all(r["source"] for r in rows("region_indicators"))
