"""Reading files in the interchange format: encodings, Chinese headers, the value formats
county staff type, and the Chinese problem list with file, row and column."""

import io
import re

import pytest
from openpyxl import Workbook

from tuoyu import db
from tuoyu.loading import read, rules

KNOWN = {"regions": {"640521", "640500"}, "institutions": {"X1", "X2"}, "plans": set()}


def problems_of(name, text_or_bytes, known=KNOWN):
    data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
    tf, problems = read.read_table_file(name, data)
    if tf is None:
        return None, [str(p) for p in problems]
    problems = rules.check_files([tf], known)
    return tf, [str(p) for p in problems]


def test_values_in_the_forms_people_type():
    text = ("机构编码,报告期,托位数,乳儿班在托,托小班在托,托大班在托,保育人员数,持证保育人员数,是否达标,备注\n"
            "X1,2024年第3季度,\"1,200\",１０, 20 ,30,12,10,是,任意备注\n"
            "X2,2024-09,４０,0,0,0,3,3,N,\n")
    tf, problems = problems_of("机构报表.csv", text)
    assert problems == []
    rows = tf.typed.to_dict("records")
    assert rows[0]["period"] == "2024Q3" and rows[0]["slots"] == 1200 and rows[0]["enrolled_infant"] == 10
    assert rows[0]["meets_standard"] is True or rows[0]["meets_standard"] == True  # noqa: E712
    assert rows[1]["period"] == "2024-09" and rows[1]["slots"] == 40 and rows[1]["meets_standard"] == False  # noqa: E712


def test_gbk_csv_with_chinese_headers():
    text = "区划代码,年份,常住人口,3岁以下婴幼儿数\n640521,2024,\"334,000\",9000\n"
    tf, problems = problems_of("population.csv", text.encode("gbk"))
    assert problems == []
    assert tf.typed["resident_population"].tolist() == [334000]


def test_dates_in_three_forms():
    text = ("institution_id,name,region_code,type,ownership,registered_on,filed_on,closed_on\n"
            "N1,甲,640521,托育机构,民办,2024-09-30,2024/10/8,\n"
            "N2,乙,640521,托育机构,民办,2023年1月5日,20230301,\n")
    tf, problems = problems_of("institutions.csv", text)
    assert problems == []
    assert [d.isoformat() for d in tf.typed["registered_on"]] == ["2024-09-30", "2023-01-05"]
    assert [d.isoformat() for d in tf.typed["filed_on"]] == ["2024-10-08", "2023-03-01"]


def test_xlsx_first_sheet():
    book = Workbook()
    ws = book.active
    ws.append(["区划代码", "年份", "常住人口"])
    ws.append(["640521", 2024, 334000])
    buf = io.BytesIO()
    book.save(buf)
    tf, problems = problems_of("人口.xlsx", buf.getvalue())
    assert problems == [] and tf.typed["resident_population"].tolist() == [334000]


@pytest.mark.parametrize("row, expected", [
    ("X1,2024Q3,-5,0,0,0,1,1,是", "reports.csv 第2行 “托位数”列：不能为负数"),
    ("X1,2024Q3,10,0,0,16,3,1,是", "reports.csv 第2行 “托位数”列：在托人数超过托位数的150%"),
    ("X1,2024Q3,10,0,0,5,1,2,是", "reports.csv 第2行 “持证保育人员数”列：持证保育人员数超过保育人员数"),
    ("X1,2027Q1,10,0,0,5,1,1,是", "reports.csv 第2行 “报告期”列：报告期在未来（尚未结束）"),
    ("X1,2018Q4,10,0,0,5,1,1,是", "reports.csv 第2行 “报告期”列：报告期早于2019年"),
    ("Z9,2024Q3,10,0,0,5,1,1,是", "reports.csv 第2行 “机构编码”列：未知机构编码（机构名录中没有） Z9"),
    ("X1,2024Q5,10,0,0,5,1,1,是", "reports.csv 第2行 “报告期”列：“2024Q5”应为报告期，如 2024Q3、2024年第3季度 或 2024-09"),
    ("X1,2024Q3,10.5,0,0,5,1,1,是", "reports.csv 第2行 “托位数”列：“10.5”应为整数"),
    ("X1,2024Q3,10,0,0,5,1,1,也许", "reports.csv 第2行 “是否达标”列：“也许”应为 是/否"),
])
def test_each_bad_cell_is_named(row, expected):
    header = "institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,caregivers,caregivers_certified,meets_standard\n"
    _, problems = problems_of("reports.csv", header + row + "\n")
    assert expected in problems


def test_duplicate_key_names_both_rows():
    text = "institution_id,period,slots\nX1,2024Q3,10\nX2,2024Q3,10\nX1,2024年第3季度,12\n"
    _, problems = problems_of("reports.csv", text)
    assert "reports.csv 第4行：与第2行重复（X1、2024Q3）" in problems


def test_missing_required_column_and_empty_file():
    _, problems = problems_of("reports.csv", "institution_id,slots\nX1,10\n")
    assert problems == ["reports.csv 第1行 “报告期”列：缺少必填列（period）"]
    _, problems = problems_of("reports.csv", "institution_id,period,slots\n")
    assert problems == ["reports.csv：文件没有数据行"]


def test_unknown_file_name_is_refused():
    _, problems = problems_of("随便.csv", "a,b\n1,2\n")
    assert "无法识别文件对应的数据表" in problems[0]


def test_allowed_values_checked():
    text = ("institution_id,name,region_code,type,ownership,registered_on\n"
            "N1,甲,640521,早教中心,民办,2024-01-01\n")
    _, problems = problems_of("institutions.csv", text)
    assert any("“类型”列：“早教中心”取值应为 托育机构" in p for p in problems)


def test_free_text_keeps_its_chinese_punctuation():
    # 全角 digits in a code or number are read as ASCII; a name or a note is kept as written
    text = ("机构编码,机构名称,所在县区(或乡镇)代码,类型,举办性质,登记日期\n"
            "X3,阳光托育，第一园：　示范点,６４０５２１,托育机构,民办,2024-01-01\n")
    tf, problems = problems_of("institutions.csv", text)
    assert problems == []
    row = tf.typed.to_dict("records")[0]
    assert row["name"] == "阳光托育，第一园：　示范点" and row["region_code"] == "640521"


def test_each_row_rule_has_one_condition_and_one_wording():
    # a rule is an is_* column of queries/row_rules_<table>.sql (run by both the pandas path
    # and the build's fast path) worded once in rules.RULES: neither without the other
    assert {p.stem for p in db.QUERIES.glob("row_rules_*.sql")} == {rules.query_name(t) for t in rules.RULES}
    for table, table_rules in rules.RULES.items():
        flags = re.findall(r"\bas (is_\w+)", db.query_text(rules.query_name(table)))
        assert sorted(flags) == sorted(r.flag for r in table_rules), table
