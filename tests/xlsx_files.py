"""Workbooks built by hand for the upload tests and scripts/measure_uploads.py: one sheet
(named 机构报表) whose rows are written in blocks, so that neither the test nor the script
ever holds the unpacked sheet — small on disk, as large as asked unpacked."""

import io
import zipfile

_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                           'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                       'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                       '<sheets><sheet name="机构报表" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                  'package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"'
                                  ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                  'worksheet"/></Relationships>',
}


def row(values) -> bytes:
    """One <row> of inline-text cells."""
    return b"<row>" + b"".join(b'<c t="inlineStr"><is><t>' + str(v).encode() + b"</t></is></c>"
                               for v in values) + b"</row>"


def streamed_xlsx(first_rows: bytes, repeated_row: bytes, repeat: int, level: int = 1) -> bytes:
    """An XLSX of `first_rows` then `repeated_row` `repeat` times (in thousands)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                       b'2006/main"><sheetData>' + first_rows)
            block = repeated_row * 1000
            for _ in range(repeat // 1000):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()
