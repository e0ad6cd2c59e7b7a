"""Accounts, sign-in and permissions (issue 9) on a copy of the fixture database."""

from datetime import datetime, timedelta

import pytest

from tuoyu import auth, db, tasks


@pytest.fixture
def clerk(wcon):
    return auth.add_user(wcon, "yixian", "乙县填报员", "correct-horse", "县区填报", ("990102",))


def test_password_stored_only_as_argon2_hash(wcon, clerk):
    stored = wcon.execute("select password_hash from users where username = 'yixian'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct-horse" not in stored
    assert auth.sign_in(wcon, "yixian", "correct-horse") == clerk


def test_wrong_password_and_unknown_user_get_the_same_answer_and_work(wcon, clerk, monkeypatch):
    verified = []

    class Counting:  # the real hasher, noting each hash it verifies against
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, password_hash, password):
            verified.append(password_hash)
            return real.verify(password_hash, password)

    real = auth._hasher
    monkeypatch.setattr(auth, "_hasher", Counting())
    with pytest.raises(auth.AuthError, match="^用户名或密码错误$"):
        auth.sign_in(wcon, "yixian", "wrong-password")
    with pytest.raises(auth.AuthError, match="^用户名或密码错误$"):
        auth.sign_in(wcon, "nobody", "whatever-pass")
    # one argon2 verification each: the unknown name against a hash no password matches
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)
    assert verified[0] != verified[1]


def attempts(con, name, password, at, n, client=None):
    """The answers to n attempts one second apart."""
    out = []
    for i in range(n):
        try:
            auth.sign_in(con, name, password, at=at + timedelta(seconds=i), client=client)
            out.append("ok")
        except auth.AuthError as exc:
            out.append(str(exc))
    return out


def test_repeated_failures_wait_a_few_seconds_for_known_and_unknown_names_alike(wcon, clerk):
    t0 = datetime(2026, 11, 23, 9, 0)
    # 5 free failures, then the name waits 2 s after the 5th (at 09:00:04 → until :06)
    expected = ["用户名或密码错误"] * 5 + ["尝试次数过多，请1秒后再试"]
    assert attempts(wcon, "yixian", "bad", t0, 6, client="192.0.2.1") == expected
    assert attempts(wcon, "nobody", "bad", t0, 6, client="192.0.2.2") == expected
    # even the right password waits, then gets in: no quarter-hour lock
    with pytest.raises(auth.AuthError, match="请1秒后再试"):
        auth.sign_in(wcon, "yixian", "correct-horse", at=t0 + timedelta(seconds=5), client="192.0.2.3")
    assert auth.sign_in(wcon, "yixian", "correct-horse", at=t0 + timedelta(seconds=6),
                        client="192.0.2.3").username == "yixian"


def test_the_wait_stays_short_however_many_failures(wcon, clerk):
    t0 = datetime(2026, 11, 23, 9, 0)
    at = t0
    for _ in range(40):  # an attacker trying as fast as the wait allows
        with pytest.raises(auth.AuthError):
            auth.sign_in(wcon, "yixian", "bad", at=at, client=f"10.0.0.{_}")
        at += timedelta(seconds=auth.BY_NAME.wait("name:yixian", at) or 1)
    assert auth.BY_NAME.wait("name:yixian", at) <= 30
    later = at + timedelta(seconds=30)
    assert auth.sign_in(wcon, "yixian", "correct-horse", at=later).username == "yixian"


def test_one_client_trying_many_names_waits_other_clients_do_not(wcon, clerk):
    t0 = datetime(2026, 11, 23, 9, 0)
    for i in range(10):
        with pytest.raises(auth.AuthError, match="^用户名或密码错误$"):
            auth.sign_in(wcon, f"guess{i}", "bad", at=t0 + timedelta(seconds=i), client="203.0.113.9")
    with pytest.raises(auth.AuthError, match="尝试次数过多"):
        auth.sign_in(wcon, "yixian", "correct-horse", at=t0 + timedelta(seconds=10), client="203.0.113.9")
    assert auth.sign_in(wcon, "yixian", "correct-horse", at=t0 + timedelta(seconds=10),
                        client="198.51.100.7").username == "yixian"


def test_disabled_account_said_only_to_whoever_gives_its_password(wcon, clerk):
    auth.set_disabled(wcon, "yixian", True)
    with pytest.raises(auth.AuthError, match="^用户名或密码错误$"):
        auth.sign_in(wcon, "yixian", "wrong-password")
    with pytest.raises(auth.AuthError, match="已停用"):
        auth.sign_in(wcon, "yixian", "correct-horse")


def test_county_clerk_may_write_only_within_their_regions(wcon, clerk):
    assert auth.regions_outside(wcon, clerk, ["990102"]) == set()
    assert auth.regions_outside(wcon, clerk, ["990102", "990101", "990101001"]) == {"990101", "990101001"}
    town_clerk = auth.add_user(wcon, "jia", "甲县填报员", "password-1", "县区填报", ("990101",))
    assert auth.regions_outside(wcon, town_clerk, ["990101001"]) == set()   # a township below 甲县
    viewer = auth.add_user(wcon, "boss", "领导", "password-2", "查看")
    assert auth.regions_outside(wcon, viewer, ["990102"]) == {"990102"}
    assert auth.regions_outside(wcon, auth.LOCAL_ADMIN, ["990102"]) == set()


def test_undo_and_task_permissions(wcon, clerk):
    assert auth.may_undo(clerk, "yixian") and not auth.may_undo(clerk, "someone-else")
    edu = auth.add_user(wcon, "edu", "教育局", "password-3", "责任单位", department="市教育局")
    assert auth.may_update_task(edu, "市发展改革委、市卫生健康委、市教育局、市住房城乡建设局")
    assert not auth.may_update_task(edu, "市民政局、市卫生健康委")
    assert not auth.may_update_task(clerk, "市教育局")


def test_only_admins_manage_accounts(wcon, clerk):
    with pytest.raises(auth.AuthError, match="只有管理员"):
        auth.add_user(wcon, "x", "x", "password-4", "查看", actor=clerk)
    with pytest.raises(auth.AuthError, match="未知区划代码 123456"):
        auth.add_user(wcon, "y", "y", "password-5", "县区填报", ("123456",))
    with pytest.raises(auth.AuthError, match="至少需要8位"):
        auth.add_user(wcon, "z", "z", "short", "查看")


def test_audit_log_holds_each_event(wcon, clerk):
    with pytest.raises(auth.AuthError):
        auth.sign_in(wcon, "yixian", "bad")
    auth.sign_in(wcon, "yixian", "correct-horse")
    auth.set_password(wcon, "yixian", "new-password")
    events = auth.audit_events(wcon)
    actions = list(events["action"])[::-1]       # oldest first
    assert actions == ["user_add", "sign_in_failed", "sign_in", "user_passwd"]
    assert list(events["username"])[::-1] == ["cli", "yixian", "yixian", "cli"]
    assert list(events["ok"])[::-1] == [True, False, True, True]


def test_a_name_that_does_not_exist_is_never_stored(wcon, clerk):
    # a password typed into the name field by mistake
    for _ in range(7):
        with pytest.raises(auth.AuthError):
            auth.sign_in(wcon, "correct-horse-battery", "yixian")
    events = auth.audit_events(wcon)
    failed = events[events["action"] == "sign_in_failed"]
    assert len(failed) == 7 and failed["username"].isna().all()
    stored = wcon.execute("select string_agg(coalesce(username, '') || detail, '|') from audit_log").fetchone()[0]
    assert "correct-horse-battery" not in stored


def test_sign_in_required_by_configuration(wcon, monkeypatch):
    monkeypatch.delenv("TUOYU_REQUIRE_SIGNIN", raising=False)
    assert auth.sign_in_required_for(db.dataset_label(wcon))          # the fixture is not the sample: sign-in by default
    monkeypatch.setenv("TUOYU_REQUIRE_SIGNIN", "0")
    assert not auth.sign_in_required_for(db.dataset_label(wcon))


def test_session_timeout():
    t = datetime(2026, 11, 23, 9, 0)
    assert not auth.session_expired(t, t + timedelta(minutes=29))
    assert auth.session_expired(t, t + timedelta(minutes=31))


# ------------------------------------------------------------------ the dashboard

from tests.apptest import run_app  # noqa: E402


def test_sign_in_form_when_required_then_pages(monkeypatch, db_copy):
    con = db.connect(db_copy)
    auth.add_user(con, "admin1", "管理员甲", "admin-password", "管理员")
    con.close()
    monkeypatch.setenv("TUOYU_REQUIRE_SIGNIN", "1")
    at = run_app(monkeypatch, db_copy, plan="TESTPLAN", region="990100", period="2024Q3")
    assert at.title[0].value == "托育示范城市创建监测" and not at.metric   # only the form
    at.text_input[0].input("admin1")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert "用户名或密码错误" in at.error[0].value and not at.metric
    at.text_input[1].input("admin-password")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "总览" and at.metric                      # the pages after sign-in
    assert any("管理员甲" in c.value for c in at.sidebar.caption)


def test_reading_open_shows_pages_without_sign_in(monkeypatch, fixture_db_path):
    monkeypatch.setenv("TUOYU_REQUIRE_SIGNIN", "0")
    at = run_app(monkeypatch, fixture_db_path, plan="TESTPLAN", region="990100", period="2024Q3")
    assert at.title[0].value == "总览"


# ------------------------------------------------------------------ enforcement in the shared package

from tuoyu.uploads import history, write  # noqa: E402

REPORTS_2020 = ("institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,caregivers,"
                "caregivers_certified,meets_standard\n")


def population_csv(code: str) -> tuple[str, bytes]:
    return ("population.csv", f"region_code,year,resident_population,under3_population\n"
                              f"640522,2026,330000,9000\n{code},2026,334000,9100\n".encode("utf-8"))


def test_county_clerk_cannot_import_a_neighbours_row(sample_copy):
    clerk = auth.add_user(sample_copy, "haiyuan", "海原县填报员", "password-hy", "县区填报", ("640522",))
    before = sample_copy.execute("select count(*), sum(resident_population) from population").fetchone()
    result = write.import_files(sample_copy, [population_csv("640521")], "ignored", user=clerk)
    assert not result.ok and result.batch_ids == []
    assert [str(p) for p in result.problems] == [
        "population.csv 第3行 “区划代码”列：区划 640521 不在您负责的范围（640522）内，无权上报"]
    assert sample_copy.execute("select count(*), sum(resident_population) from population").fetchone() == before
    ok = write.import_files(sample_copy, [("population.csv", b"region_code,year,resident_population\n"
                                                               b"640522,2026,330000\n")], "ignored", user=clerk)
    assert ok.ok and history.batches(sample_copy)["imported_by"].iloc[0] == "haiyuan"


INSTITUTIONS_HEADER = ("institution_id,name,region_code,type,ownership,is_puhui,registered_on,filed_on,closed_on,"
                       "is_demonstration,is_guidance_center\n")
NEIGHBOURS = "52640521MJ2797403Y"   # 中宁县 640521: closed in 2020, no reports, so it could be moved


def test_county_clerk_cannot_take_over_a_neighbours_institution(sample_copy):
    clerk = auth.add_user(sample_copy, "haiyuan", "海原县填报员", "password-hy", "县区填报", ("640522",))
    stored = sample_copy.execute("select * from institutions where institution_id = ?", [NEIGHBOURS]).fetchone()
    taken = INSTITUTIONS_HEADER + f"{NEIGHBOURS},海原县米乐托育点,640522,家庭托育点,民办,否,2018-04-24,,,否,否\n"
    report = ("reports.csv", (REPORTS_2020 + f"{NEIGHBOURS},2020Q1,10,0,2,3,2,1,是\n").encode())
    result = write.import_files(sample_copy, [("institutions.csv", taken.encode()), report], "x", user=clerk)
    assert [str(p) for p in result.problems] == [
        f"institutions.csv 第2行 “所在县区(或乡镇)代码”列：机构 {NEIGHBOURS} 库中所在区划 640521 不在您负责的范围"
        "（640522）内，无权修改",
        f"reports.csv 第2行 “机构编码”列：机构 {NEIGHBOURS} 所在区划 640521 不在您负责的范围（640522）内，无权上报"]
    assert sample_copy.execute("select * from institutions where institution_id = ?", [NEIGHBOURS]).fetchone() == stored
    assert history.batches(sample_copy).empty


def test_an_institution_outside_the_plan_area_cannot_be_moved_into_it(sample_copy):
    # 52640105MJ8258750J: 西夏区 640105 (银川市), no reports, so nothing else stops the move
    moved = INSTITUTIONS_HEADER + "52640105MJ8258750J,搬来的托育点,640522,托育机构,民办,否,2018-02-06,,,否,否\n"
    result = write.import_files(sample_copy, [("institutions.csv", moved.encode())], "管理员", plan_region="640500")
    assert [p.message for p in result.problems] == [
        "机构 52640105MJ8258750J 库中所在区划 640105（西夏区）不在本方案区域（中卫市）内"]


def test_county_clerk_cannot_undo_another_users_batch(sample_copy):
    other = auth.add_user(sample_copy, "zhongning", "中宁县填报员", "password-zn", "县区填报", ("640521",))
    clerk = auth.add_user(sample_copy, "haiyuan", "海原县填报员", "password-hy", "县区填报", ("640522",))
    done = write.import_files(sample_copy, [("population.csv", b"region_code,year,resident_population\n"
                                                                 b"640521,2026,334000\n")], "x", user=other)
    (batch,) = done.batch_ids
    refused = history.undo(sample_copy, batch, "x", user=clerk)
    assert not refused.ok and "只能撤销本人上报的批次（本批上报人：zhongning）" in refused.reasons
    assert history.undo(sample_copy, batch, "x", user=other).ok


def test_task_updates_only_within_ones_department(sample_copy):
    edu = auth.add_user(sample_copy, "edu", "市教育局联络员", "password-ed", "责任单位", department="市教育局")
    clerk = auth.add_user(sample_copy, "haiyuan", "海原县填报员", "password-hy", "县区填报", ("640522",))
    with pytest.raises(tasks.LedgerError, match="无权更新"):
        tasks.update_task(sample_copy, "ZHONGWEI-05", "进行中", "x", user=edu)     # 市人力资源社会保障局 only
    with pytest.raises(tasks.LedgerError, match="无权更新"):
        tasks.update_task(sample_copy, "ZHONGWEI-01", "进行中", "x", user=clerk)
    change = tasks.update_task(sample_copy, "ZHONGWEI-01", "进行中", "教育局已完成摸底", user=edu)
    assert change.changed_by == "市教育局联络员" and change.new_status == "进行中"


def test_every_write_is_in_the_audit_log(sample_copy):
    clerk = auth.add_user(sample_copy, "haiyuan", "海原县填报员", "password-hy", "县区填报", ("640522",))
    edu = auth.add_user(sample_copy, "edu", "市教育局联络员", "password-ed", "责任单位", department="市教育局")
    write.import_files(sample_copy, [population_csv("640521")], "x", user=clerk)                 # refused
    done = write.import_files(sample_copy, [("population.csv", b"region_code,year,resident_population\n"
                                                                 b"640522,2026,330000\n")], "x", user=clerk)
    history.undo(sample_copy, done.batch_ids[0], "x", user=clerk)
    tasks.update_task(sample_copy, "ZHONGWEI-01", "进行中", "摸底", user=edu)
    events = auth.audit_events(sample_copy).iloc[::-1]
    assert list(zip(events["username"], events["action"], events["ok"])) == [
        ("cli", "user_add", True), ("cli", "user_add", True),
        ("haiyuan", "import", False), ("haiyuan", "import", True), ("haiyuan", "undo", True),
        ("edu", "task_update", True)]
    assert "批次 1" in events["detail"].iloc[3] and "ZHONGWEI-01" in events["detail"].iloc[5]


# ------------------------------------------------------------------ a session ends at its next write

POPULATION_2026 = ("population.csv", b"region_code,year,resident_population\n640522,2026,330000\n")


def _data_state(con):
    return con.execute("select (select count(*) from import_batches), (select count(*) from population), "
                       "(select count(*) from task_history), (select count(*) from users)").fetchone()


@pytest.mark.parametrize("change", ["disabled", "new password"])
def test_a_session_ends_at_its_next_write_once_its_account_changed(sample_copy, change):
    for name, role, extra in (("haiyuan", "县区填报", {"region_codes": ("640522",)}),
                              ("edu", "责任单位", {"department": "市教育局"}),
                              ("boss", "管理员", {})):
        auth.add_user(sample_copy, name, name, f"password-{name}", role, **extra)
    clerk, edu, boss = (auth.sign_in(sample_copy, n, f"password-{n}") for n in ("haiyuan", "edu", "boss"))
    (batch,) = write.import_files(sample_copy, [POPULATION_2026], "x", user=clerk).batch_ids   # still fine
    for name in ("haiyuan", "edu", "boss"):
        if change == "disabled":
            auth.set_disabled(sample_copy, name, True)
        else:
            auth.set_password(sample_copy, name, "reset-by-admin")
    before = _data_state(sample_copy)
    expected = "已被停用" if change == "disabled" else "密码已被更改"
    writes = [lambda: write.import_files(sample_copy, [population_csv("640522")], "x", user=clerk),
              lambda: history.undo(sample_copy, batch, "x", user=clerk),
              lambda: tasks.update_task(sample_copy, "ZHONGWEI-01", "进行中", "摸底", user=edu),
              lambda: auth.add_user(sample_copy, "new", "new", "password-new", "查看", actor=boss),
              lambda: auth.set_disabled(sample_copy, "haiyuan", False, actor=boss)]
    for attempt in writes:
        with pytest.raises(auth.SessionEnded, match=expected):
            attempt()
    assert _data_state(sample_copy) == before
    events = auth.audit_events(sample_copy).head(len(writes)).iloc[::-1]
    assert list(events["action"]) == ["import", "undo", "task_update", "user_add", "user_enable"]
    assert not events["ok"].any() and events["detail"].str.startswith("会话已结束").all()


def test_the_dashboard_signs_out_a_disabled_account_before_it_writes(monkeypatch, db_copy):
    con = db.connect(db_copy)
    auth.add_user(con, "jia", "甲县填报员", "password-jia", "县区填报", ("990101",))
    con.close()
    at = run_app(monkeypatch, db_copy, plan="TESTPLAN", region="990100", period="2024Q3")
    at.text_input(key="side_sign_in_user").input("jia")
    at.text_input(key="side_sign_in_password").input("password-jia")
    next(b for b in at.button if b.label == "登录").click().run()
    at.switch_page("pages/upload.py").run()
    assert any("已登录：甲县填报员" in c.value for c in at.sidebar.caption)
    report = (b"institution_id,period,slots,enrolled_infant,enrolled_toddler,enrolled_preschool,caregivers,"
              b"caregivers_certified,meets_standard\nA1,2024Q4,120,9,30,60,15,12,\xe6\x98\xaf\n")
    at.file_uploader(key="upload_files").set_value(("reports.csv", report, "text/csv")).run()

    other = db.connect(db_copy)          # an administrator elsewhere
    auth.set_disabled(other, "jia", True)
    other.close()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert any("您的账号已被停用，已退出登录" in w.value for w in at.warning)
    assert not any("已登录" in c.value for c in at.sidebar.caption)
    check = db.connect(db_copy)
    try:
        assert check.execute("select count(*) from import_batches").fetchone() == (0,)
    finally:
        check.close()
