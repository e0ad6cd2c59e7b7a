"""简报导出 (DESIGN §7 item 7): the joint-meeting briefing, its workbook and the 督办通知.

The briefing is assembled once (content.assemble) from what the pages show into a small
document model (model.py) and rendered three ways: Word (word.py, 公文 layout), HTML and
through headless Chromium the PDF (pdf.py), and Excel (workbook.py, every table the pages
show); the charts are drawn to images once for Word and PDF (images.py). The same data
gives the same briefing. notices.py writes the 督办通知 in the same layout. `generate` is
the one call of the page and the CLI."""

import time
from dataclasses import dataclass, field
from datetime import date

from .. import indicators, institutions
from ..errors import BriefingError
from .content import assemble
from .images import render_images
from .pdf import to_html, to_pdf
from .word import to_docx
from .workbook import to_excel

__all__ = ["BriefingError", "DOCX_MIME", "Files", "PDF_MIME", "SUFFIXES", "XLSX_MIME", "assemble", "generate",
           "render_images", "to_docx", "to_excel", "to_html", "to_pdf"]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
XLSX_MIME = institutions.EXCEL_MIME
SUFFIXES = (".docx", ".pdf", ".xlsx", ".html")


@dataclass
class Files:
    headline: str
    file_stem: str
    docx: bytes | None = None
    pdf: bytes | None = None
    xlsx: bytes | None = None
    html: str | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def generate(con, plan: str, region: str, period: str, counting: str = indicators.DEFAULT_COUNTING,
             formats=(".docx", ".pdf", ".xlsx", ".html"), progress=None, today: date | None = None,
             issued: date | None = None) -> Files:
    """Assemble the briefing and render the formats asked for. `progress(fraction, text)`
    is told each step. A missing Chromium costs the PDF, never the rest (the charts are drawn without it):
    the reason is in Files.errors."""
    started = time.perf_counter()
    step = progress or (lambda fraction, text: None)
    step(0.05, "汇总各项数据……")
    briefing = assemble(con, plan, region, period, counting, today, issued)
    files = Files(briefing.headline, briefing.file_stem)
    if set(formats) & {".docx", ".pdf", ".html"}:
        step(0.25, "生成图表……")
        render_images(briefing)
        files.errors += briefing.warnings
    if ".docx" in formats:
        step(0.55, "生成 Word 文件……")
        files.docx = to_docx(briefing)
    if set(formats) & {".pdf", ".html"}:
        files.html = to_html(briefing)
    if ".pdf" in formats:
        step(0.65, "生成 PDF 文件……")
        try:
            files.pdf = to_pdf(briefing, files.html)
        except BriefingError as exc:
            files.errors.append(str(exc))
    if ".xlsx" in formats:
        step(0.9, "生成 Excel 文件……")
        files.xlsx = to_excel(briefing)
    files.seconds = time.perf_counter() - started
    step(1.0, f"完成，用时 {files.seconds:.1f} 秒")
    return files
