"""机构明细: the institutions behind a region's figures at the selected quarter, their
problem flags, filters and an Excel download of what is shown."""

import streamlit as st

from tuoyu import app, fmt, institutions
from tuoyu.markup import literal

sel = app.selection()
app.page_header("机构明细", sel)

frame = app.institution_details(sel.path, sel.region, sel.quarter, sel.counting)
if frame.empty:
    st.info(f"{literal(sel.region_name)}在{fmt.period(sel.quarter)}末没有在营托育机构。")
    st.stop()

counts = institutions.summary(frame)
for column, (key, label, definition) in zip(st.columns(len(institutions.SUMMARY)), institutions.SUMMARY):
    column.metric(label, f"{fmt.count(counts[key])} 家", help=definition)
st.caption(institutions.SCOPE_NOTE)

col_type, col_owner, col_puhui, col_flag = st.columns(4)
types = col_type.multiselect("类型", institutions.TYPES, key="inst_types", placeholder="全部")
ownerships = col_owner.multiselect("举办性质", institutions.OWNERSHIPS, key="inst_ownerships",
                                   placeholder="全部")
puhui = col_puhui.multiselect("是否普惠", list(institutions.PUHUI_LABELS), key="inst_puhui",
                              format_func=institutions.PUHUI_LABELS.get, placeholder="全部")
flags = col_flag.multiselect("问题标记", list(institutions.FLAG_LABELS), key="inst_flags",
                             format_func=institutions.FLAG_LABELS.get, placeholder="全部",
                             help="选中多项时，显示有其中任一标记的机构")
text = st.text_input("搜索机构", key="inst_search", placeholder="输入机构名称或编码的一部分")

shown = institutions.filter_frame(frame, types, ownerships, puhui, flags, text)
if shown.empty:
    st.info("没有符合筛选条件的机构")
else:
    st.caption(f"显示 {len(shown)} 家 / 共 {len(frame)} 家")
    column_config = {h: st.column_config.NumberColumn(format="%.1f%%") for h in institutions.PERCENT_HEADERS}
    column_config |= {h: st.column_config.DateColumn(format="YYYY-MM-DD") for h in institutions.DATE_HEADERS}
    st.dataframe(institutions.display_frame(shown), hide_index=True, column_config=column_config)
    st.download_button("下载筛选结果（Excel）", institutions.to_excel(shown),
                       file_name=institutions.excel_name(sel.region_name, sel.quarter),
                       mime=institutions.EXCEL_MIME, key="inst_download", on_click="ignore",
                       icon=":material/download:")

with st.expander("问题标记口径说明"):
    for flag in institutions.FLAGS.itertuples():
        st.markdown(f"**{flag.label_zh}**（本期 {counts[flag.code]} 家）：{flag.definition}  \n"
                    f":gray[来源：{flag.source}]")
