"""Inboxes and task pages in the browser's terms: pages, fragments, redirects, messages."""

import pytest

from tests.support.cases import DOB, actions, case, do, start, task_of
from tests.support.web import HTMX, login
from webapp.services.cases import tasks
from webapp.services.uow import command


@pytest.fixture
def police(app, world):
    return login(app.test_client(), "police_a")


def test_inbox_lists_my_tasks_and_the_queue(app, world, police):
    mine = start(world.police, world.resident(name="Nguyễn Thị Lan"))
    theirs = start(world.police2, world.resident(name="Trần Văn Bình"))
    page = police.get("/").get_data(as_text=True)
    assert mine in page and theirs not in page
    page = police.get("/?scope=queue").get_data(as_text=True)
    assert mine in page and theirs in page and "Tiếp nhận, đối chiếu hồ sơ" in page


def test_search_ignores_diacritics_and_case(app, world, police):
    code = start(world.police, world.resident(name="Nguyễn Văn Ánh"))
    other = start(world.police, world.resident(name="Lê Thị Hoa"))
    page = police.get("/?scope=queue&q=nguyen van anh").get_data(as_text=True)
    assert code in page and other not in page
    pid = case(other).resident.personal_id
    page = police.get(f"/?scope=queue&q={pid}").get_data(as_text=True)
    assert other in page and code not in page


def test_htmx_gets_only_the_results_block(app, world, police):
    start(world.police, world.resident())
    response = police.get("/?scope=queue&q=lan", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "<table" in body
    assert "HX-Request" in response.headers["Vary"]


def test_empty_inbox_says_what_to_do(app, world, police):
    body = police.get("/").get_data(as_text=True)
    assert "Bạn chưa giữ việc nào" in body
    body = police.get("/?scope=queue&q=khong co ai").get_data(as_text=True)
    assert "Không có việc nào khớp bộ lọc" in body


def test_an_officer_holding_nothing_lands_on_the_queue_when_it_has_work(app, world, police):
    code = start(world.police2, world.resident())
    with command():
        tasks.release(world.police2, task_of(code, "verify_application").id)
    body = police.get("/").get_data(as_text=True)
    assert code in body and 'value="queue" checked' in body
    assert "Bạn chưa giữ việc nào" in police.get("/?scope=mine").get_data(as_text=True)  # asked for


def test_other_departments_and_communes_see_nothing_of_it(app, world):
    code = start(world.police, world.resident())
    for username in ("justice_a", "police_b", "police_hn"):
        client = login(app.test_client(), username)
        assert code not in client.get("/?scope=queue").get_data(as_text=True)
        task_id = task_of(code, "verify_application").id
        assert client.get(f"/tasks/{task_id}").status_code in (403, 404)


@pytest.mark.parametrize(
    ("referrer", "back_to"),
    [
        ("http://localhost/?scope=queue&q=lan", "/?scope=queue&q=lan"),  # the page it came from
        ("http://localhost/\\evil.example/", "/"),  # a backslash: browsers read another host
        ("http://localhost//evil.example/", "/"),
        ("http://evil.example/?scope=queue", "/"),
    ],
)
def test_a_claim_without_script_goes_back_only_to_a_page_of_this_site(world, police, referrer, back_to):
    code = start(world.police2, world.resident())
    task_id = task_of(code, "verify_application").id
    with command():
        tasks.release(world.police2, task_id)
    response = police.post(f"/tasks/{task_id}/claim", headers={"Referer": referrer})
    assert response.status_code == 303
    assert response.headers["Location"] == back_to


def test_claim_and_release_without_reload(app, world, police):
    code = start(world.police2, world.resident())
    task_id = task_of(code, "verify_application").id
    other = login(app.test_client(), "police_a2")
    other.post(f"/tasks/{task_id}/release", headers=HTMX)
    response = police.post(f"/tasks/{task_id}/claim", headers=HTMX)
    assert response.status_code == 200 and f'id="task-{task_id}"' in response.get_data(as_text=True)
    assert task_of(code, "verify_application").assignee_id == world.police.id
    lost = other.post(f"/tasks/{task_id}/claim", headers=HTMX)
    assert lost.status_code == 409 and "police_a" in lost.get_data(as_text=True)
    plain = police.post(f"/tasks/{task_id}/release")
    assert plain.status_code == 303
    assert task_of(code, "verify_application").assignee_id is None


def test_task_page_completes_and_says_where_the_case_went(app, world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Ngày sinh không khớp giữa các giấy tờ" in page and case(code).resident.full_name in page
    response = police.post(
        f"/tasks/{task.id}",
        data={
            "discrepancies": ["dob_mismatch"],
            "note": DOB["note"],
            "outcome": "to_justice",  # "Chuyển Tư pháp": a discrepancy is ticked
            "version": case(code).version,
        },
    )
    assert response.status_code == 303
    inbox = police.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã chuyển hồ sơ" in inbox and "Tư pháp – Hộ tịch" in inbox and world.commune_a.name in inbox
    assert case(code).current_steps == "capture_biometrics,triage_correction"  # one visit


def test_invalid_task_form_shows_the_rule_and_saves_nothing(app, world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    justice = login(app.test_client(), "justice_a")
    task = task_of(code, "triage_correction")
    before = (case(code).version, len(actions(code)))
    response = justice.post(
        f"/tasks/{task.id}", data={"procedure": "not_needed", "documents_complete": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Ghi lý do không cần xử lý" in body
    response = justice.post(f"/tasks/{task.id}", data={"procedure": "bogus"})
    assert response.status_code == 422 and 'class="field-error"' in response.get_data(as_text=True)
    assert (case(code).version, len(actions(code))) == before


def test_record_correction_takes_dates_as_people_write_them(app, world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    justice = login(app.test_client(), "justice_a")
    task = task_of(code, "record_correction")
    response = justice.post(
        f"/tasks/{task.id}",
        data={
            "decision_number": "15/QĐ-UBND",
            "decision_date": "20/11/2026",
            "change_birth_date": "17/05/1991",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    assert case(code).current_steps == "capture_biometrics,update_population_record"


def test_stale_form_is_a_conflict(app, world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    old = case(code).version
    police.post(f"/tasks/{task.id}/release")
    response = police.post(f"/tasks/{task.id}", data={"version": old})
    assert response.status_code == 409 and "tải lại" in response.get_data(as_text=True)
    assert case(code).current_steps == "verify_application"


def test_pages_need_sign_in_and_send_security_headers(app, world):
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get("/login")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    signed_in = login(app.test_client(), "police_a").get("/")
    assert signed_in.headers["Cache-Control"] == "no-store"


def test_repeated_failed_sign_ins_hold_back_the_failing_client(app, world):
    client = app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"username": "police_a", "password": "wrong"}).status_code == 401
    held = client.post("/login", data={"username": "police_a", "password": "secret-pass-1"})
    assert held.status_code == 429 and "Thử lại sau" in held.get_data(as_text=True)
    # The owner, at another computer that has not been failing, signs in (issue 12).
    owner = app.test_client().post(
        "/login",
        data={"username": "police_a", "password": "secret-pass-1"},
        environ_base={"REMOTE_ADDR": "127.0.0.2"},
    )
    assert owner.status_code == 302


def test_english_is_one_click_away(app, world, police):
    police.post("/lang/en?next=/")
    assert police.get("/login").headers  # still answers
    body = police.get("/").get_data(as_text=True)
    assert 'lang="en"' in body


def test_a_lead_assigns_a_task_to_a_colleague(app, world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    lead = login(app.test_client(), "lead_a")
    page = lead.get("/?scope=queue").get_data(as_text=True)
    assert 'name="assignee"' in page and "police_a2" in page
    response = lead.post(f"/tasks/{task_id}/assign", data={"assignee": "police_a2"}, headers=HTMX)
    assert response.status_code == 200 and f'id="task-{task_id}"' in response.get_data(as_text=True)
    assert task_of(code, "verify_application").assignee_id == world.police2.id
    officer = login(app.test_client(), "police_a")
    assert 'name="assignee"' not in officer.get("/?scope=queue").get_data(as_text=True)
    assert officer.post(f"/tasks/{task_id}/assign", data={"assignee": "police_a"}).status_code == 403


def test_a_wrong_method_on_a_page_says_which_methods_it_takes(police):
    response = police.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Thao tác không được hỗ trợ" in response.get_data(as_text=True)


def test_the_filtered_list_downloads_whole_as_csv_and_xlsx(app, world, police, monkeypatch):
    import csv
    import io

    from openpyxl import load_workbook

    from webapp.services.cases import inbox

    monkeypatch.setattr(inbox, "PER_PAGE", 2)  # three matching tasks: two pages on screen
    names = ("Nguyễn Thị Lan", "Nguyễn Thị Lành", "Nguyễn Thị Lam", "Trần Văn Bình")
    codes = [start(world.police2, world.resident(name=n)) for n in names]
    response = police.get("/?scope=queue&q=nguyen thi la&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã hồ sơ", "Công dân", "Số định danh"]
    assert sorted(r[0] for r in rows[1:]) == sorted(codes[:3])  # every page, only the matches
    assert {r[3] for r in rows[1:]} == {"Tiếp nhận, đối chiếu hồ sơ"} and rows[1][-1] == "police_a2"
    response = police.get("/?scope=queue&format=xlsx")
    data = response.get_data()
    response.close()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 5 and {sheet.cell(r, 1).value for r in range(2, 6)} == set(codes)
    assert police.get("/?scope=queue&format=pdf").status_code == 404
    justice = login(app.test_client(), "justice_a")
    body = justice.get("/?scope=queue&format=csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1:] == []  # another department's work is not in its file
