"""Requests between units: sent to any commune of the country, answered with a result, the
receiving unit seeing the resident while the request is open and only then."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.cases import start
from vntime import LOCAL_TZ, add_working_days
from webapp.models import Case, CooperationRequest, db
from webapp.services import clock, uow
from webapp.services.cooperation import requests
from webapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from webapp.services.residents import listing, registry
from webapp.services.residents.registry import get


def send(
    world, pid, unit="Phường Ba Đình · Hà Nội (00004)", kind="take_application", message="Đang học tại Hà Nội"
):
    with uow.command():
        return requests.send(world.police, kind, pid, unit, message).id


def test_a_request_to_another_provinces_commune_waits_in_its_queue_with_a_due_date(world):
    pid = world.resident()
    request_id = send(world, pid)
    incoming = requests.search(world.outsider, requests.Filters(box="incoming"))
    assert [r.id for r in incoming.items] == [request_id] and incoming.open_incoming == 1
    outgoing = requests.search(world.police, requests.Filters(box="outgoing"))
    assert [r.id for r in outgoing.items] == [request_id]
    # Neither side sees it in the other's box.
    assert requests.search(world.police, requests.Filters(box="incoming")).items == []
    request = db.session.get(CooperationRequest, request_id)
    expected = add_working_days(clock.now(), 5).astimezone(LOCAL_TZ).date()  # cooperation_due.dmn
    assert request.due_on == expected and request.to_unit.code == "00004"


def test_the_receiving_unit_sees_the_resident_only_while_the_request_is_open(world):
    pid = world.resident()
    resident = get(pid)
    assert not registry.visible(world.outsider, resident)
    request_id = send(world, pid)
    assert registry.visible(world.outsider, resident)
    assert not registry.visible(world.police_b, resident)  # another unit of the home province
    with uow.command():
        requests.answer(world.outsider, request_id, "not_done", "Không gặp công dân tại địa chỉ")
    assert not registry.visible(world.outsider, resident)


def test_a_cancelled_request_gives_no_sight_of_the_resident(world):
    pid = world.resident()
    request_id = send(world, pid)
    with uow.command():
        requests.cancel(world.police, request_id)
    assert not registry.visible(world.outsider, get(pid))
    with pytest.raises(Conflict):
        requests.answer(world.outsider, request_id, "done", "")


def test_application_taken_starts_the_case_in_the_receiving_unit_and_the_listing_shows_it(world):
    pid = world.resident()
    request_id = send(world, pid)
    with uow.command():
        requests.answer(world.outsider, request_id, "done", "Đã tiếp nhận tại trụ sở")
    request = db.session.get(CooperationRequest, request_id)
    case = db.session.get(Case, request.result_case_id)
    assert request.status == "done" and case.unit.code == "00004" and case.resident.personal_id == pid
    [row] = listing.rows([get(pid)])
    assert row.case_code == case.code and row.request.id == request_id and row.request.status == "done"


def test_an_answer_names_a_case_already_taken_instead_of_starting_another(world):
    pid = world.resident()
    request_id = send(world, pid)
    code = start(world.police, pid)
    with uow.command():
        requests.answer(world.outsider, request_id, "done", "")
    assert db.session.get(CooperationRequest, request_id).result_case.code == code
    assert db.session.scalar(select(db.func.count()).select_from(Case)) == 1


@pytest.mark.parametrize(
    "kind, unit, message, field",
    [
        ("pay_fee", "00004", "x", "kind"),
        ("verify", "Không có xã này", "x", "unit"),
        ("verify", "13300", "x", "unit"),  # the sender's own commune
        ("verify", "37", "x", "unit"),  # the province above the sender
        ("verify", "00004", "   ", "message"),
        ("verify", "00004", "x" * 1001, "message"),
    ],
)
def test_a_bad_request_names_the_field_and_writes_nothing(world, kind, unit, message, field):
    pid = world.resident()
    with pytest.raises(Invalid) as caught, uow.command():
        requests.send(world.police, kind, pid, unit, message)
    assert field in caught.value.fields
    assert db.session.scalar(select(db.func.count()).select_from(CooperationRequest)) == 0


def test_a_resident_outside_the_senders_scope_is_unknown(world):
    pid = world.resident(unit=world.commune_b)
    with pytest.raises(Invalid) as caught:
        requests.send(world.police, "verify", pid, "00004", "x")
    assert "personal_id" in caught.value.fields


def test_the_same_open_request_twice_is_a_conflict(world):
    pid = world.resident()
    send(world, pid)
    with pytest.raises(Conflict):
        send(world, pid)


def test_only_the_receiving_unit_answers_and_only_the_sender_cancels(world):
    pid = world.resident()
    request_id = send(world, pid)
    with pytest.raises(Forbidden):
        requests.answer(world.police, request_id, "done", "")
    with pytest.raises(Forbidden):
        requests.cancel(world.outsider, request_id)
    with pytest.raises(NotFound):
        requests.get(world.police_b, request_id)  # a third unit does not see it
    with pytest.raises(Forbidden):
        requests.send(world.justice, "verify", pid, "00004", "x")


def test_not_done_needs_a_reason(world):
    request_id = send(world, world.resident())
    with pytest.raises(Invalid) as caught:
        requests.answer(world.outsider, request_id, "not_done", " ")
    assert "answer" in caught.value.fields
    assert db.session.get(CooperationRequest, request_id).status == "open"


def test_the_listing_away_mark_sends_the_request_in_one_step(world):
    pid = world.resident()
    resident = get(pid)
    change = listing.Change(status="away", away_unit="Phường Ba Đình · Hà Nội (00004)")
    with uow.command():
        request = requests.mark_away_and_ask(world.police, resident.id, change, "")
    assert resident.listing_status == "away" and resident.away_unit_id == world.other_commune.id
    assert request.kind == "take_application" and request.to_unit.code == "00004"


def test_the_away_mark_without_a_place_sends_nothing_and_changes_nothing(world):
    pid = world.resident()
    resident = get(pid)
    with pytest.raises(Invalid) as caught, uow.command():
        requests.mark_away_and_ask(world.police, resident.id, listing.Change(status="away"), "")
    assert "away_unit" in caught.value.fields
    db.session.expire_all()
    assert get(pid).listing_status == "not_visited"
    assert db.session.scalar(select(db.func.count()).select_from(CooperationRequest)) == 0


def test_overdue_requests_are_counted_in_the_queue(world):
    request_id = send(world, world.resident())
    with uow.command():
        db.session.get(CooperationRequest, request_id).due_on = clock.today_local() - timedelta(days=1)
    assert requests.queue_counts(world.outsider) == (1, 1)
