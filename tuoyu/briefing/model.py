"""The briefing as a document model — sections of paragraphs, tables and chart figures, with
the sheets of its workbook — that content.assemble fills and word, pdf and workbook render."""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd


@dataclass
class Paragraph:
    text: str
    kind: str = "body"           # body | note


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]          # relative column widths
    align: str                   # one letter per column: l / c / r


@dataclass
class Figure:
    caption: str
    name: str                    # trend | units
    figure: object = field(default=None, repr=False, compare=False)
    png: bytes | None = field(default=None, repr=False, compare=False)


@dataclass
class Section:
    heading: str                 # without its number: numbered when the briefing is built
    blocks: list
    kind: str = "body"           # body | notes


@dataclass
class Briefing:
    title: str
    subtitle: str
    byline: str
    marker: str | None           # 示例数据 notice when the dataset carries a label
    headline: str                # the first sentence of 一、总体进展
    sections: list[Section]
    sheets: dict[str, pd.DataFrame]
    region_name: str
    quarter: str
    plan: str
    issued: date                 # 印发日期: the as-of day unless given
    file_stem: str
    as_of: date                  # the one 截至 date of the document (DESIGN §4.3)
    issue_label: str | None = None   # 第N期
    compiler: str = ""           # 编印单位
    send_to: str = ""            # 报送
    copy_to: str = ""            # 抄送
    formats: dict = field(default_factory=dict)   # Excel number formats: sheet → column → format
    warnings: list[str] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
