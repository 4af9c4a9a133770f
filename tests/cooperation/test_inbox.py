"""Requests from other units in the receiving unit's inbox: each a work item with its due date,
opened from there and answered; only the receiving unit's subtree sees them, and the inbox's
own paging of tasks is unchanged."""

from datetime import timedelta

from sqlalchemy import select

from tests.support.cases import start
from tests.support.web import HTMX, login
from webapp.models import CooperationRequest, db
from webapp.services import uow
from webapp.services.cooperation import requests, transfers, waiting

HANOI = "Phường Ba Đình · Hà Nội (00004)"


def _send(world, pid, message="Đang học tại Hà Nội"):
    with uow.command():
        return requests.send(world.police, "take_application", pid, HANOI, message).id


def test_a_request_waits_in_the_receiving_units_inbox_with_its_due_date_and_is_answered_from_there(
    app, world
):
    request_id = _send(world, world.resident())
    request = db.session.get(CooperationRequest, request_id)
    there = login(app.test_client(), "police_hn")
    html = there.get("/").get_data(as_text=True)
    assert f'id="inbox-request-{request_id}"' in html
    assert "Nguyễn Thị Lan" in html and "Phường Hoa Lư" in html
    assert request.due_on.strftime("%d/%m/%Y") in html
    assert f'href="/cooperation/{request_id}"' in html
    answered = there.post(
        f"/cooperation/{request_id}/answer", data={"result": "done", "answer": "Đã thu nhận"}
    )
    assert answered.status_code == 303
    assert f'id="inbox-request-{request_id}"' not in there.get("/").get_data(as_text=True)


def test_another_provinces_officer_and_the_sender_see_no_incoming_item(app, world):
    request_id = _send(world, world.resident())
    marker = f'id="inbox-request-{request_id}"'
    for username in ("police_b", "police_a", "justice_a", "supervisor"):
        assert marker not in login(app.test_client(), username).get("/").get_data(as_text=True), username
    assert waiting.for_inbox(world.police_b).total == 0
    assert waiting.for_inbox(world.outsider).total == 1


def test_a_transfer_awaiting_acceptance_is_in_the_receiving_inbox_until_decided(app, world):
    code = start(world.police, world.resident())
    with uow.command():
        request = transfers.ask(world.police, code, HANOI, "Công dân chuyển đến Hà Nội")
    there = login(app.test_client(), "police_hn")
    html = there.get("/").get_data(as_text=True)
    assert f'id="inbox-request-{request.id}"' in html and code in html and "Nhận hoặc từ chối" in html
    with uow.command():
        transfers.decide(world.outsider, request.id, "decline", "Không đúng địa bàn")
    assert f'id="inbox-request-{request.id}"' not in there.get("/").get_data(as_text=True)


def test_the_inbox_shows_the_soonest_due_first_counts_every_open_one_and_the_overdue(world):
    ids = [_send(world, world.resident()) for _ in range(3)]
    with uow.command():
        first = db.session.get(CooperationRequest, ids[2])
        first.due_on = first.due_on - timedelta(days=30)  # past due
    found = waiting.for_inbox(world.outsider, limit=2)
    assert [r.id for r in found.items] == [ids[2], ids[0]]
    assert (found.total, found.overdue, found.more) == (3, 1, 1)


def test_an_htmx_filter_of_the_inbox_redraws_the_tasks_alone(app, world):
    _send(world, world.resident())
    html = login(app.test_client(), "police_hn").get("/?scope=queue", headers=HTMX).get_data(as_text=True)
    assert "inbox-request-" not in html
    assert db.session.scalars(select(CooperationRequest)).all()


def test_the_inbox_reads_the_waiting_requests_in_one_statement(world):
    from sqlalchemy import event

    for _ in range(3):
        _send(world, world.resident())
    db.session.expire_all()
    statements = []
    engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        found = waiting.for_inbox(world.outsider)
        [(r.resident.full_name, r.from_unit.name) for r in found.items]  # what the inbox shows
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert found.total == 3
    assert len([s for s in statements if "cooperation_requests" in s]) == 1
    assert len(statements) <= 2, statements  # the request rows (joined), at most the unit once
