"""The briefing in Word (python-docx), laid out as 公文 are (GB/T 9704): A4, margins, fonts by
role, page numbers in the footer; the layout the 督办通知 share. Identical content gives
identical bytes: fixed core properties and zip timestamps."""

import io
import zipfile
from datetime import datetime

from .issues import colophon, issue_line
from .model import Briefing, Figure, Paragraph, Table

# Word layout (GB/T 9704 党政机关公文格式): A4, margins, fonts by role. East Asian font
# names go into w:eastAsia so that Word on a government PC uses 仿宋_GB2312 / 黑体 /
# 方正小标宋简体 / 楷体_GB2312 where installed; the font table names a common substitute.
LATIN = "Times New Roman"
FONTS = {"body": "仿宋_GB2312", "heading": "黑体", "title": "方正小标宋简体", "subtitle": "楷体_GB2312"}
FONT_SUBSTITUTES = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体", "黑体": "SimHei"}
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TEXT_WIDTH_CM = 21.0 - MARGINS_CM["left"] - MARGINS_CM["right"]
RED = "C00000"

PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ppr_insert(ppr, element) -> None:
    """Insert a pPr child where the schema wants it (Word rejects out-of-order elements)."""
    rank = PPR_ORDER.index(_local(element.tag))
    for child in ppr:
        if _local(child.tag) in PPR_ORDER and PPR_ORDER.index(_local(child.tag)) > rank:
            child.addprevious(element)
            return
    ppr.append(element)


def _set_fonts(rpr, east_asia: str) -> None:
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _docx_styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    # Document defaults: Chinese body font and language instead of the template's theme fonts.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FONTS["body"])
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.attrib.pop(qn("w:bidi"), None)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _set_fonts(normal.element.get_or_add_rPr(), FONTS["body"])
    pf = normal.paragraph_format
    pf.first_line_indent = Pt(32)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True

    def add(name, style_id, font, size, *, align=None, indent=None, line=None, before=0, after=0, bold=False,
            keep_next=False, outline=None, color=None, border=None, border_top=None):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id      # ASCII ids, as Word writes them; the Chinese name shows in Word
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.bold = bold
        if color:
            style.font.color.rgb = RGBColor.from_string(color)
        _set_fonts(style.element.get_or_add_rPr(), font)
        p = style.paragraph_format
        p.first_line_indent = Pt(indent or 0)
        if line == "single":
            p.line_spacing_rule = WD_LINE_SPACING.SINGLE
        elif line:
            p.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.line_spacing = Pt(line)
        p.space_before, p.space_after = Pt(before), Pt(after)
        if align:
            p.alignment = align
        p.keep_with_next = keep_next
        ppr = style.element.get_or_add_pPr()
        if border or border_top:
            pbdr = OxmlElement("w:pBdr")
            for side, colour, size in (("top", border_top, "8"), ("bottom", border, "18")):
                if colour:
                    line = OxmlElement(f"w:{side}")
                    for k, v in {"val": "single", "sz": size, "space": "4", "color": colour}.items():
                        line.set(qn(f"w:{k}"), v)
                    pbdr.append(line)
            _ppr_insert(ppr, pbdr)
        if outline is not None:
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(outline))
            _ppr_insert(ppr, level)
        return style

    centre = WD_ALIGN_PARAGRAPH.CENTER
    add("简报标题", "BriefTitle", FONTS["title"], 22, align=centre, line=36, after=6)
    add("简报副标题", "BriefSubtitle", FONTS["subtitle"], 16, align=centre, line=28)
    add("简报题头", "BriefByline", FONTS["subtitle"], 12, align=centre, line=20, before=4)
    add("简报期号", "BriefIssue", FONTS["body"], 16, align=centre, line=28)
    add("简报编印", "BriefCompiler", FONTS["body"], 14, line=24, before=4)
    add("简报版记", "BriefColophon", FONTS["body"], 14, line=24, border_top="000000")
    add("简报落款", "BriefSignature", FONTS["body"], 16, align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)
    add("简报标注", "BriefMarker", FONTS["heading"], 12, align=centre, line=20, before=4, color=RED)
    add("简报分隔线", "BriefRule", FONTS["body"], 6, align=centre, line=8, after=12, border=RED)
    add("简报一级标题", "BriefHeading1", FONTS["heading"], 16, indent=32, line=28, before=8, keep_next=True,
        outline=0)
    add("简报题注", "BriefTableCaption", FONTS["heading"], 12, align=centre, line=20, before=4, after=2,
        keep_next=True)
    add("简报图题", "BriefFigureCaption", FONTS["heading"], 12, align=centre, line=20, after=8)
    add("简报图片", "BriefFigure", FONTS["body"], 12, align=centre, line="single", before=6, keep_next=True)
    add("简报表格", "BriefTableText", FONTS["body"], 10.5, line=15)
    add("简报表后", "BriefAfterTable", FONTS["body"], 6, line=10)
    add("简报注释", "BriefNote", FONTS["body"], 12, indent=24, line=20)
    add("简报页码", "BriefPageNumber", FONTS["body"], 14, align=centre, line="single")


def _docx_font_table(doc) -> None:
    """Name a common substitute for each 公文 font in word/fontTable.xml (w:altName), for a
    PC without 仿宋_GB2312 and the like."""
    from lxml import etree

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    for name, alt in FONT_SUBSTITUTES.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "modern" if "仿宋" in name or "楷体" in name
                                                    or name == "黑体" else "roman"})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "fixed" if name != "方正小标宋简体" else "variable"})
    if not hasattr(part, "element"):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph) -> None:
    """— PAGE — in the footer, as 公文 number their pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(el)

    paragraph.add_run("— ")
    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")
    paragraph.add_run(" —")


def add_table(doc, table: Table) -> None:
    """The table under its caption: header row shaded and repeated on each page, rows
    kept whole."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc.add_paragraph(table.caption, style="简报题注")
    align = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    total = sum(table.widths)
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in table.widths]
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        column.width = width
    for r, values in enumerate([table.columns] + table.rows):
        row = grid.rows[r]
        if r == 0:
            trpr = row._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            trpr.append(header)
        else:
            cant_split = OxmlElement("w:cantSplit")
            row._tr.get_or_add_trPr().append(cant_split)
        for c, (cell, text) in enumerate(zip(row.cells, values)):
            cell.width = widths[c]
            if r == 0:
                shade = OxmlElement("w:shd")
                for k, v in {"val": "clear", "color": "auto", "fill": "D9D9D9"}.items():
                    shade.set(qn(f"w:{k}"), v)
                cell._tc.get_or_add_tcPr().append(shade)   # before vAlign, as the schema orders them
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.style = doc.styles["简报表格"]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else align[table.align[c]]
            run = p.add_run(str(text))
            run.bold = r == 0 or None
    doc.add_paragraph(style="简报表后")


def setup_document(doc) -> None:
    """A4, 公文 margins and fonts, the briefing's paragraph styles, page numbers in the
    footer: the layout of the briefing and of the 督办通知 (notices.py)."""
    from docx.shared import Cm

    _docx_styles(doc)
    _docx_font_table(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    section.footer_distance = Cm(2.5)
    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].style = doc.styles["简报页码"]


def to_docx(briefing: Briefing) -> bytes:
    """The briefing as a Word document: A4, 公文 fonts and margins, page numbers in the
    footer, charts as images. Identical bytes for identical content."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    doc = Document()
    setup_document(doc)
    doc.add_paragraph(briefing.title, style="简报标题")
    doc.add_paragraph(briefing.subtitle, style="简报副标题")
    if briefing.issue_label:
        doc.add_paragraph(briefing.issue_label, style="简报期号")
    left, right = issue_line(briefing)
    line = doc.add_paragraph(f"{left}\t{right}", style="简报编印")
    line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    doc.add_paragraph(briefing.byline, style="简报题头")
    if briefing.marker:
        doc.add_paragraph(briefing.marker, style="简报标注")
    doc.add_paragraph(style="简报分隔线")
    for s in briefing.sections:
        doc.add_paragraph(s.heading, style="简报一级标题")
        for block in s.blocks:
            if isinstance(block, Paragraph):
                doc.add_paragraph(block.text, style="简报注释" if block.kind == "note" else None)
            elif isinstance(block, Table):
                add_table(doc, block)
            elif isinstance(block, Figure):
                if block.png:
                    run = doc.add_paragraph(style="简报图片").add_run()
                    run.add_picture(io.BytesIO(block.png), width=Cm(TEXT_WIDTH_CM - 0.2))
                    doc.add_paragraph(block.caption, style="简报图题")
    for w in briefing.warnings:
        doc.add_paragraph(w, style="简报注释")
    for line in colophon(briefing):
        doc.add_paragraph(line, style="简报版记")

    props = doc.core_properties
    issued = datetime(briefing.issued.year, briefing.issued.month, briefing.issued.day)
    props.title, props.subject = briefing.title, briefing.subtitle.strip("（）")
    props.author = props.last_modified_by = "托育示范城市创建监测"
    props.comments = briefing.byline
    props.keywords = "简报;托育;每千人口托位数"
    props.category = "简报"
    props.created = props.modified = issued
    props.revision = 1
    _drop_thumbnail(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), issued)


def _drop_thumbnail(doc) -> None:
    """python-docx's template carries a thumbnail of some other document; leave it out."""
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            rels.pop(rid)


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same archive with every entry dated `when`, so identical content gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(when.year, when.month, when.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
