"""The collection templates of 数据上报: per importable table an XLSX (data sheet with
Chinese headers, formats and validation lists, a 填写说明 sheet, and optionally the area's
institutions and region codes to pick from) or a CSV of the headers."""

import csv
import io

import pandas as pd

from .. import excel, indicators
from ..tables import ALLOWED, TABLE_ZH, TABLES
from .checks import known_keys
from .read import IMPORTABLE, MAX_UPLOAD_MB

TEMPLATE_ROWS = 5000  # rows of the XLSX template that carry the validation lists

# Per column of the template: an example value and the 口径 in a sentence.
COLUMN_HELP = {
    ("institutions", "institution_id"): ("91640500MA76XXXX1X", "统一社会信用代码；没有的填本地编码，全市唯一、不再变更。再次上报同一编码即更新该机构信息"),
    ("institutions", "name"): ("沙坡头区阳光托育中心", "机构全称"),
    ("institutions", "region_code"): ("640502", "所在县区或乡镇（街道）的区划代码，6位或9位"),
    ("institutions", "type"): ("托育机构", "按托育服务形式选择"),
    ("institutions", "ownership"): ("民办", "举办性质"),
    ("institutions", "is_puhui"): ("是", "是否为普惠托育机构"),
    ("institutions", "registered_on"): ("2023-05-10", "在登记机关登记的日期"),
    ("institutions", "filed_on"): ("2023/6/1", "在卫生健康部门备案的日期；未备案留空"),
    ("institutions", "closed_on"): ("", "注销或停办日期；在营留空"),
    ("institutions", "is_demonstration"): ("否", "是否为示范托育机构"),
    ("institutions", "is_guidance_center"): ("否", "是否为托育综合服务（指导）中心"),
    ("reports", "institution_id"): ("91640500MA76XXXX1X", "机构名录中已有的机构编码"),
    ("reports", "period"): ("2024Q3", "季度填 2024Q3 或 2024年第3季度；按月报送填 2024-09"),
    ("reports", "slots"): ("60", "报告期末可提供的托位数"),
    ("reports", "enrolled_infant"): ("5", "报告期末在托的6–12月龄婴幼儿数"),
    ("reports", "enrolled_toddler"): ("20", "报告期末在托的12–24月龄婴幼儿数"),
    ("reports", "enrolled_preschool"): ("25", "报告期末在托的24–36月龄婴幼儿数；三项合计不得超过托位数的150%"),
    ("reports", "caregivers"): ("10", "报告期末在岗保育人员数"),
    ("reports", "caregivers_certified"): ("8", "其中持有保育师、育婴员等证书的人数，不超过保育人员数"),
    ("reports", "meets_standard"): ("是", "是否符合托育机构设置标准和管理规范"),
    ("population", "region_code"): ("640502", "县区或市的区划代码"),
    ("population", "year"): ("2024", "年份"),
    ("population", "resident_population"): ("408,000", "年末常住人口"),
    ("population", "under3_population"): ("9800", "3岁以下婴幼儿数"),
    ("population", "births"): ("3100", "全年出生人口"),
    ("region_indicators", "region_code"): ("640502", "县区或市的区划代码"),
    ("region_indicators", "period"): ("2024Q3", "报告期"),
    ("region_indicators", "value"): ("95%", "比率填 95% 或 0.95"),
    ("region_indicators", "source"): ("县卫生健康局统计", "数据来源"),
    ("surveys", "region_code"): ("640502", "县区或市的区划代码"),
    ("surveys", "year"): ("2024", "调查年份"),
    ("surveys", "respondent_type"): ("家庭", "调查对象"),
    ("surveys", "respondents"): ("200", "有效答卷数"),
    ("surveys", "satisfied"): ("188", "满意及非常满意的答卷数，不超过调查人数"),
    ("incidents", "institution_id"): ("91640500MA76XXXX1X", "发生事故的机构编码"),
    ("incidents", "occurred_on"): ("2024-05-01", "事故发生日期"),
    ("incidents", "severity"): ("一般", "事故等级"),
    ("incidents", "summary"): ("午睡时幼儿跌落床下，轻微擦伤", "简要经过"),
}

RULES = (
    "第1行为列名，请勿修改、删除或合并；从第2行起每行一条记录。列名用中文或英文均可，多出的列（如备注）不导入。",
    "橙色列名为必填列。整数列填不小于0的整数，可带千分位逗号；是/否 列填 是、否（或 Y、N）。",
    "日期填 2024-09-30、2024/9/30 或 2024年9月30日；报告期填 2024Q3、2024年第3季度，按月报送填 2024-09。",
    f"请勿使用公式和合并单元格；一个文件不超过{MAX_UPLOAD_MB}MB。可上传 XLSX（第一个工作表，或与表同名的工作表）或 CSV（UTF-8 或 GBK 编码）。",
    "上传后系统先检查全部数据：有任何问题则一行也不写入，并列出每个问题所在的行和列；全部通过才写入，并生成一个批次号。",
    "再次上报同一机构同一报告期，新数据替换旧数据；误传的批次可在“数据上报”页撤销。月报和季报是不同的报告期：同一季度内以截止最晚的一期为准，截止日相同时以季报为准。",
)


def template_name(table: str, kind: str) -> str:
    return f"{TABLE_ZH[table]}_模板.{kind}"


def table_label(table: str) -> str:
    return TABLE_ZH[table]


def _format_hint(table: str, col) -> str:
    if col.kind == "int":
        return "整数，≥0"
    if col.kind == "float":
        return "数值"
    if col.kind == "bool":
        return "是 / 否"
    if col.kind == "date":
        return "日期"
    if col.kind == "period":
        return "报告期"
    return "文本"


def _allowed_text(table: str, col) -> str:
    if (table, col.name) in ALLOWED:
        return " / ".join(ALLOWED[(table, col.name)])
    if col.kind == "bool":
        return "是 / 否（或 Y / N）"
    if (table, col.name) == ("region_indicators", "indicator"):
        cat = indicators.catalogue()
        return " / ".join(f"{c}（{cat[c]['short_zh']}）" for c in indicators.REPORTED if c in cat)
    return ""


def _reference_lists(con, region: str | None) -> dict[str, pd.DataFrame]:
    if con is None or not region:
        return {}
    cur = con.cursor()
    try:
        ref = known_keys(cur, region)
    finally:
        cur.close()
    ref = ref[ref["is_in_area"].astype(bool)].sort_values("key")
    return {"institutions": ref[ref["table_name"] == "institutions"], "regions": ref[ref["table_name"] == "regions"]}


def template_bytes(table: str, kind: str = "xlsx", con=None, region: str | None = None) -> bytes:
    """The collection template of a table: XLSX (data sheet with Chinese headers, formats and
    validation lists; 填写说明 sheet; with `con` and `region`, the area's institutions and
    region codes as lists to pick from) or CSV (UTF-8 with BOM, Chinese headers)."""
    if table not in IMPORTABLE:
        raise KeyError(table)
    cols = TABLES[table]
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow([c.zh for c in cols])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if kind != "xlsx":
        raise ValueError(kind)
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    ws.title = TABLE_ZH[table]
    required_fill, optional_fill = PatternFill("solid", fgColor="F8CBAD"), PatternFill("solid", fgColor="DDEBF7")
    names = {c.name for c in cols}
    lists = {k: v for k, v in _reference_lists(con, region).items()
             if (k == "regions" and "region_code" in names)
             or (k == "institutions" and "institution_id" in names and table != "institutions")}
    last = TEMPLATE_ROWS + 1
    for i, col in enumerate(cols, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.zh)
        cell.font = Font(bold=True)
        cell.fill = required_fill if col.required else optional_fill
        example, note = COLUMN_HELP.get((table, col.name), ("", ""))
        cell.comment = Comment(("必填。" if col.required else "选填。") + note, "模板")
        ws.column_dimensions[letter].width = max(12, len(col.zh) * 2 + 4)
        number_format = {"date": "yyyy-mm-dd", "int": "0", "float": "General", "bool": "@"}.get(col.kind, "@")
        ws.column_dimensions[letter].number_format = number_format  # 2024-09 stays text, not a date
        rng = f"{letter}2:{letter}{last}"
        dv = None
        if (table, col.name) in ALLOWED:
            dv = DataValidation(type="list", formula1='"' + ",".join(ALLOWED[(table, col.name)]) + '"')
        elif col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"')
        elif col.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif col.kind == "float":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        elif col.name == "institution_id" and table != "institutions" and not lists.get("institutions", pd.DataFrame()).empty:
            n = len(lists["institutions"])
            dv = DataValidation(type="list", formula1=f"'机构名单'!$A$2:$A${n + 1}", errorStyle="warning")
        elif col.name == "region_code" and not lists.get("regions", pd.DataFrame()).empty:
            n = len(lists["regions"])
            dv = DataValidation(type="list", formula1=f"'区划代码'!$A$2:$A${n + 1}", errorStyle="warning")
        if dv is not None:
            dv.showErrorMessage = True
            dv.error = f"{col.zh}：{_allowed_text(table, col) or _format_hint(table, col)}"
            dv.errorTitle = "取值不符合要求"
            dv.prompt, dv.promptTitle, dv.showInputMessage = note or col.zh, col.zh, True
            dv.add(rng)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    guide = book.create_sheet("填写说明")
    guide.append([f"{TABLE_ZH[table]}（{table}）填写说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for i, rule in enumerate(RULES, start=1):
        guide.append([f"{i}. {rule}"])
    guide.append([])
    header = ["列名", "英文列名", "是否必填", "格式", "允许取值", "示例", "说明（口径）"]
    guide.append(header)
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for col in cols:
        example, note = COLUMN_HELP.get((table, col.name), ("", ""))
        guide.append([col.zh, col.name, "必填" if col.required else "选填", _format_hint(table, col),
                      _allowed_text(table, col), example, note])
    for letter, width in zip("ABCDEFG", (18, 22, 10, 10, 40, 22, 60)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    for title, key, headers in (("机构名单", "institutions", ["机构编码", "机构名称", "所在区划"]),
                                ("区划代码", "regions", ["区划代码", "名称"])):
        frame = lists.get(key)
        if frame is None or frame.empty:
            continue
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for r in frame.to_dict("records"):
            sheet.append([r["key"], r["name"], r["region_code"]][:len(headers)])
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 24, 36
    return excel.save(book)
