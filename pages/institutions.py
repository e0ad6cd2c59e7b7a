"""机构明细: the institutions behind a region's figures at the selected quarter, their
problem flags, filters and an Excel download of what is shown."""

import streamlit as st

from tuoyu import fmt, institutions
from tuoyu.markup import literal
from tuoyu.ui import loaders, selection, styling

sel = selection.current()
selection.page_header("机构明细", sel)

frame = loaders.institution_details(sel.path, sel.region, sel.quarter, sel.counting)
if frame.empty:
    st.info(f"{literal(sel.region_name)}在{fmt.period(sel.quarter)}末没有在营托育机构。")
    st.stop()

snap = loaders.snapshot(sel.path, sel.region, sel.quarter, sel.plan, sel.counting)
target = snap["year_target"]
gap, left_out, silent = st.columns(3)
gap.metric(f"距{target['year']}年目标尚需托位" if target else "距年度目标尚需托位",
           "未设目标" if target is None else fmt.NO_DATA if snap["slots_needed"] is None
           else f"{snap['slots_needed']} 个", help=fmt.definition("slots_needed"), border=True)
if target:
    styling.status_badge(gap, target["status"], f"{target['year']}年目标：{target['status']}")
left_out.metric("本期报表中未计入指标的托位", f"{fmt.count(institutions.left_out_slots(frame))} 个", border=True,
                help="按当前计入口径不计入的机构（默认：未备案）本期报表的托位数；备案后即计入每千人口托位数。")
silent.metric("本期未报机构", f"{fmt.count(institutions.summary(frame)['not_reported'])} 家", border=True,
              help="本季度内没有报表的在营机构，其托位、在托不在本期数字中。")

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
    st.download_button("下载筛选结果（Excel）", lambda: institutions.to_excel(shown),   # written on a press
                       file_name=institutions.excel_name(sel.region_name, sel.quarter),
                       mime=institutions.EXCEL_MIME, key="inst_download", on_click="ignore",
                       icon=":material/download:")

with st.expander("问题标记口径说明"):
    for flag in institutions.FLAGS.itertuples():
        st.markdown(f"**{flag.label_zh}**（本期 {counts[flag.code]} 家）：{flag.definition}  \n"
                    f":gray[来源：{loaders.cite(flag.source)}]")
