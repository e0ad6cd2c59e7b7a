"""简报导出: the joint meeting's briefing in one click — Word and PDF to print and read
aloud as they are, every table of the pages in one Excel workbook, and a preview."""

import streamlit as st
import streamlit.components.v1 as components

from tuoyu import briefing, periods
from tuoyu.ui import briefing_page, selection

sel = selection.current()
selection.page_header("简报导出", sel)
st.markdown("按左侧所选方案、地区和报告期生成联席会议简报：总体进展、县区情况、评审指标、重点任务、"
            "变化情况和口径说明，附趋势图和县区对比图。Word 和 PDF 可直接打印；Excel 含各页面的全部表格。")

as_of = periods.as_of(sel.quarter)
issued = st.date_input("印发日期", value=as_of, key="brief_issued", format="YYYY-MM-DD",
                       help=f"默认为数据截至日（{periods.label(sel.quarter)}末）；期号按方案连续编号，同一报告期再次生成时沿用。")
wanted = (sel.plan, sel.region, sel.quarter, sel.counting, issued)
if st.button("生成简报", type="primary", key="brief_generate", icon=":material/description:"):
    with st.status("正在生成简报……", expanded=True) as status:
        bar = st.progress(0.0, text="准备中……")
        try:
            made = briefing_page.briefing_files(sel, issued, progress=lambda fraction, text: bar.progress(fraction, text=text))
        except briefing.BriefingError as exc:
            status.update(label="简报未能生成", state="error")
            st.error(str(exc))
            st.stop()
        status.update(label=f"简报已生成，用时 {made.seconds:.1f} 秒", state="complete", expanded=False)
    st.session_state["brief_files"] = (wanted, made)

briefing_page.notices_section(sel)

stored = st.session_state.get("brief_files")
if not stored or stored[0] != wanted:
    st.info("点击“生成简报”。图表和 PDF 需要几秒钟生成；换了方案、地区或报告期后请重新生成。",
            icon=":material/info:")
    st.stop()

files = stored[1]
st.markdown(f"**{files.headline}**")
for error in files.errors:
    st.warning(error, icon=":material/warning:")

word, pdf, excel = st.columns(3)
word.download_button("下载 Word（.docx）", files.docx, file_name=f"{files.file_stem}.docx",
                     mime=briefing.DOCX_MIME, key="brief_docx", on_click="ignore", type="primary",
                     icon=":material/download:", width="stretch")
if files.pdf:
    pdf.download_button("下载 PDF", files.pdf, file_name=f"{files.file_stem}.pdf", mime=briefing.PDF_MIME,
                        key="brief_pdf", on_click="ignore", icon=":material/picture_as_pdf:", width="stretch")
else:
    pdf.caption("本机无法生成 PDF，可下载 Word 后另存为 PDF。")
excel.download_button("下载 Excel（全部表格）", files.xlsx, file_name=f"{files.file_stem}.xlsx",
                      mime=briefing.XLSX_MIME, key="brief_xlsx", on_click="ignore",
                      icon=":material/table_view:", width="stretch")

st.subheader("预览")
st.caption("与 Word、PDF 内容相同；分页以打印件为准。")
components.html(files.html, height=1100, scrolling=True)
