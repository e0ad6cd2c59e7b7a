"""数据上报: download a template, upload filled files (checked whole before anything is
written), the import history with undo, and which county has not reported yet."""

import streamlit as st

from tuoyu.markup import literal
from tuoyu.tables import TABLE_ZH
from tuoyu.ui import access, selection, upload_page
from tuoyu.uploads.history import history_table
from tuoyu.uploads.read import IMPORTABLE, MAX_UPLOAD_MB, size_problem
from tuoyu.uploads.templates import table_label, template_name

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

sel = selection.current()
selection.page_header("数据上报", sel)

st.subheader("1. 下载模板")
pick, xlsx, csv = st.columns([2, 1, 1], vertical_alignment="bottom")
table = pick.selectbox("数据表", IMPORTABLE, format_func=table_label, key="upload_table")
xlsx.download_button("Excel 模板（含填写说明）", upload_page.upload_template(sel.path, table, "xlsx", sel.plan_region),
                     file_name=template_name(table, "xlsx"), mime=XLSX_MIME,
                     icon=":material/download:", key="upload_template_xlsx", width="stretch")
csv.download_button("CSV 模板", upload_page.upload_template(sel.path, table, "csv", sel.plan_region),
                    file_name=template_name(table, "csv"), mime="text/csv",
                    icon=":material/download:", key="upload_template_csv", width="stretch")
st.caption("Excel 模板的“填写说明”工作表列出每列的口径、允许取值和示例；机构编码、区划代码可从下拉列表选择。"
           "同一机构同一报告期再次上报时，新数据替换旧数据。")

st.subheader("2. 上传数据")
user, refusal = access.write_access()
if refusal:
    st.info(refusal, icon=":material/lock:")
elif user is None:
    st.caption(access.OPEN_WRITES_NOTICE)
# No type filter: the uploader would refuse an .xls in English; the import says why in Chinese.
files = None if refusal else st.file_uploader("选择填好的文件（CSV 或 XLSX，可多选）", accept_multiple_files=True,
                         key="upload_files", help=f"单个文件不超过{MAX_UPLOAD_MB}MB；CSV 可为 UTF-8 或 GBK 编码")
too_big = [p for p in (size_problem(f.name, f.size) for f in files or []) if p]
for problem in too_big:
    st.error(literal(problem), icon=":material/error:")
who = user.display_name if user else st.text_input(
    "记录人/上报单位", st.session_state.get("upload_who", ""), key="upload_by",
    placeholder="如：沙坡头区卫生健康局 张三", disabled=bool(refusal)).strip()
st.session_state["upload_who"] = who  # kept when the user visits another page and comes back
dry_run = st.checkbox("仅检查，不写入", key="upload_dry_run")
if st.button("检查" if dry_run else "检查并导入", type="primary", disabled=not files or not who or bool(too_big),
             key="upload_go",
             help=None if files and who else "请先选择文件并填写记录人/上报单位"):
    with st.status("正在检查数据……", expanded=False) as status:
        result = upload_page.import_uploads([(f.name, f.getvalue()) for f in files], who, dry_run, sel.plan_region, user)
        status.update(label="检查完成" if result.ok else "发现问题", state="complete" if result.ok else "error")
    st.session_state["upload_result"] = result

result = st.session_state.get("upload_result")
if result is not None and not result.ok:
    st.error(result.headline(), icon=":material/error:")
    st.dataframe(result.problem_table(), hide_index=True, width="stretch",
                 column_config={"问题": st.column_config.TextColumn(width="large"),
                                "行": st.column_config.NumberColumn(width="small")})
elif result is not None:
    show = st.success if result.batch_ids else st.info
    show(result.headline() + "\n\n" + "\n".join(f"- {literal(f.sentence())}" for f in result.files),
         icon=":material/check_circle:")

st.subheader("3. 导入记录")
undone = st.session_state.pop("upload_undo_result", None)
if undone is not None:
    (st.success if undone.ok else st.error)(literal(undone.message()))
history = upload_page.import_history(sel.path)
if history.empty:
    st.caption("尚无导入记录。")
for row in history.head(10).to_dict("records"):
    text, action = st.columns([6, 1], vertical_alignment="center")
    line = (f"**第{row['batch_id']}批** · {row['imported_at']:%Y-%m-%d %H:%M} · {literal(row['imported_by'])} · "
            f"{literal(row['file_name'])}（{TABLE_ZH[row['table_name']]}）新增{row['rows_added']}行，"
            f"替换{row['rows_replaced']}行")
    if row["is_undone"]:
        text.markdown(f":gray[{line} · **已撤销**（{literal(row['undone_by'])}，{row['undone_at']:%Y-%m-%d %H:%M}）]")
        continue
    text.markdown(line)
    with action.popover("撤销", icon=":material/undo:", width="stretch"):
        st.markdown(f"撤销后将删除本批新增的{row['rows_added']}行，并恢复被替换的{row['rows_replaced']}行。")
        if st.button(f"确认撤销第{row['batch_id']}批", type="primary", key=f"upload_undo_{row['batch_id']}",
                     disabled=not who, help=None if who else "请先在上方填写记录人/上报单位"):
            st.session_state["upload_undo_result"] = upload_page.undo_batch(row["batch_id"], who, user)
            st.session_state.pop("upload_result", None)
            st.rerun()
if len(history) > 10:
    with st.expander(f"全部导入记录（{len(history)}批）"):
        st.dataframe(history_table(history), hide_index=True, width="stretch")

st.subheader("4. 报送情况")
fresh = upload_page.report_freshness(sel.path, sel.plan_region)
if fresh.expected_quarter is None:
    st.caption("尚无机构报表。")
else:
    st.caption(f"各县区在营机构报送{fresh.expected_label}（本方案区域最新报告期）报表的情况；本期未报送、未报齐的县区在前。")
    st.dataframe(fresh.counties, hide_index=True, width="stretch",   # 本期未报送（最新为…） whole
                 column_config={"情况": st.column_config.TextColumn(width="large")})
    if not fresh.missing.empty:
        with st.expander(f"未报送机构名单（{len(fresh.missing)}家）"):
            st.dataframe(fresh.missing, hide_index=True, width="stretch")
