"""The outbox: messages exist exactly when their transaction commits, are sent once, retried
with back-off, end failed after the limit and can be sent again; escalations and reminders
become messages to the right people; the supervisors' page."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.support.cases import DOB, do, start, task_of
from tests.support.web import HTMX, login
from tests.support.world import PASSWORD
from webapp.models import CaseEvent, OutboxMessage, db
from webapp.services import clock
from webapp.services.accounts import users
from webapp.services.cases import commands, tasks
from webapp.services.errors import Conflict, Forbidden, NotFound
from webapp.services.messaging import outbox
from webapp.services.uow import command


@pytest.fixture(autouse=True)
def file_backend(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "NOTIFY_BACKEND", "file")
    monkeypatch.setitem(app.config, "NOTIFY_FILE", str(tmp_path / "notifications.jsonl"))
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 8)
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "")
    return tmp_path / "notifications.jsonl"


def messages(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def add(kind="reminder", channel="file", recipient="lead_a", case=None, n=1) -> list[int]:
    with command():
        made = [outbox.enqueue(kind, channel, recipient, f"Tin {i}", {"i": i}, case) for i in range(n)]
    return [m.id for m in made]


def deliver_all() -> tuple[int, int]:
    sent = failed = 0
    while True:
        with command():
            batch = outbox.claim_due(10)
            for m in batch:
                ok = outbox.deliver(m)
                sent, failed = sent + ok, failed + (not ok)
        if not batch:
            return sent, failed


# --- the queue ---------------------------------------------------------------------------------


def test_a_message_exists_only_if_its_transaction_commits(world):
    with pytest.raises(RuntimeError), command():
        outbox.enqueue("reminder", "file", "lead_a", "Bị hủy", {})
        raise RuntimeError("the change that caused it failed")
    assert messages() == []
    add()
    assert [m.status for m in messages()] == ["pending"]


def test_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="unknown channel"):
        outbox.enqueue("reminder", "pigeon", "lead_a", "x", {})


def test_claim_takes_only_due_pending_messages_oldest_first(world):
    first, later, done = add(n=3)
    with command():
        db.session.get(OutboxMessage, later).next_attempt_at = clock.now() + timedelta(minutes=5)
        db.session.get(OutboxMessage, done).status = "sent"
    with command():
        assert [m.id for m in outbox.claim_due(10)] == [first]


def test_delivered_once_to_the_file(world, file_backend):
    ids = add(n=3)
    assert deliver_all() == (3, 0)
    assert deliver_all() == (0, 0)  # nothing is sent twice
    lines = file_backend.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(f'"id": {i}' in line for i, line in zip(ids, lines, strict=True))
    for m in messages():
        assert m.status == "sent" and m.attempts == 1 and m.sent_at is not None


def test_backoff_doubles_from_a_minute_and_stops_at_an_hour():
    waits = [outbox.backoff(n) for n in range(1, 10)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_failure_retries_with_backoff_then_fails_for_good(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "file")
    (mid,) = add()
    start_at = clock.now()
    with time_machine.travel(start_at, tick=False):
        assert deliver_all() == (0, 1)
    m = messages()[0]
    assert m.status == "pending" and m.attempts == 1 and "injected failure" in m.last_error
    assert m.next_attempt_at == start_at + timedelta(minutes=1)
    with time_machine.travel(start_at + timedelta(seconds=30), tick=False):
        assert deliver_all() == (0, 0)  # not due yet
    with time_machine.travel(start_at + timedelta(minutes=1), tick=False):
        assert deliver_all() == (0, 1)
    assert messages()[0].next_attempt_at == start_at + timedelta(minutes=3)
    with time_machine.travel(start_at + timedelta(minutes=3), tick=False):
        assert deliver_all() == (0, 1)
    m = messages()[0]
    assert (m.status, m.attempts, m.sent_at) == ("failed", 3, None)
    with time_machine.travel(start_at + timedelta(days=1), tick=False):
        assert deliver_all() == (0, 0)  # failed messages wait for a person
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "")
    with command():
        outbox.retry(world.admin, mid)  # a message about no case: the administrator's
    assert deliver_all() == (1, 0)
    m = messages()[0]
    assert m.status == "sent" and m.attempts == 1 and "injected failure" in m.last_error


def test_unconfigured_channel_is_a_failure_like_any_other(world, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    add(channel="email", recipient="a@b.vn")
    assert deliver_all() == (0, 1)
    assert "not configured" in messages()[0].last_error


# --- retry by a person -------------------------------------------------------------------------


def failed_message(world, code=None) -> int:
    case = commands.get_case(world.production, code) if code else None
    (mid,) = add(case=case)
    with command():
        m = db.session.get(OutboxMessage, mid)
        m.status, m.attempts, m.last_error = "failed", 8, "ConnectionRefusedError: gateway down"
    return mid


def test_retry_is_audited_on_the_case_and_only_for_failed_messages(world):
    code = start(world.police, world.resident())
    mid = failed_message(world, code)
    with command():
        m = outbox.retry(world.supervisor, mid)
    assert (m.status, m.attempts) == ("pending", 0)
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.action == "resent")).one()
    assert event.actor_id == world.supervisor.id
    assert event.detail == {
        "outbox": mid,
        "kind": "reminder",
        "attempts": 8,
        "last_error": "ConnectionRefusedError: gateway down",
    }
    with pytest.raises(Conflict), command():
        outbox.retry(world.supervisor, mid)  # pending already: unchanged, no second audit row
    assert db.session.scalar(select(func.count()).where(CaseEvent.action == "resent")) == 1


def test_retry_scope_and_roles(world):
    hanoi = start(world.outsider, world.resident(unit=world.other_commune, province="001"))
    mid = failed_message(world, hanoi)
    no_case = failed_message(world)
    for message_id in (mid, no_case):
        with pytest.raises(NotFound), command():
            outbox.retry(world.supervisor, message_id)  # Ninh Bình's supervisor: outside scope
    with pytest.raises(Forbidden), command():
        outbox.retry(world.lead, mid)
    with pytest.raises(NotFound), command():
        outbox.retry(world.admin, mid)  # an administrator is scoped too (issue 12)
    assert [m.status for m in messages()] == ["failed", "failed"]
    with command():
        outbox.retry(world.admin, no_case)
    assert messages(id=no_case)[0].status == "pending"


# --- escalations and reminders -----------------------------------------------------------------


def waiting_for_documents(world, police=None, justice=None, unit=None) -> str:
    code = start(police or world.police, world.resident(unit=unit))
    do(police or world.police, code, "verify_application", DOB)
    do(
        justice or world.justice,
        code,
        "triage_correction",
        {"procedure": "correction", "documents_complete": False},
    )
    return code


def fire(code: str):
    due = commands.get_case(world_admin(), code).next_timer_at
    with time_machine.travel(due.timestamp() + 60, tick=False), command():
        claimed = commands.claim_due_case()
        assert claimed is not None and claimed.code == code
        commands.fire_timers(claimed)


def world_admin():
    return users.by_username("admin")


def test_reminder_goes_to_the_justice_officers_then_to_the_holder(world):
    with command():
        other = users.create("justice_a2", "justice", world.commune_a.code, PASSWORD, "Lê Văn Tư")
    code = waiting_for_documents(world)
    fire(code)  # the reminder: nobody holds the task, justice has no lead role
    sent = messages(kind="reminder")
    assert sorted(m.recipient for m in sent) == ["justice_a", "justice_a2"]
    assert {m.channel for m in sent} == {"file"}
    assert sent[0].body["case"] == code and sent[0].body["event"] == "documents_reminder"
    assert sent[0].subject.startswith(f"[{code}] Nhắc việc")
    assert all(m.case_id == sent[0].case_id for m in sent)
    with command():
        tasks.claim(other, task_of(code, "await_citizen_documents").id)
    fire(code)  # the escalation, to the commune police's lead
    assert [m.recipient for m in messages(kind="escalation")] == ["lead_a"]
    escalation = messages(kind="escalation")[0]
    assert "quá thời hạn" in escalation.subject and escalation.body["text_en"].startswith("Escalation")


def test_reminder_to_the_holder_only(world):
    code = waiting_for_documents(world)
    with command():
        tasks.claim(world.justice, task_of(code, "await_citizen_documents").id)
    fire(code)
    assert [m.recipient for m in messages(kind="reminder")] == ["justice_a"]


def test_escalation_without_a_police_lead_goes_to_the_supervisor_above(world):
    code = waiting_for_documents(world, world.police_b, world.justice_b, world.commune_b)
    fire(code)
    fire(code)
    assert [m.recipient for m in messages(kind="escalation")] == ["supervisor"]


def test_overdue_production_escalates_to_the_lead(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", {"discrepancies": []})
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    fire(code)
    (m,) = messages(kind="escalation")
    assert m.recipient == "lead_a" and m.body["event"] == "production_overdue"


def test_no_message_when_the_firing_rolls_back(world):
    code = waiting_for_documents(world)
    due = commands.get_case(world.admin, code).next_timer_at
    with time_machine.travel(due.timestamp() + 60, tick=False), pytest.raises(RuntimeError), command():
        commands.fire_timers(commands.claim_due_case())
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        raise RuntimeError("crash before commit")
    assert messages() == []


# --- the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [("supervisor", 200), ("admin", 200), ("police_a", 403), ("lead_a", 403), ("justice_a", 403)],
)
def test_page_by_role(app, world, username, status):
    client = login(app.test_client(), username)
    assert client.get("/outbox/").status_code == status


def test_page_filters_paginates_and_shows_failures(app, world):
    code = start(world.police, world.resident())
    case = commands.get_case(world.admin, code)
    add(case=case, n=51)
    add(kind="escalation", case=case)
    mid = failed_message(world, code)
    client = login(app.test_client(), "supervisor")
    html = client.get("/outbox/").get_data(as_text=True)
    assert "Trang 1 / 2" in html and "Gửi lỗi: 1" in html and "Đang chờ gửi: 52" in html
    assert "gateway down" in html and f'action="/outbox/{mid}/retry"' in html
    html = client.get("/outbox/?status=failed", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and f"outbox-{mid}" in html and html.count('<tr id="outbox-') == 1
    html = client.get("/outbox/?kind=escalation").get_data(as_text=True)
    assert html.count('<tr id="outbox-') == 1 and "Báo cáo vượt cấp" in html
    html = client.get("/outbox/?case=HS-0000-000000").get_data(as_text=True)
    assert "Không có thông báo nào khớp bộ lọc." in html
    html = client.get("/outbox/?status=bogus&page=x").get_data(as_text=True)  # unknown: all
    assert "Trang 1 / 2" in html


def test_page_is_empty_for_a_supervisor_with_nothing_in_scope(app, world):
    hanoi = start(world.outsider, world.resident(unit=world.other_commune, province="001"))
    failed_message(world, hanoi)
    html = login(app.test_client(), "supervisor").get("/outbox/").get_data(as_text=True)
    assert "Chưa có thông báo nào." in html and "outbox-" not in html.split("<tbody>")[-1][:50]


def test_retry_button_plain_and_htmx(app, world):
    code = start(world.police, world.resident())
    first, second = failed_message(world, code), failed_message(world, code)
    client = login(app.test_client(), "supervisor")
    response = client.post(f"/outbox/{first}/retry", data={"status": "failed"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/outbox/?status=failed")
    assert messages(id=first)[0].status == "pending"
    response = client.post(f"/outbox/{second}/retry", data={"status": "failed"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Đã xếp thông báo" in html and "Gửi lỗi: 0" in html
    again = client.post(f"/outbox/{second}/retry", headers=HTMX)
    assert again.status_code == 409
    assert login(app.test_client(), "lead_a").post(f"/outbox/{first}/retry").status_code == 403


def test_download_csv_and_xlsx(app, world):
    code = start(world.police, world.resident())
    add(case=commands.get_case(world.admin, code), n=2)
    failed_message(world, code)
    client = login(app.test_client(), "supervisor")
    response = client.get("/outbox/?format=csv&status=failed")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["#", "Loại", "Kênh", "Người nhận"] and len(rows) == 2
    assert rows[1][4] == code and rows[1][6] == "Gửi lỗi" and rows[1][-1].startswith("ConnectionRefused")
    with client.get("/outbox/?format=xlsx") as response:  # closing it closes the spooled file
        sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 4
    assert client.get("/outbox/?format=pdf").status_code == 404
    assert login(app.test_client(), "police_a").get("/outbox/?format=csv").status_code == 403
