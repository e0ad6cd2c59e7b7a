"""The plans as data (data/base) against the seed documents they were transcribed from
(data/base/seeds, copies of ../shared/seeds): every DESIGN §4 target is there with its
clause, and the Zhongwei tasks' 责任单位 are the document's own words."""

import csv
import re

import pytest

from tuoyu import indicators, paths
from tuoyu.tables import ALLOWED, TABLES

SEEDS = paths.BASE_DATA / "seeds"


def rows(table):
    with open(paths.BASE_DATA / f"{table}.csv", encoding="utf-8") as f:
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
    ("FUJIAN", "filing_rate", 2022, 0.7, ">=", "each_city"),
    ("FUJIAN", "newborn_guidance_coverage", 2022, 0.5, ">=", "each_city"),
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
    # 三、(二) asks it of each applying city, not of the country
    row = find_target("NATIONAL", indicator, 2025, scope="each_city", benchmark="provincial_average")
    assert row["comparator"] == ">" and row["target"] == "" and row["reading"]


def test_vague_quantities_carry_their_reading():
    row = find_target("WUGANG", "n_public_private", 2023, scope="each_child")
    assert float(row["target"]) == 2 and row["reading"] == "原文“多家”，按≥2家计"
    assert "多家" in seed_text("003")


def test_review_criteria_split_where_the_text_names_two_things():
    # 附件2 第5条 "达到国家标准并高于全区平均" and 第7条 "机构、婴幼儿家庭……满意度" as two targets each
    assert float(find_target("ZHONGWEI", "staffing_coverage", 2024)["target"]) == 1
    assert find_target("ZHONGWEI", "staffing_rate", 2024, benchmark="provincial_average")["comparator"] == ">"
    for indicator in ("satisfaction_family", "satisfaction_institution"):
        row = find_target("ZHONGWEI", indicator, 2024)
        assert (float(row["target"]), row["comparator"]) == (0.9, ">")
    assert not [t for t in rows("targets") if t["indicator"] == "satisfaction"]


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
        with open(paths.BASE_DATA / f"{table}.csv", encoding="utf-8") as f:
            assert next(csv.reader(f)) == [c.name for c in TABLES[table]]


def test_national_series_shipped_as_region_indicators():
    series = {r["period"]: float(r["value"]) for r in rows("region_indicators")
              if r["region_code"] == "100000" and r["indicator"] == "slots_per_1000"}
    assert series["2021Q4"] == 2.03 and series["2023Q4"] == 3.38 and series["2024Q4"] == 4.08
    assert all(r["source"] for r in rows("region_indicators"))


WUGANG_SAFEGUARDS = {  # 三、保障措施 (一)—(五), each "（责任单位：……）" as the text has it
    "三、(一)": "市发改委、市财政局、市人社局、市税务局、各乡镇人民政府、街道办事处",
    "三、(二)": "市自然资源和规划局、各乡镇人民政府、街道办事处",
    "三、(三)": "市人社局、市教体局",
    "三、(四)": "市卫健委、市民政局、市市场监管局",
    "三、(五)": "各乡镇人民政府、街道办事处、市民政局、市卫健委、市市场监管局",
}


def test_wugang_safeguards_are_tasks_with_their_units():
    tasks = {t["section"]: t for t in rows("tasks") if t["plan_code"] == "WUGANG" and t["section"].startswith("三、")}
    assert {s: t["responsible_units"] for s, t in tasks.items()} == WUGANG_SAFEGUARDS
    text = seed_text("003")
    for units in WUGANG_SAFEGUARDS.values():
        assert f"责任单位：{units}" in text
    units = {u for t in rows("tasks") if t["plan_code"] == "WUGANG" for u in t["responsible_units"].split("、")}
    assert {"市财政局", "市税务局"} <= units


def test_jiangbei_units_are_the_joint_meeting_members():
    # 附件: 江北区……部门联席会议成员单位
    text = seed_text("004")
    members = text[text.rindex("成员单位") + len("成员单位"):].split("。")[0]
    members = set(members.split("、"))
    for t in (t for t in rows("tasks") if t["plan_code"] == "JIANGBEI"):
        assert set(t["responsible_units"].split("、")) <= members, t["task_id"]
    tasks = {t["task_id"]: t for t in rows("tasks")}
    assert tasks["JIANGBEI-11"]["responsible_units"] == "区卫生健康局"
    assert "区妇幼保健、疾病控制、卫生监督和社区卫生服务等机构" in tasks["JIANGBEI-11"]["note"]
    assert tasks["JIANGBEI-04"]["responsible_units"] == "区教育局" and "教育部门" in tasks["JIANGBEI-04"]["note"]


def test_criteria_that_are_also_targets_share_year_and_bar():
    """A criterion part with a fixed or average bar is a ZHONGWEI target row of the same year,
    indicator, comparator and bar (DESIGN §5): the two places are judged alike."""
    import csv as _csv
    with open(paths.DATA / "criteria.csv", encoding="utf-8") as f:
        parts = [p for p in _csv.DictReader(f) if p["benchmark"] != "plan_target"]
    assert parts
    for p in parts:
        scope = "each_child" if p["city_rule"] == "children" else "region"
        t = find_target("ZHONGWEI", p["indicator"], int(p["year"]), scope=scope, benchmark=p["benchmark"])
        assert t["comparator"] == p["comparator"], p
        assert (t["target"] == "" and p["target"] == "") or float(t["target"]) == float(p["target"]), p
