"""The case page: what it shows, who may open it, comments and transfers over HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.cases import CORRECTION, DOB, actions, case, do, start, task_of
from tests.support.web import HTMX, login
from webapp.models import CaseEvent, CooperationRequest, db
from webapp.services import clock
from webapp.services.cases import tasks
from webapp.services.uow import command


@pytest.fixture
def code(world):
    return start(world.police, world.resident())


def page(client, code):
    return client.get(f"/cases/{code}")


def events_of(code, action):
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case(code).id, CaseEvent.action == action)
    ).all()


def test_page_shows_resident_current_step_assignee_and_timeline(app, world, code):
    response = page(login(app.test_client(), "police_a"), code)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    resident = case(code).resident
    assert resident.full_name in html and resident.personal_id in html
    assert "17/05/1990" in html  # dd/mm/yyyy
    assert "Tiếp nhận, đối chiếu hồ sơ" in html  # the current step, in Vietnamese
    assert "(police_a)" in html  # who holds it
    assert "Tạo hồ sơ" in html and "Hoàn thành bước" not in html  # the timeline so far
    assert 'data-current="verify_application"' in html and 'data-done=""' in html
    assert f'data-diagram-url="/cases/{code}/diagram.bpmn"' in html
    assert "bpmn-navigated-viewer.production.min.js" in html and "case_diagram.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    assert "HX-Request" in response.headers["Vary"]


def test_page_shows_steps_done_old_and_new_values_and_the_justice_diagram(app, world, code):
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(world.justice, code, "record_correction", CORRECTION)
    html = page(login(app.test_client(), "justice_a"), code).get_data(as_text=True)
    assert 'data-current="capture_biometrics,update_population_record"' in html  # one visit: both ready
    assert 'data-done="verify_application,triage_correction,record_correction"' in html
    assert "process=civil_status_correction" in html
    assert "Ngày sinh không khớp giữa các giấy tờ" in html  # discrepancy, by its label
    assert "<del>17/05/1990</del> → <ins>17/11/1990</ins>" in html  # the correction, old → new
    assert "Trích lục / quyết định số 15/QĐ-UBND ngày 20/11/2026" in html
    assert html.index("Ghi quyết định cải chính/bổ sung") < html.index("Tạo hồ sơ")  # newest first
    assert "Chuyển hồ sơ sang đơn vị khác" not in html  # justice may not transfer


def test_the_page_leads_to_the_current_task_for_whoever_may_work_it(app, world, code):
    task = task_of(code, "verify_application")
    holder = page(login(app.test_client(), "police_a"), code).get_data(as_text=True)
    assert f'href="/tasks/{task.id}"' in holder and "Xử lý" in holder  # the holder opens it
    colleague = login(app.test_client(), "police_a2")
    assert "Xem công việc" in page(colleague, code).get_data(as_text=True)  # held by another
    with command():
        tasks.release(world.police, task.id)
    shown = page(colleague, code).get_data(as_text=True)
    assert "Nhận và xử lý" in shown
    # The button claims the task and opens it in one step.
    answer = colleague.post(f"/tasks/{task.id}/claim", data={"open": "1", "version": case(code).version})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/tasks/{task.id}"
    assert task_of(code, "verify_application").assignee_id == world.police2.id
    # Another department reads the case but is offered no way into police work.
    justice = page(login(app.test_client(), "justice_a"), code).get_data(as_text=True)
    assert "Nhận và xử lý" not in justice and f"/tasks/{task.id}" not in justice


def test_overdue_step_is_red_and_an_empty_current_steps_says_so(app, world, code):
    task = task_of(code, "verify_application")
    task.due_at = clock.now() - timedelta(days=2)
    db.session.commit()
    client = login(app.test_client(), "police_a")
    assert 'class="overdue"' in page(client, code).get_data(as_text=True)
    c = case(code)
    c.status, c.current_steps, c.closed_at = "withdrawn", "", clock.now()
    db.session.delete(task)
    db.session.commit()
    html = page(client, code).get_data(as_text=True)
    assert "Hồ sơ đã kết thúc" in html and "Chuyển hồ sơ sang đơn vị khác" not in html


def test_error_state_shows_the_failing_step_and_message(app, world, code):
    c = case(code)
    c.status, c.error_step, c.error_message = "error", "classify_discrepancies", "NameError: x"
    db.session.commit()
    html = page(login(app.test_client(), "police_a"), code).get_data(as_text=True)
    assert "Quy trình gặp lỗi" in html and "classify_discrepancies" in html and "NameError: x" in html


@pytest.mark.parametrize("username", ["police_b", "police_hn"])
def test_other_units_get_404_everywhere_and_change_nothing(app, world, code, username):
    client = login(app.test_client(), username)
    version = case(code).version
    assert page(client, code).status_code == 404
    assert client.get(f"/cases/{code}/diagram.bpmn").status_code == 404
    assert client.post(f"/cases/{code}/comments", data={"text": "xem giúp"}).status_code == 404
    assert client.post(f"/cases/{code}/comments", data={"text": "x"}, headers=HTMX).status_code == 404
    response = client.post(
        f"/cases/{code}/transfer", data={"unit": "13301", "reason": "tạm trú", "version": version}
    )
    assert response.status_code == 404
    assert case(code).unit.code == "13300" and case(code).version == version
    assert [a for a, _ in actions(code)] == ["started"]


def test_unknown_case_is_404_and_anonymous_users_sign_in_first(app, world, code):
    assert page(login(app.test_client(), "police_a"), "HS-2000-999999").status_code == 404
    response = app.test_client().get(f"/cases/{code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_diagram_is_the_pinned_bpmn_xml(app, world, code):
    client = login(app.test_client(), "police_a")
    response = client.get(f"/cases/{code}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert xml.startswith("<?xml") and 'id="verify_application"' in xml and 'id="hand_over_card"' in xml
    assert "bpmndi:BPMNDiagram" in xml  # the viewer needs the diagram interchange
    justice = client.get(f"/cases/{code}/diagram.bpmn?process=civil_status_correction")
    assert justice.status_code == 200 and 'id="triage_correction"' in justice.get_data(as_text=True)
    for other in ("eligibility", "../cccd_issuance", "nope"):
        assert client.get(f"/cases/{code}/diagram.bpmn?process={other}").status_code == 404


def test_comment_as_a_plain_post_redirects_and_is_audited(app, world, code):
    client = login(app.test_client(), "justice_a")
    version = case(code).version
    response = client.post(f"/cases/{code}/comments", data={"text": "  Đề nghị bổ sung\ngiấy khai sinh  "})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{code}")
    [event] = events_of(code, "commented")
    assert event.actor_id == world.justice.id and event.step is None
    assert event.detail["text"] == "Đề nghị bổ sung\ngiấy khai sinh"
    assert event.detail["department"] == "justice"
    assert case(code).version == version  # a comment does not make anyone's open view stale
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã gửi ý kiến." in html and "Đề nghị bổ sung\ngiấy khai sinh" in html


def test_comment_over_htmx_returns_the_timeline_fragment(app, world, code):
    client = login(app.test_client(), "police_a")
    response = client.post(f"/cases/{code}/comments", data={"text": "Đã hẹn công dân"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="activity"')
    assert "Đã hẹn công dân" in html and "Đã gửi ý kiến." in html
    assert len(events_of(code, "commented")) == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_too_long_comment_shows_an_error_and_records_nothing(app, world, code, text):
    client = login(app.test_client(), "police_a")
    plain = client.post(f"/cases/{code}/comments", data={"text": text})
    assert plain.status_code == 422 and 'role="alert"' in plain.get_data(as_text=True)
    htmx = client.post(f"/cases/{code}/comments", data={"text": text}, headers=HTMX)
    html = htmx.get_data(as_text=True)
    assert htmx.status_code == 200 and "<html" not in html and 'aria-invalid="true"' in html
    assert ("Tối đa 2000 ký tự." if text.strip() else "Nhập nội dung ý kiến.") in html
    assert events_of(code, "commented") == []


def test_comment_of_exactly_2000_characters_is_accepted(app, world, code):
    client = login(app.test_client(), "police_a")
    assert client.post(f"/cases/{code}/comments", data={"text": "y" * 2000}).status_code == 303
    assert len(events_of(code, "commented")) == 1


def _accept(app, login_name, code, answer="accept", reason=""):
    [request] = db.session.scalars(
        select(CooperationRequest).where(CooperationRequest.kind == "transfer")
    ).all()
    client = login(app.test_client(), login_name)
    return client.post(
        f"/cooperation/{request.id}/answer", data={"decision": answer, "answer": reason}
    ), request


def test_transfer_is_a_request_the_receiving_commune_accepts_then_the_case_moves_audited(app, world, code):
    client = login(app.test_client(), "police_a")
    response = client.post(
        f"/cases/{code}/transfer",
        data={
            "unit": "Xã Gia Viễn · Ninh Bình (13301)",
            "reason": "Công dân tạm trú tại Gia Viễn",
            "version": case(code).version,
        },
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{code}")
    # Until accepted the case stays, and its page says it waits.
    assert case(code).unit.code == "13300" and events_of(code, "transferred") == []
    assert "Đang chờ Xã Gia Viễn nhận hồ sơ" in page(client, code).get_data(as_text=True)
    assert page(login(app.test_client(), "police_b"), code).status_code == 404
    answered, request = _accept(app, "police_b", code)
    assert answered.status_code == 303
    [event] = events_of(code, "transferred")
    assert event.actor_id == world.police_b.id
    assert event.detail == {
        "from": "13300",
        "to": "13301",
        "reason": "Công dân tạm trú tại Gia Viễn",
        "request": request.id,
    }
    assert case(code).unit.code == "13301"
    assert page(client, code).status_code == 404
    other = page(login(app.test_client(), "police_b"), code)
    assert other.status_code == 200
    html = other.get_data(as_text=True)
    assert "Phường Hoa Lư → Xã Gia Viễn" in html and "Công dân tạm trú tại Gia Viễn" in html


def test_a_declined_transfer_leaves_the_case_where_it_was_with_the_reason(app, world, code):
    client = login(app.test_client(), "lead_a")
    data = {"unit": "13301", "reason": "Tạm trú", "version": case(code).version}
    assert client.post(f"/cases/{code}/transfer", data=data, headers=HTMX).status_code == 204
    no_reason, _ = _accept(app, "police_b", code, "decline", " ")
    assert no_reason.status_code == 422 and "Hãy ghi nội dung." in no_reason.get_data(as_text=True)
    declined, request = _accept(app, "police_b", code, "decline", "Công dân đã về quê")
    assert declined.status_code == 303
    db.session.expire_all()
    assert request.status == "declined" and request.answer == "Công dân đã về quê"
    assert case(code).unit.code == "13300" and events_of(code, "transferred") == []
    # The sender may ask again (another unit, or later).
    assert client.post(f"/cases/{code}/transfer", data=data).status_code == 303


def test_a_second_transfer_while_one_waits_is_a_conflict(app, world, code):
    client = login(app.test_client(), "police_a")
    data = {"unit": "13301", "reason": "Tạm trú", "version": case(code).version}
    assert client.post(f"/cases/{code}/transfer", data=data).status_code == 303
    again = client.post(f"/cases/{code}/transfer", data=data)
    assert again.status_code == 409 and "Hồ sơ đang chờ Xã Gia Viễn nhận" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("unit", "reason", "error"),
    [
        ("99999", "Tạm trú", "Hãy chọn đơn vị nhận trong danh sách"),
        ("", "Tạm trú", "Hãy chọn đơn vị nhận trong danh sách"),
        ("13301", "  ", "Ghi lý do chuyển."),
        ("13300", "Tạm trú", "Đơn vị nhận phải là đơn vị khác"),
    ],
)
def test_bad_transfer_shows_the_error_and_changes_nothing(app, world, code, unit, reason, error):
    client = login(app.test_client(), "police_a")
    data = {"unit": unit, "reason": reason, "version": case(code).version}
    plain = client.post(f"/cases/{code}/transfer", data=data)
    assert plain.status_code == 422 and error in plain.get_data(as_text=True)
    htmx = client.post(f"/cases/{code}/transfer", data=data, headers=HTMX)
    html = htmx.get_data(as_text=True)
    assert htmx.status_code == 200 and "<html" not in html and html.lstrip().startswith("<form")
    assert error in html and f'value="{unit}"' in html  # what the officer typed is kept
    assert case(code).unit.code == "13300" and events_of(code, "transferred") == []
    assert db.session.scalars(select(CooperationRequest)).all() == []


def test_transfer_on_a_stale_view_is_a_409_with_a_message(app, world, code):
    client = login(app.test_client(), "police_a")
    stale = case(code).version
    do(world.police, code, "verify_application", DOB)  # someone moves the case on meanwhile
    data = {"unit": "13301", "reason": "Tạm trú", "version": stale}
    response = client.post(f"/cases/{code}/transfer", data=data)
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác cập nhật" in response.get_data(as_text=True)
    htmx = client.post(f"/cases/{code}/transfer", data=data, headers=HTMX)
    assert htmx.status_code == 409 and "<html" not in htmx.get_data(as_text=True)
    assert case(code).unit.code == "13300" and events_of(code, "transferred") == []


def test_roles_that_may_not_transfer_get_403(app, world, code):
    client = login(app.test_client(), "justice_a")
    response = client.post(
        f"/cases/{code}/transfer", data={"unit": "13301", "reason": "x", "version": case(code).version}
    )
    assert response.status_code == 403 and case(code).unit.code == "13300"
