"""Writes the bad-file corpus beside this script (run once; the files are committed).

Each file has exactly one kind of error against the hand-made fixture (tests/fixture) with
the plan region 990100 (测试市); tests/test_imports.py names the message and row each must
give. The oversized file is not stored: the test builds it in memory."""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
REPORTS_EN = "institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,caregivers,caregivers_certified,meets_standard"
REPORTS_ZH = ["机构编码", "报告期", "托位数", "乳儿班在托", "托小班在托", "托大班在托", "保育人员数", "持证保育人员数", "是否达标"]
INSTITUTIONS_ZH = "机构编码,机构名称,所在县区(或乡镇)代码,类型,举办性质,是否普惠,登记日期,备案日期,注销日期,是否示范,是否指导中心"
GOOD = "A2,2024Q3,40,0,0,35,5,4,否"


def text(name: str, body: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(body.encode(encoding))


def book(name: str, rows: list, merge: str | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "机构报表"
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    wb.save(HERE / name)


def main() -> None:
    text("institutions_unknown_region.csv",
         INSTITUTIONS_ZH + "\nN1,甲县新开托育园,990199,托育机构,民办,否,2024-03-01,2024-04-01,,否,否\n")
    text("托育机构名录_区域外_gbk.csv",
         INSTITUTIONS_ZH + "\nN2,丙市新开托育园,990200,托育机构,民办,否,2024-03-01,2024-04-01,,否,否\n", "gbk")
    text("机构报表_未知机构_gbk.csv",
         ",".join(REPORTS_ZH) + "\n" + GOOD + "\nZ9,2024年第3季度,20,0,5,5,3,2,是\n", "gbk")
    book("reports_negative_slots.xlsx", [REPORTS_ZH, ["A2", "2024Q3", -5, 0, 0, 0, 1, 1, "是"]])
    text("reports_non_integer.csv", REPORTS_EN + "\n" + GOOD + "\nA4,2024Q3,10.5,0,6,4,2,2,是\n")
    text("reports_over_150.csv", REPORTS_EN + "\nA4,2024Q3,10,0,6,10,3,2,是\n")
    text("reports_certified_over.csv", REPORTS_EN + "\nA4,2024Q3,10,0,6,4,2,3,是\n")
    text("reports_future_period.csv", REPORTS_EN + "\nA4,2026Q4,10,0,6,4,2,2,是\n")
    text("reports_before_2019.csv", REPORTS_EN + "\nA4,2018年第4季度,10,0,6,4,2,2,是\n")
    text("reports_duplicate_key.csv", REPORTS_EN + "\nA4,2024Q3,10,0,6,4,2,2,是\nA4,2024年第3季度,12,0,6,4,2,2,是\n")
    text("reports_missing_column.csv",
         "institution_id,period,enrolled_infant,enrolled_toddler,enrolled_preschool\nA4,2024Q3,0,6,4\n")
    text("reports_empty.csv", "")
    text("reports_header_only.csv", REPORTS_EN + "\n")
    book("reports_merged_header.xlsx",
         [["甲县2024年第3季度托育机构报表"] + [None] * 8, REPORTS_ZH, ["A4", "2024Q3", 10, 0, 6, 4, 2, 2, "是"]],
         merge="A1:I1")
    book("reports_formula.xlsx",
         [REPORTS_ZH, ["A2", "2024Q3", 40, 0, 0, 35, 5, 4, "否"], ["A4", "2024Q3", "=5+5", 0, 6, 4, 2, 2, "是"]])


if __name__ == "__main__":
    main()
