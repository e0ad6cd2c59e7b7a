"""The briefing as one self-contained HTML page (the page's preview), and that page printed
to PDF by headless Chromium; the CSS repeats the Word file's 公文 layout."""

import base64
import html as html_lib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BriefingError
from .issues import colophon, issue_line
from .model import Briefing, Figure, Paragraph, Table
from .word import MARGINS_CM, RED

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_CHROMIUM = ("未找到 Chromium 浏览器，无法生成 PDF（Word 和 Excel 文件不受影响）。"
               "请安装：apt-get install chromium fonts-noto-cjk，或用环境变量 TUOYU_CHROMIUM 指定浏览器路径。")

SERIF = '"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif'
SANS = '"黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
TITLE = '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif'
KAI = '"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif'
CSS = f"""
@page {{ size: A4; margin: {MARGINS_CM['top']}cm {MARGINS_CM['right']}cm {MARGINS_CM['bottom']}cm {MARGINS_CM['left']}cm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: "Times New Roman", {SERIF}; font-size: 14pt; }} }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: {SERIF}; font-size: 16pt; line-height: 28pt; color: #000; margin: 0; background: #fff; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
h1 {{ font-family: {TITLE}; font-size: 22pt; line-height: 36pt; font-weight: bold; text-align: center; margin: 0 0 6pt; }}
.subtitle {{ font-family: {KAI}; text-align: center; text-indent: 0; }}
.byline {{ font-family: {KAI}; font-size: 12pt; line-height: 20pt; text-align: center; text-indent: 0; margin-top: 4pt; }}
.marker {{ font-family: {SANS}; font-size: 12pt; line-height: 20pt; color: #{RED}; text-align: center; text-indent: 0; margin-top: 4pt; }}
hr {{ border: 0; border-top: 2.25pt solid #{RED}; margin: 6pt 0 12pt; }}
.issue {{ text-align: center; text-indent: 0; }}
.compiler {{ font-size: 14pt; line-height: 24pt; text-indent: 0; display: flex; justify-content: space-between; margin-top: 4pt; }}
.colophon {{ margin-top: 24pt; border-top: 1pt solid #000; break-inside: avoid; }}
.colophon p {{ font-size: 14pt; line-height: 24pt; text-indent: 0; border-bottom: 1pt solid #000; }}
h2 {{ font-family: {SANS}; font-weight: normal; font-size: 16pt; line-height: 28pt; margin: 8pt 0 0; text-indent: 2em; break-after: avoid; }}
figure {{ margin: 6pt 0 8pt; text-align: center; break-inside: avoid; }}
figure img {{ width: 100%; display: block; }}
figcaption, .caption {{ font-family: {SANS}; font-size: 12pt; line-height: 20pt; text-align: center; text-indent: 0; }}
.caption {{ padding: 4pt 0 2pt; break-after: avoid; }}
.table {{ margin: 0; }}
.table thead, .table tbody tr:first-child {{ break-before: avoid; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10.5pt; line-height: 15pt; margin: 0 0 10pt; }}
th, td {{ border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: middle; overflow-wrap: anywhere; }}
th {{ background: #d9d9d9; font-family: {SANS}; font-weight: normal; text-align: center; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
td.l {{ text-align: left; }} td.c {{ text-align: center; }} td.r {{ text-align: right; }}
.notes p {{ font-size: 12pt; line-height: 20pt; }}
@media screen {{ body {{ max-width: 15.6cm; margin: 1.5cm auto; padding: 0 1cm; }} }}
"""


def _breakable(text: str) -> str:
    """Allow a line break before a full-width bracket that follows a figure: “2.5%（4.4%）”
    is otherwise one unbreakable run, and a justified line before it gapes."""
    return re.sub(r"(?<=[0-9A-Za-z%])（", "<wbr>（", text)


def to_html(briefing: Briefing) -> str:
    """The briefing as one self-contained HTML page (images inline): the page's preview and
    the source of the PDF."""
    e = html_lib.escape
    out = ["<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{e(briefing.title)}{e(briefing.subtitle)}</title><style>{CSS}</style></head><body>",
           f"<header><h1>{e(briefing.title)}</h1><p class=\"subtitle\">{e(briefing.subtitle)}</p>",
           (f"<p class=\"issue\">{e(briefing.issue_label)}</p>" if briefing.issue_label else ""),
           "<p class=\"compiler\">" + "".join(f"<span>{e(part)}</span>" for part in issue_line(briefing)) + "</p>",
           f"<p class=\"byline\">{e(briefing.byline)}</p>"]
    if briefing.marker:
        out.append(f"<p class=\"marker\">{e(briefing.marker)}</p>")
    out.append("<hr></header>")
    for s in briefing.sections:
        out.append(f"<section class=\"{s.kind}\"><h2>{e(s.heading)}</h2>")
        for block in s.blocks:
            if isinstance(block, Paragraph):
                out.append(f"<p>{_breakable(e(block.text))}</p>")
            elif isinstance(block, Table):
                total = sum(block.widths)
                cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in block.widths)
                head = "".join(f"<th>{e(c)}</th>" for c in block.columns)
                body = "".join("<tr>" + "".join(f'<td class="{a}">{e(str(v))}</td>' for a, v in zip(block.align, row))
                               + "</tr>" for row in block.rows)
                # the caption as a block of its own, kept with the table (break-after: avoid)
                out.append(f"<div class=\"table\"><p class=\"caption\">{e(block.caption)}</p><table>"
                           f"<colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                           f"</table></div>")
            elif isinstance(block, Figure) and block.png:
                data = base64.b64encode(block.png).decode("ascii")
                out.append(f'<figure><img alt="{e(block.caption)}" src="data:image/png;base64,{data}">'
                           f"<figcaption>{e(block.caption)}</figcaption></figure>")
        out.append("</section>")
    for w in briefing.warnings:
        out.append(f"<p class=\"marker\">{e(w)}</p>")
    lines = colophon(briefing)
    if lines:
        out.append("<footer class=\"colophon\">" + "".join(f"<p>{e(line)}</p>" for line in lines) + "</footer>")
    out.append("</body></html>")
    return "\n".join(out)


def chromium_path() -> str | None:
    """$TUOYU_CHROMIUM, else the first Chromium or Chrome on PATH."""
    pinned = os.environ.get("TUOYU_CHROMIUM")
    if pinned:
        return pinned if Path(pinned).exists() else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def to_pdf(briefing: Briefing, html: str | None = None) -> bytes:
    """The HTML rendering printed to PDF by headless Chromium. Raises BriefingError (in
    Chinese) when no Chromium is installed or it fails."""
    exe = chromium_path()
    if exe is None:
        raise BriefingError(NO_CHROMIUM)
    html = to_html(briefing) if html is None else html
    with tempfile.TemporaryDirectory(prefix="tuoyu-briefing-") as tmp:
        source, target = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        source.write_text(html, encoding="utf-8")
        command = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BriefingError(f"PDF 生成失败：无法运行 Chromium（{exc}）。Word 文件不受影响。") from exc
        if not target.exists() or target.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-3:]
            raise BriefingError(f"PDF 生成失败：Chromium 未输出文件（{' '.join(tail)}）。Word 文件不受影响。")
        return target.read_bytes()
