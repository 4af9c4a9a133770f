"""The stuck-cases pages: list with filters in the URL and htmx fragments, files, bulk reassign,
the supervision panel of one case, the per-step targets, and who may open them."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.support.cases import CLEAN, actions, case, do, start, task_of
from tests.support.stuck import MONDAY, at, error_case
from tests.support.web import HTMX, USERS, login
from webapp.models import StepTarget, db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def late(world):
    """Two overdue cases in commune A, one in commune B."""
    with at(MONDAY):
        codes = [start(world.police, world.resident()) for _ in range(2)]
        codes.append(start(world.police_b, world.resident(unit=world.commune_b)))
    return codes


@pytest.fixture
def later(late):
    """The test runs a week later, when those cases are overdue."""
    with at(MONDAY + timedelta(days=7)):
        yield late


WATCHERS = {"lead_a": 200, "supervisor": 200, "admin": 200}  # everyone else: 403


@pytest.mark.parametrize("page", ["/stuck/", "/stuck/cases/{code}", "/stuck/targets", "/stuck/?format=csv"])
@pytest.mark.parametrize("username", USERS)
def test_role_by_page(client, world, page, username):
    code = start(world.police, world.resident())
    login(client, username)
    response = client.get(page.format(code=code))
    assert response.status_code == WATCHERS.get(username, 403)
    response.close()


@pytest.mark.parametrize("page", ["/stuck/", "/stuck/cases/HS-2026-000001", "/stuck/targets"])
def test_signed_out_visitors_are_sent_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_shows_each_stuck_case_with_its_reason(client, world, later):
    login(client, "supervisor")
    body = client.get("/stuck/").get_data(as_text=True)
    for code in later:
        assert code in body
    assert "Quá hạn: 3" in body and 'name="task"' in body
    assert 'href="/stuck/"' in body  # the navigation link


def test_filters_live_in_the_url_and_htmx_gets_the_results_block(client, world, later):
    login(client, "supervisor")
    response = client.get("/stuck/?unit=13301&sort=unit", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="bulk-form"' in body
    assert later[2] in body and later[0] not in body
    full = client.get("/stuck/?unit=13301").get_data(as_text=True)
    assert "<html" in full and 'value="13301" selected' in full


def test_a_unit_outside_the_scope_is_not_found(client, world, later):
    login(client, "lead_a")
    assert client.get("/stuck/?unit=13301").status_code == 404
    assert client.get("/stuck/?unit=00004").status_code == 404
    body = client.get("/stuck/").get_data(as_text=True)
    assert later[0] in body and later[2] not in body


def test_an_empty_list_says_so(client, world):
    login(client, "supervisor")
    body = client.get("/stuck/?reason=error").get_data(as_text=True)
    assert "Không có hồ sơ tồn đọng nào khớp bộ lọc" in body


def test_csv_and_xlsx_files_of_the_filtered_list(client, world, later):
    login(client, "supervisor")
    response = client.get("/stuck/?format=csv&unit=13300")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ" and {r[0] for r in rows[1:]} == set(later[:2])
    assert rows[1][-1] == "Quá hạn"
    response = client.get("/stuck/?format=xlsx")
    data = response.get_data()
    response.close()  # releases the spooled workbook file
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == "Mã hồ sơ"
    assert client.get("/stuck/?format=pdf").status_code == 404


def test_bulk_reassign_from_the_list(client, world, later):
    login(client, "supervisor")
    ids = [task_of(code, "verify_application").id for code in later]
    response = client.post(
        "/stuck/bulk-reassign",
        data={"task": ids, "assignee": "police_a2", "reason": "Cán bộ nghỉ ốm", "unit": "37"},
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    # Commune B's task cannot go to an officer of commune A: reported, the others done.
    assert "Đã giao lại 2 công việc; 1 không giao được." in body
    assert task_of(later[0], "verify_application").assignee_id == world.police2.id
    assert task_of(later[2], "verify_application").assignee_id == world.police_b.id


def test_bulk_reassign_without_a_reason_names_the_field(client, world, later):
    login(client, "supervisor")
    task = task_of(later[0], "verify_application")
    response = client.post("/stuck/bulk-reassign", data={"task": [task.id], "assignee": "police_a2"})
    assert response.status_code == 422
    assert "Ghi lý do." in response.get_data(as_text=True)
    assert task_of(later[0], "verify_application").assignee_id == world.police.id


def test_the_case_page_loads_the_supervision_panel(client, world):
    code = start(world.police, world.resident())
    login(client, "supervisor")
    body = client.get(f"/cases/{code}").get_data(as_text=True)
    assert f'hx-get="/stuck/cases/{code}"' in body
    panel = client.get(f"/stuck/cases/{code}", headers=HTMX)
    assert panel.status_code == 200 and 'id="stuck-panel"' in panel.get_data(as_text=True)
    login(client, "police_a")
    assert "/stuck/cases/" not in client.get(f"/cases/{code}").get_data(as_text=True)
    assert client.get(f"/stuck/cases/{code}").status_code == 403


def test_reassign_escalate_and_comment_from_the_panel(client, world):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    login(client, "supervisor")
    response = client.post(
        f"/stuck/cases/{code}/reassign",
        data={"task": task.id, "assignee": "police_a2", "reason": "Quá hạn", "version": case(code).version},
        headers=HTMX,
    )
    assert response.status_code == 200 and "Đã giao lại công việc." in response.get_data(as_text=True)
    response = client.post(f"/stuck/cases/{code}/escalate", data={"reason": "Chậm 3 ngày"})
    assert response.status_code == 303
    response = client.post(f"/stuck/cases/{code}/comment", data={"text": "Đề nghị xử lý"}, headers=HTMX)
    assert "Đã gửi ý kiến." in response.get_data(as_text=True)
    assert [a for a, _s in actions(code)][-3:] == ["assigned", "escalated", "commented"]


def test_a_refused_action_shows_the_form_again_with_its_error(client, world):
    code = start(world.police, world.resident())
    login(client, "supervisor")
    response = client.post(f"/stuck/cases/{code}/escalate", data={"reason": ""}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ghi lý do." in body and 'aria-invalid="true"' in body
    response = client.post(f"/stuck/cases/{code}/escalate", data={"reason": ""})
    assert response.status_code == 422
    assert "escalated" not in [a for a, _s in actions(code)]


def test_move_needs_the_typed_code(client, world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    login(client, "supervisor")
    panel = client.get(f"/stuck/cases/{code}").get_data(as_text=True)
    assert 'value="verify_application"' in panel and "Gõ mã hồ sơ" in panel
    data = {
        "step": "verify_application",
        "reason": "Nhập sai",
        "confirm": "HS-0000",
        "version": case(code).version,
    }
    response = client.post(f"/stuck/cases/{code}/move", data=data, headers=HTMX)
    assert "Gõ đúng mã hồ sơ" in response.get_data(as_text=True)
    assert case(code).current_steps == "capture_biometrics"
    response = client.post(f"/stuck/cases/{code}/move", data={**data, "confirm": code}, headers=HTMX)
    assert "Đã chuyển hồ sơ về bước đã chọn." in response.get_data(as_text=True)
    assert case(code).current_steps == "verify_application"


def test_a_stale_move_is_a_conflict(client, world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    login(client, "supervisor")
    data = {"step": "verify_application", "reason": "x", "confirm": code, "version": "1"}
    response = client.post(f"/stuck/cases/{code}/move", data=data, headers=HTMX)
    assert response.status_code == 409


def test_retry_from_the_panel(client, world, monkeypatch):
    code = error_case(world, monkeypatch)
    login(client, "supervisor")
    panel = client.get(f"/stuck/cases/{code}").get_data(as_text=True)
    assert "Chạy lại bước bị lỗi" in panel and 'name="on_current"' in panel
    response = client.post(
        f"/stuck/cases/{code}/retry",
        data={"reason": "Đã sửa sơ đồ", "on_current": "1", "version": case(code).version},
    )
    assert response.status_code == 303
    assert case(code).status == "open" and case(code).current_steps == "capture_biometrics,triage_correction"
    login(client, "lead_a")
    assert "Chạy lại bước bị lỗi" not in client.get(f"/stuck/cases/{code}").get_data(as_text=True)


def test_targets_page_saves_valid_values_and_names_bad_ones(client, world):
    login(client, "supervisor")
    body = client.get("/stuck/targets").get_data(as_text=True)
    assert "approve_application.idle_days" in body and "2 ngày làm việc" in body
    # Each step by its Vietnamese name; the BPMN id only as an attribute, never as visible text.
    assert 'data-step="approve_application"' in body and "<code>approve_application</code>" not in body
    # The justice procedures' limits, from justice_time_limits.dmn, apart from the internal targets.
    assert "Thời hạn giải quyết thủ tục hộ tịch" in body and "Trong ngày (nhận sau 15 giờ" in body
    response = client.post(
        "/stuck/targets",
        data={"approve_application.target_days": "2", "approve_application.idle_days": "1"},
    )
    assert response.status_code == 303
    row = db.session.scalar(select(StepTarget).where(StepTarget.step == "approve_application"))
    assert (row.target_days, row.idle_days, row.updated_by_id) == (2, 1, world.supervisor.id)
    for bad in ({"approve_application.idle_days": "400"}, {"approve_application.idle_days": "x"}):
        response = client.post("/stuck/targets", data={"approve_application.target_days": "2", **bad})
        assert response.status_code == 422 and "từ 0 đến 365" in response.get_data(as_text=True)
    response = client.post(
        "/stuck/targets", data={"approve_application.target_days": "1", "approve_application.idle_days": "3"}
    )
    assert response.status_code == 422 and "không được lớn hơn" in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalar(select(StepTarget).where(StepTarget.step == "approve_application"))
    assert (row.target_days, row.idle_days) == (2, 1)


def test_a_lead_reads_the_targets_but_cannot_change_them(client, world):
    login(client, "lead_a")
    body = client.get("/stuck/targets").get_data(as_text=True)
    assert 'name="approve_application.idle_days"' not in body
    response = client.post("/stuck/targets", data={"approve_application.idle_days": "1"})
    assert response.status_code == 403


# -- the API --------------------------------------------------------------------------------------
def _token(username: str) -> dict:
    from webapp.models import User
    from webapp.services.accounts import tokens
    from webapp.services.uow import command

    with command():
        token, _expires = tokens.issue(db.session.scalar(select(User).where(User.username == username)))
    return {"Authorization": f"Bearer {token}"}


def test_api_lists_stuck_cases_with_the_same_filters(client, world, later):
    headers = _token("supervisor")
    body = client.get("/api/v1/stuck?per_page=2", headers=headers).get_json()
    assert body["total"] == 3 and body["capped"] is False and len(body["items"]) == 2
    assert body["counts"] == {"overdue": 3, "target": 0, "idle": 0, "error": 0, "production": 0}
    item = body["items"][0]
    assert item["reasons"] == ["overdue"] and item["step"] == "verify_application" and item["late_days"] >= 1
    body = client.get("/api/v1/stuck?unit=13301&department=police", headers=headers).get_json()
    assert [i["case_code"] for i in body["items"]] == [later[2]]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("reason=bored", 422, "reason"),
        ("min_days=-1", 422, "min_days"),
        ("step=nope", 422, "step"),
        ("sort=random", 422, "sort"),
        ("page=300&per_page=50", 422, "page"),
        ("per_page=500", 400, "per_page"),
    ],
)
def test_api_refuses_bad_filters_by_name(client, world, query, status, field):
    response = client.get(f"/api/v1/stuck?{query}", headers=_token("supervisor"))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_api_access(client, world):
    assert client.get("/api/v1/stuck").status_code == 401
    assert client.get("/api/v1/stuck", headers=_token("police_a")).status_code == 403
    assert client.get("/api/v1/stuck?unit=13301", headers=_token("lead_a")).status_code == 404
    assert client.get("/api/v1/stuck", headers=_token("lead_a")).status_code == 200


def test_a_reason_with_a_nul_character_is_refused_naming_the_field_and_nothing_changes(client, world, later):
    """PostgreSQL stores no NUL in text or JSON: the form is refused before any view runs, on
    every database, with the field named, and no task is reassigned (none of a bulk either)."""
    login(client, "supervisor")
    ids = [task_of(code, "verify_application").id for code in later]
    before = [task_of(code, "verify_application").assignee_id for code in later]
    response = client.post(
        "/stuck/bulk-reassign",
        data={"task": ids, "assignee": "police_a2", "reason": "nghỉ\x00ốm", "unit": "37"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "reason" in body and "NUL" in body
    assert [task_of(code, "verify_application").assignee_id for code in later] == before
    htmx = client.get("/stuck/?step=\x00", headers=HTMX)  # a query field too; htmx gets the message alone
    assert htmx.status_code == 400 and "<html" not in htmx.get_data(as_text=True)


@pytest.mark.parametrize("version", ["²", "9" * 5000])
def test_a_malformed_version_is_a_conflict_not_a_crash(client, world, later, version):
    login(client, "supervisor")
    task = task_of(later[0], "verify_application")
    response = client.post(
        f"/stuck/cases/{later[0]}/reassign",
        data={"task": task.id, "assignee": "police_a2", "reason": "Cán bộ nghỉ ốm", "version": version},
    )
    # Not a version at all: taken as none given (no check), so the reassignment is made.
    assert response.status_code < 400
    assert task_of(later[0], "verify_application").assignee_id == world.police2.id


def test_the_file_of_a_unit_outside_the_scope_is_not_found(client, world, later):
    login(client, "lead_a")  # commune A's lead: commune B is outside
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/stuck/?format={fmt}&unit=13301")
        assert response.status_code == 404 and response.mimetype == "text/html"
