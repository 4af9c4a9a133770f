"""The hand-off of a civil-status correction to the population database: queued with the
justice office's decision, applied to the resident record by the worker, retried with back-off
when it fails, failed and visible after the limit, and harmless when police got there first."""

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.support.cases import CORRECTION, DOB, actions, case, do, start
from webapp.models import CaseEvent, OutboxMessage, Resident, db
from webapp.services import clock, worker
from webapp.services.errors import Invalid
from webapp.services.messaging import outbox
from webapp.services.uow import command


@pytest.fixture(autouse=True)
def settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "")
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 8)


def corrected(world, changes=None, name="Nguyễn Thị Lan") -> tuple[str, str]:
    """A case whose justice office has just recorded a correction; (case code, personal ID)."""
    pid = world.resident(born=date(1990, 5, 17), name=name)
    code = start(world.police, pid)
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(world.justice, code, "record_correction", {**CORRECTION, "changes": changes or CORRECTION["changes"]})
    return code, pid


def resident(pid: str) -> Resident:
    db.session.expire_all()
    return db.session.scalar(select(Resident).where(Resident.personal_id == pid))


def syncs() -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == "population_sync").order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def send() -> tuple[int, int]:
    return worker.deliver_due(batch=10)


def synced_events(code: str) -> list[dict]:
    c = case(code)
    query = select(CaseEvent.detail).where(CaseEvent.case_id == c.id, CaseEvent.action == "synced")
    return list(db.session.scalars(query))


def test_correction_queues_the_hand_off_and_the_worker_applies_it(world):
    code, pid = corrected(world, {"birth_date": "1991-05-17", "full_name": "Nguyễn Thị Lân"})
    (m,) = syncs()
    assert (m.channel, m.recipient, m.status, m.case_id) == ("population_sync", pid, "pending", case(code).id)
    assert m.body["changes"] == {"birth_date": "1991-05-17", "full_name": "Nguyễn Thị Lân"}
    assert m.body["previous"] == {"birth_date": "1990-05-17", "full_name": "Nguyễn Thị Lan"}
    assert m.body["decision_number"] == CORRECTION["decision_number"]
    completed = db.session.scalars(
        select(CaseEvent.detail).where(CaseEvent.action == "completed", CaseEvent.step == "record_correction")
    ).one()
    assert completed["population_sync"] == m.id  # the audit row names its hand-off
    assert resident(pid).birth_date == date(1990, 5, 17)  # nothing changes before the hand-off

    assert send() == (1, 0)
    r = resident(pid)
    assert (r.birth_date, r.birth_date_precision, r.full_name) == (date(1991, 5, 17), "day", "Nguyễn Thị Lân")
    assert r.name_key == "nguyen thi lan"
    (event,) = synced_events(code)
    assert event["changes"] == {
        "birth_date": {"old": "1990-05-17", "new": "1991-05-17"},
        "full_name": {"old": "Nguyễn Thị Lan", "new": "Nguyễn Thị Lân"},
    }
    assert ("synced", None) in actions(code)

    # Police confirm the record afterwards: the same values, nothing left to change.
    do(world.police, code, "update_population_record", {"confirmed": True})
    assert resident(pid).birth_date == date(1991, 5, 17)
    # The hand-off wrote a new birth year: the ID (born 1990) is checked again and flagged.
    assert resident(pid).id_mismatch == "birth_year"
    assert case(code).current_steps == "capture_biometrics"
    assert send() == (0, 0)  # sent once


def test_police_first_then_the_late_hand_off_finds_nothing_to_change(world):
    code, pid = corrected(world)
    do(world.police, code, "update_population_record", {"confirmed": True})
    assert resident(pid).birth_date == date(1990, 11, 17)
    assert send() == (1, 0)
    (event,) = synced_events(code)
    assert event["changes"] == {}
    assert syncs()[0].status == "sent"


def test_invalid_correction_queues_nothing(world):
    pid = world.resident()
    code = start(world.police, pid)
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    with pytest.raises(Invalid) as err:
        do(world.justice, code, "record_correction", {**CORRECTION, "changes": {"sex": "unknown"}})
    assert "changes.sex" in err.value.fields
    assert syncs() == [] and case(code).current_steps == "capture_biometrics,record_correction"


def test_failure_is_retried_with_backoff_and_fails_after_the_limit(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 4)
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "population_sync")
    code, pid = corrected(world)
    t = clock.now()
    for attempt, wait in enumerate((1, 2, 4), start=1):
        with time_machine.travel(t, tick=False):
            assert send() == (0, 1)
        m = syncs()[0]
        assert (m.status, m.attempts) == ("pending", attempt)
        assert m.next_attempt_at == t + timedelta(minutes=wait)
        t = m.next_attempt_at
    with time_machine.travel(t, tick=False):
        assert send() == (0, 1)
    m = syncs()[0]
    assert (m.status, m.attempts) == ("failed", 4) and "injected failure" in m.last_error
    assert resident(pid).birth_date == date(1990, 5, 17) and synced_events(code) == []

    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "")  # the population database is back
    with command():
        outbox.retry(world.supervisor, m.id)
    assert send() == (1, 0)
    assert resident(pid).birth_date == date(1990, 11, 17)
    assert [a for a, _ in actions(code) if a in ("resent", "synced")] == ["resent", "synced"]


def forged(world, code: str, pid: str, body: dict) -> int:
    """A hand-off with a body the population database must refuse."""
    with command():
        m = outbox.enqueue("population_sync", "population_sync", pid, "x", body, case(code))
    return m.id


@pytest.mark.parametrize(
    ("changes", "previous", "error"),
    [
        ({"full_name": "Trần Văn B", "birth_date": "1991-02-30"}, {}, "birth_date"),
        ({"full_name": "Trần Văn B", "sex": "x"}, {}, "sex: 'x' is not one of male, female"),
        ({"full_name": "Trần Văn B", "household_id": "H1"}, {}, "household_id: not a field"),
        ({"full_name": " "}, {}, "full_name: must be 1-200"),
        # The name is written before the sex is found changed: the savepoint takes it back.
        ({"full_name": "Trần Văn B", "sex": "male"}, {"sex": "male"}, "sex changed since the correction"),
    ],
)
def test_a_value_the_record_refuses_changes_nothing(world, changes, previous, error):
    pid = world.resident()
    code = start(world.police, pid)
    mid = forged(world, code, pid, {"personal_id": pid, "changes": changes, "previous": previous})
    assert send() == (0, 1)
    m = db.session.get(OutboxMessage, mid)
    assert error in m.last_error and m.status == "pending"
    r = resident(pid)
    assert r.full_name == "Nguyễn Thị Lan" and r.sex == "female"  # all or nothing
    assert synced_events(code) == []


def test_unknown_resident_and_a_record_changed_since_are_refused(world):
    pid = world.resident()
    code = start(world.police, pid)
    forged(world, code, pid, {"personal_id": "037999999999", "changes": {"full_name": "A"}})
    changed = {"personal_id": pid, "changes": {"full_name": "B"}, "previous": {"full_name": "Người khác"}}
    forged(world, code, pid, changed)
    assert send() == (0, 2)
    first, second = syncs()
    assert "no resident" in first.last_error
    assert "full_name changed since the correction" in second.last_error
    assert resident(pid).full_name == "Nguyễn Thị Lan"
