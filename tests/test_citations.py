"""Sources as 文号 + clause (tuoyu.citations): the seed number of a plan file's clause is
replaced by the plan's 文号 (data/base/plans.csv), or its title in 《》 where it has none."""

from tuoyu import citations, db, overview, review

DOCS = {"002": "闽卫人口〔2021〕88号", "000": "《中卫市创建全国婴幼儿照护服务示范城市活动方案》"}


def test_seed_number_becomes_the_document_number():
    assert citations.cite("002 三、(二)", DOCS) == "闽卫人口〔2021〕88号 三、(二)"


def test_document_without_number_is_cited_by_title_once():
    # the second clause of the same document is not preceded by its title again
    assert citations.cite("000 一、；000 附件2 第1条", DOCS) == \
        "《中卫市创建全国婴幼儿照护服务示范城市活动方案》一、；附件2 第1条"


def test_text_without_a_seed_number_is_kept():
    assert citations.cite("托育机构设置标准（试行）；000 附件2 第5条", DOCS) == \
        "托育机构设置标准（试行）；《中卫市创建全国婴幼儿照护服务示范城市活动方案》附件2 第5条"
    assert citations.cite("监测口径：按季度报送", DOCS) == "监测口径：按季度报送"
    assert citations.cite("999 一、", DOCS) == "999 一、"      # an unknown seed stays as written
    assert citations.cite(None, DOCS) == ""


def test_documents_come_from_the_plans(sample_con):
    docs = citations.documents(sample_con)
    # data/base/plans.csv: FUJIAN 002 闽卫人口〔2021〕88号; ZHONGWEI 000 has no 文号
    assert docs["002"] == "闽卫人口〔2021〕88号"
    assert docs["001"] == "国卫人口发〔2021〕17号"
    assert docs["000"] == "《中卫市创建全国婴幼儿照护服务示范城市活动方案》"


def test_pages_show_no_internal_ids(sample_con):
    view = overview.build(sample_con, "FUJIAN", "350000", "2024Q4", "filed")
    assert set(view.status["来源"]) <= {"闽卫人口〔2021〕88号 一、", "闽卫人口〔2021〕88号 三、(二)",
                                        "闽卫人口〔2021〕88号 三、(四)"}
    criteria, checklist = review.build(sample_con, "ZHONGWEI", "640500", "2024Q4")
    assert criteria["source"].iloc[0] == "《中卫市创建全国婴幼儿照护服务示范城市活动方案》附件2 第1条"
    assert not any(s[:3].isdigit() for s in list(criteria["source"]) + list(checklist["source"]))


def test_data_updated_is_the_build_then_the_latest_import(wcon):
    from tuoyu.uploads import write
    built = db.run(wcon, "data_updated").iloc[0]
    assert built["latest_quarter"] == "2024Q3"          # tests/fixture/reports.csv's latest quarter
    assert built["updated_at"] is not None
    data = "机构编码,报告期,托位数,乳儿班在托,托小班在托,托大班在托,保育人员数,持证保育人员数,是否达标\n" \
           "B1,2024Q3,50,5,15,20,8,6,是\n"
    result = write.import_files(wcon, [("r.csv", data.encode())], "测试", plan_region="990100")
    assert result.batch_ids == [1]
    after = db.run(wcon, "data_updated").iloc[0]
    imported_at = db.run(wcon, "import_batches")["imported_at"].iloc[0]
    assert after["updated_at"] == imported_at >= built["updated_at"]
