"""The interchange format of DESIGN §2: every table, its columns (English and Chinese
header), type and whether it is required. The loader, the templates, the sample
generator and the schema contract test all read this one definition."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str  # text | int | float | date | bool | period
    required: bool = False
    prose: bool = False  # free text (names, notes): kept as written, 全角 punctuation included


def _c(name, zh, kind="text", required=False):
    return Column(name, zh, kind, required)


def _p(name, zh, required=False):
    return Column(name, zh, "text", required, prose=True)


TABLES: dict[str, tuple[Column, ...]] = {
    "regions": (
        _c("code", "区划代码", required=True),
        _p("name", "名称", required=True),
        _c("level", "级别", required=True),
        _c("parent_code", "上级代码"),
    ),
    "population": (
        _c("region_code", "区划代码", required=True),
        _c("year", "年份", "int", True),
        _c("resident_population", "常住人口", "int", True),
        _c("under3_population", "3岁以下婴幼儿数", "int"),
        _c("births", "出生人口", "int"),
    ),
    "institutions": (
        _c("institution_id", "机构编码", required=True),
        _p("name", "机构名称", required=True),
        _c("region_code", "所在县区(或乡镇)代码", required=True),
        _c("type", "类型", required=True),
        _c("ownership", "举办性质", required=True),
        _c("is_puhui", "是否普惠", "bool"),
        _c("registered_on", "登记日期", "date", True),
        _c("filed_on", "备案日期", "date"),
        _c("closed_on", "注销日期", "date"),
        _c("is_demonstration", "是否示范", "bool"),
        _c("is_guidance_center", "是否指导中心", "bool"),
    ),
    "reports": (
        _c("institution_id", "机构编码", required=True),
        _c("period", "报告期", "period", True),
        _c("slots", "托位数", "int", True),
        _c("enrolled_infant", "乳儿班在托", "int"),
        _c("enrolled_toddler", "托小班在托", "int"),
        _c("enrolled_preschool", "托大班在托", "int"),
        _c("caregivers", "保育人员数", "int"),
        _c("caregivers_certified", "持证保育人员数", "int"),
        _c("meets_standard", "是否达标", "bool"),
    ),
    "region_indicators": (
        _c("region_code", "区划代码", required=True),
        _c("period", "报告期", "period", True),
        _c("indicator", "指标", required=True),
        _c("value", "数值", "float", True),
        _p("source", "来源"),
    ),
    "surveys": (
        _c("region_code", "区划代码", required=True),
        _c("year", "年份", "int", True),
        _c("respondent_type", "调查对象", required=True),
        _c("respondents", "调查人数", "int", True),
        _c("satisfied", "满意人数", "int", True),
    ),
    "incidents": (
        _c("institution_id", "机构编码", required=True),
        _c("occurred_on", "发生日期", "date", True),
        _c("severity", "事故等级", required=True),
        _p("summary", "概况"),
    ),
    "plans": (
        _c("plan_code", "方案代码", required=True),
        _p("title", "方案名称", required=True),
        _c("doc_number", "文号"),
        _p("issuer", "印发单位"),
        _c("issued_on", "印发日期", "date"),
        _c("region_code", "区划代码", required=True),
        _p("source", "来源"),
    ),
    "targets": (
        _c("plan_code", "方案代码", required=True),
        _c("region_code", "区划代码", required=True),
        _c("indicator", "指标", required=True),
        _c("year", "年份", "int", True),
        _c("target", "目标值", "float"),
        _c("comparator", "比较方式", required=True),
        _c("scope", "适用范围", required=True),
        _c("benchmark", "比较基准"),
        _p("source", "来源", required=True),
        _p("note", "说明"),
        _p("reading", "解读"),
    ),
    "phases": (
        _c("plan_code", "方案代码", required=True),
        _c("seq", "序号", "int", True),
        _p("phase", "阶段", required=True),
        _c("starts_on", "开始日期", "date"),
        _c("ends_on", "截止日期", "date", True),
        _p("source", "来源", required=True),
    ),
    "tasks": (
        _c("task_id", "任务编号", required=True),
        _c("plan_code", "方案代码", required=True),
        _c("section", "章节", required=True),
        _p("title", "任务", required=True),
        _p("responsible_units", "责任单位", required=True),
        _c("due", "完成时限", "date"),
        _c("status", "状态", required=True),
        _p("progress_note", "进展情况"),
        _c("updated_on", "更新日期", "date"),
        _c("indicators", "关联指标"),
        _p("source", "来源", required=True),
        _p("note", "说明"),
    ),
}

# 全角 digits and separators, as a Chinese input method types them, are read as ASCII in
# a header and in every value that is not free text (codes, numbers, dates); the loader's
# SQL fast path translates the same pairs.
FULLWIDTH_FROM, FULLWIDTH_TO = "０１２３４５６７８９．，－／：　＋", "0123456789.,-/: +"
FULLWIDTH = str.maketrans(FULLWIDTH_FROM, FULLWIDTH_TO)
# Any of them, as a regular expression for Python and DuckDB alike (none is special in a class).
FULLWIDTH_ANY = f"[{FULLWIDTH_FROM}]"


def column_for_header(table: str):
    """header text → the table's English column name (or None): the English name in any
    case or the Chinese one, 全角 characters read as ASCII. The one header rule: the
    loader maps a file's columns by it, and an upload is recognised by it."""
    by_header = {}
    for col in TABLES[table]:
        by_header[col.name.lower()] = col.name
        by_header[col.zh] = col.name

    def target(header: str) -> str | None:
        key = str(header).strip().translate(FULLWIDTH)
        return by_header.get(key.lower()) or by_header.get(key)
    return target


# Allowed values: the database checks them too (queries/ddl/schema.sql); kept here so the
# loader can name the offending cell in Chinese before the database is touched.
ALLOWED = {
    ("regions", "level"): ("national", "province", "city", "county", "township"),
    ("institutions", "type"): ("托育机构", "幼儿园托班", "用人单位办托", "社区托育点", "家庭托育点"),
    ("institutions", "ownership"): ("公办", "民办", "公办民营", "民办公助"),
    ("surveys", "respondent_type"): ("家庭", "机构"),
    ("incidents", "severity"): ("一般", "较大", "重大", "特别重大"),
    ("targets", "comparator"): (">=", ">", "<="),
    ("targets", "scope"): ("region", "each_child", "each_city"),
    ("targets", "benchmark"): ("value", "provincial_average"),
    ("tasks", "status"): ("未开始", "进行中", "已完成", "滞后"),
}

# Load order: parents before the rows that refer to them.
LOAD_ORDER = ("regions", "population", "institutions", "reports", "region_indicators",
              "surveys", "incidents", "plans", "targets", "phases", "tasks")

# Multi-value separator inside one cell (责任单位, 关联指标): the 、 of the documents.
LIST_SEP = "、"


def split_list(text) -> list[str]:
    """A multi-value cell as its items, in order (责任单位: the lead unit first). The one
    split that the ledger, the briefing and the permission check all use."""
    if text is None or (isinstance(text, float) and text != text):
        return []
    if isinstance(text, (list, tuple)):
        return [str(u).strip() for u in text if str(u).strip()]
    return [u.strip() for u in str(text).split(LIST_SEP) if u.strip()]

# The columns that identify a row; a second row with the same key in one file is an error,
# and a later file's row replaces an earlier one's (the base plans, then a data folder).
KEYS = {
    "regions": ("code",),
    "population": ("region_code", "year"),
    "institutions": ("institution_id",),
    "reports": ("institution_id", "period"),
    "region_indicators": ("region_code", "period", "indicator"),
    "surveys": ("region_code", "year", "respondent_type"),
    "incidents": ("institution_id", "occurred_on", "summary"),
    "plans": ("plan_code",),
    "targets": ("plan_code", "region_code", "indicator", "year", "scope", "benchmark"),
    "phases": ("plan_code", "seq"),
    "tasks": ("task_id",),
}

# Chinese table names, accepted as file names (机构名录.xlsx) and shown in messages.
TABLE_ZH = {
    "regions": "行政区划",
    "population": "人口",
    "institutions": "托育机构名录",
    "reports": "机构报表",
    "region_indicators": "区域指标",
    "surveys": "满意度调查",
    "incidents": "安全事故",
    "plans": "方案",
    "targets": "目标",
    "phases": "阶段",
    "tasks": "任务",
}


def table_for_name(stem: str) -> str | None:
    """The table a file (or sheet) name stands for, in English or Chinese."""
    stem = stem.strip().lower()
    for table, zh in TABLE_ZH.items():
        if stem == table or stem == zh or stem.startswith(zh) or stem.startswith(table):
            return table
    return None
