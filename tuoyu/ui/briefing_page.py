"""What pages/briefing.py (简报导出) needs: the briefing files for the selection and the 督办通知 section."""

import streamlit as st

from .loaders import con
from .selection import Selection


def briefing_files(sel: Selection, issued=None, progress=None):
    """The joint-meeting briefing for the selection as .docx, .pdf (where Chromium is
    installed), .xlsx and an HTML preview, dated `issued` (印发日期); progress(fraction,
    text) is told each step. Not cached: it is made on a button press, and the page keeps
    the result in session_state so that downloads and reruns do not make it again."""
    from .. import briefing
    return briefing.generate(con(), sel.plan, sel.region, sel.quarter, sel.counting, progress=progress,
                             issued=issued)


def notices_section(sel: Selection) -> None:
    """简报导出's 督办通知: on a press, one Word notice per unit below the selection that has a
    target 未达标/有风险 or sent no report this period, listed with why, in one zip."""
    from ..briefing import notices

    st.subheader("督办通知")
    st.caption("为所辖每个有未达标、有风险目标或本期未报送的县区（乡镇）各生成一份督办通知（Word），打包下载。")
    wanted = (sel.plan, sel.region, sel.quarter, sel.counting)
    if st.button("生成督办通知", key="brief_notices", icon=":material/mail:"):
        with st.spinner("正在生成督办通知……"):
            st.session_state["brief_notices_made"] = (wanted, notices.build(con(), sel.plan, sel.quarter, sel.counting,
                                                                            region=sel.region))
    stored = st.session_state.get("brief_notices_made")
    if not stored or stored[0] != wanted:
        return
    made = stored[1]
    if not made:
        st.success("所辖各地区本期均无需督办：没有未达标、有风险的目标，也没有未报送的。", icon=":material/check_circle:")
        return
    for n in made:
        st.text(f"{n.region_name}：{'；'.join(n.reasons)}")
    st.download_button(f"下载督办通知（{len(made)}份，.zip）", notices.to_zip(made),
                       file_name=f"督办通知_{sel.region_name}_{sel.quarter}.zip", mime="application/zip",
                       key="brief_notices_zip", on_click="ignore", icon=":material/download:")
