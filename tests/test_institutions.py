"""机构明细 on the hand-made fixture (tests/fixture; the institutions are described in
tests/test_indicators.py), flags worked out by hand from institutions.csv and reports.csv.

At 2024Q3 (ends 2024-09-30) under 测试市 990100 (甲县 990101 with 甲镇 990101001, 乙县 990102):
  A1 甲镇  filed 2023-03-01; latest Q3 report 2024-09 (beats 2024-07): slots 120,
           enrolled 9+30+60 = 99, occupancy 99/120 = .825 (≥ .75), caregivers 15 but needs
           ⌈9/3 + 30/5 + 60/7⌉ = ⌈3 + 6 + 8.57⌉ = 18 → 师资不足; 达标
  A2 甲县  filed 2024-08-15 (≤ 09-30, so filed at Q3); slots 40, enrolled 35 → .875;
           caregivers 5, needs ⌈35/7⌉ = 5 → staffed; 是否达标 否 → 未达标
  A3 甲县  closed 2024-09-30, on the quarter's last day → not active, not listed
  A4 甲县  no 备案日期 → 未备案; slots 10, enrolled 0+6+4 = 10 → 1.0; caregivers 2,
           needs ⌈6/5 + 4/7⌉ = ⌈1.77⌉ = 2 → staffed; 达标. Listed under either counting rule.
  B1 乙县  filed 2021-07-01; only a 2024Q2 report → 本期未报 (nothing else can be judged)
  B2 乙县  registered 2024-07-01, filed 2024-07-20; slots 0 → no occupancy, so no 托收率 flag;
           caregivers 1 ≥ 0 needed → staffed; 是否达标 否 → 未达标
  C1 丙市 990200, outside 测试市: slots 60, enrolled 4+16+24 = 44 → 44/60 = .733 < .75
           → 托收率低于75%; caregivers 7, needs ⌈4/3 + 16/5 + 24/7⌉ = ⌈1.33 + 3.2 + 3.43⌉
           = ⌈7.96⌉ = 8 → 师资不足; 达标
"""

import io
from datetime import datetime

import openpyxl
import pytest

from tests.apptest import run_app
from tuoyu import fmt, institutions

FLAG_COLUMNS = ["flag_not_filed", "flag_low_occupancy", "flag_understaffed",
                "flag_below_standard", "flag_not_reported"]
EXPECTED_990100 = {
    # id: (not_filed, low_occupancy, understaffed, below_standard, not_reported), flags text
    "A1": ((False, False, True, False, False), "师资不足"),
    "A2": ((False, False, False, True, False), "未达标"),
    "A4": ((True, False, False, False, False), "未备案"),
    "B1": ((False, False, False, False, True), "本期未报"),
    "B2": ((False, False, False, True, False), "未达标"),
}


@pytest.fixture
def city(con):
    return institutions.details(con, "990100", "2024Q3", "filed")


def by_id(frame):
    return frame.set_index("institution_id")


def test_flags_table_is_data():
    flags = institutions.FLAGS.set_index("code")
    assert list(flags["label_zh"]) == ["未备案", "托收率低于75%", "师资不足", "未达标", "本期未报"]
    assert flags.loc["low_occupancy", "threshold"] == 0.75
    assert flags.loc["low_occupancy", "source"].startswith("000 附件2 第4条")
    assert "托育机构设置标准（试行）" in flags.loc["understaffed", "source"]
    assert flags["threshold"].drop("low_occupancy").isna().all()
    assert flags["definition"].str.len().min() > 10


def test_city_lists_its_active_institutions_with_their_flags(city):
    assert sorted(city["institution_id"]) == sorted(EXPECTED_990100)  # no A3 (closed), no C1 (丙市)
    rows = by_id(city)
    for inst, (flags, text) in EXPECTED_990100.items():
        assert tuple(bool(v) for v in rows.loc[inst, FLAG_COLUMNS]) == flags, inst
        assert rows.loc[inst, "flags"] == text, inst


def test_figures_behind_the_flags(city):
    rows = by_id(city)
    assert rows.loc["A1", "report_period"] == "2024-09"
    assert (rows.loc["A1", "caregivers"], rows.loc["A1", "caregivers_required"]) == (15, 18)
    assert rows.loc["A1", "occupancy"] == pytest.approx(0.825)      # 99 / 120
    assert rows.loc["A2", "occupancy"] == pytest.approx(0.875)      # 35 / 40
    assert rows.loc["A1", "region_name"] == "甲镇"
    assert not rows.loc["A4", "is_counted"] and rows.loc["A2", "is_counted"]
    assert not rows.loc["B1", "has_report"]
    assert rows.loc["B2", "slots"] == 0 and rows.loc["B2", "occupancy"] != rows.loc["B2", "occupancy"]  # NaN


def test_counting_all_lists_the_same_institutions_and_counts_the_unfiled(con):
    frame = by_id(institutions.details(con, "990100", "2024Q3", "all"))
    assert sorted(frame.index) == sorted(EXPECTED_990100)
    assert frame["is_counted"].all()                                # A4 counted under 'all'
    assert frame.loc["A4", "flags"] == "未备案"                      # a flag is about the institution


def test_other_city_low_occupancy_and_understaffed(con):
    frame = institutions.details(con, "990200", "2024Q3", "filed")
    assert frame["institution_id"].tolist() == ["C1"]
    c1 = frame.iloc[0]
    assert c1["occupancy"] == pytest.approx(44 / 60)                # .733 < .75
    assert (c1["caregivers"], c1["caregivers_required"]) == (7, 8)
    assert c1["flags"] == "托收率低于75%、师资不足"
    assert [bool(c1[c]) for c in FLAG_COLUMNS] == [False, True, True, False, False]


def test_summary_counts(city):
    counts = institutions.summary(city)
    # 5 active; filed A1 A2 B1 B2; reported A1 A2 A4 B2; every one carries a flag
    assert (counts["n_active"], counts["n_filed"], counts["n_reported"], counts["n_flagged"]) == (5, 4, 4, 5)
    assert (counts["not_filed"], counts["low_occupancy"], counts["understaffed"],
            counts["below_standard"], counts["not_reported"]) == (1, 0, 1, 2, 1)


def test_unknown_region_is_empty_not_an_error(con):
    frame = institutions.details(con, "x'; drop table reports; --", "2024Q3", "filed")
    assert frame.empty and "flags" in frame
    assert institutions.summary(frame)["n_active"] == 0
    assert institutions.display_frame(frame).empty


def ids(frame):
    return sorted(frame["institution_id"])


def test_filter_frame(city):
    f = institutions.filter_frame
    assert ids(f(city)) == sorted(EXPECTED_990100)                              # no choice, no filter
    assert ids(f(city, types=["托育机构"])) == ["A1", "B2"]
    assert ids(f(city, types=["托育机构", "幼儿园托班"])) == ["A1", "A2", "B2"]
    assert ids(f(city, ownerships=["公办民营"])) == ["B1"]
    assert ids(f(city, puhui=[True])) == ["A1", "A2", "B1"]
    assert ids(f(city, puhui=[False])) == ["A4", "B2"]
    assert ids(f(city, flags=["below_standard"])) == ["A2", "B2"]
    assert ids(f(city, flags=["not_filed", "not_reported"])) == ["A4", "B1"]   # any of the chosen
    assert ids(f(city, flags=["low_occupancy"])) == []
    assert ids(f(city, text="托育点")) == ["A4"]
    assert ids(f(city, text=" b2 ")) == ["B2"]                                   # id, any case
    assert ids(f(city, types=["托育机构"], puhui=[True], flags=["understaffed"])) == ["A1"]
    assert f(city, text="不存在的机构").empty


def test_display_frame_headers_and_percent(city):
    shown = institutions.display_frame(city)
    assert list(shown.columns) == list(institutions.COLUMNS.values())
    row = shown.set_index("机构编码").loc["A1"]
    assert row["托收率"] == pytest.approx(82.5)
    assert row["报告期"] == "2024年9月"
    assert (row["是否普惠"], row["师资达标"], row["问题标记"]) == ("是", "否", "师资不足")


def test_excel_round_trip(city):
    chosen = institutions.filter_frame(city, types=["托育机构", "幼儿园托班", "家庭托育点"])  # not B1
    book = openpyxl.load_workbook(io.BytesIO(institutions.to_excel(chosen)))
    sheet = book["机构明细"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert list(header) == list(institutions.COLUMNS.values())
    assert "机构名称" in header and "托收率" in header and "问题标记" in header
    # who drags first (institutions.by_drag): A4's 10 托位 are left out (未备案); then by
    # occupancy among the flagged: A1 .825 (师资不足), A2 .875 (未达标), B2 (0 托位: none)
    assert header[0] == "机构名称" and header[-1] == "机构编码"
    assert [r[-1] for r in body] == chosen["institution_id"].tolist() == ["A4", "A1", "A2", "B2"]
    a1 = dict(zip(header, body[1]))
    assert a1["托位数"] == 120 and isinstance(a1["托位数"], int)
    assert a1["在托人数"] == 99 and a1["应配保育人员数"] == 18
    assert a1["托收率"] == pytest.approx(0.825)                  # a fraction, shown as 82.5%
    assert a1["登记日期"] == datetime(2023, 1, 10)
    assert (a1["是否普惠"], a1["师资达标"], a1["是否达标"]) == ("是", "否", "是")
    a4 = dict(zip(header, body[0]))
    assert a4["备案日期"] is None and a4["本期末已备案"] == "否"
    percent_col = header.index("托收率") + 1
    assert sheet.cell(row=2, column=percent_col).number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= 18                # 甲镇阳光托育中心, 8 CJK chars


def test_excel_of_a_missing_report_leaves_cells_blank(city):
    chosen = institutions.filter_frame(city, flags=["not_reported"])
    book = openpyxl.load_workbook(io.BytesIO(institutions.to_excel(chosen)))
    header, b1 = list(book.active.iter_rows(values_only=True))
    b1 = dict(zip(header, b1))
    assert b1["本期已报"] == "否" and b1["托位数"] is None and b1["是否达标"] is None


@pytest.fixture
def app_test(fixture_db_path, monkeypatch):
    return run_app(monkeypatch, fixture_db_path, "pages/institutions.py", plan="TESTPLAN", region="990100",
                   period="2024Q3")


def test_page_runs_on_the_fixture(app_test):
    at = app_test
    assert not at.exception
    assert at.title[0].value == "机构明细"
    (table,) = at.dataframe
    assert table.value["机构编码"].tolist() == ["A4", "B1", "A1", "A2", "B2"]   # who drags first (by_drag)
    assert table.value.columns[:6].tolist() == ["机构名称", "问题标记", "托位数", "在托人数", "托收率", "本期末已备案"]
    # above the table: 测试市's 2024 target 1.0 is met (160 / 150,000 × 1000 = 1.07) → 0 托位 needed;
    # A4's 10 托位 are left out (未备案); B1 has no Q3 report; then 在营 5, 已备案 4, 已报 4, flagged 5
    assert [m.value for m in at.metric] == ["0 个", "10 个", "1 家", "5 家", "4 家", "4 家", "5 家"]
    assert at.download_button[0].label == "下载筛选结果（Excel）"


def test_page_filters_and_says_when_nothing_matches(app_test):
    at = app_test
    at.multiselect(key="inst_flags").select("below_standard").run()
    assert sorted(at.dataframe[0].value["机构编码"]) == ["A2", "B2"]
    at.text_input(key="inst_search").input("新苗").run()
    assert at.dataframe[0].value["机构编码"].tolist() == ["B2"]
    at.multiselect(key="inst_flags").unselect("below_standard").select("low_occupancy").run()
    assert not at.exception
    assert not at.dataframe
    assert [i.value for i in at.info] == ["没有符合筛选条件的机构"]


def test_counts_on_the_cards_as_a_report_writes_them():
    # 机构明细's cards of 托位 and 机构 (and its summary row) write a count as 统计公报 do: whole
    # below ten thousand, in 万 to two decimals above (the national sample: 444,220 托位 left out)
    assert [fmt.count(n) for n in (0, 180, 9999, 10000, 128590, 444220)] == [
        "0", "180", "9999", "1.00万", "12.86万", "44.42万"]
