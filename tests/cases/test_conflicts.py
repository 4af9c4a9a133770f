"""Conflicts and rollback: a stale or repeated command changes nothing and says why."""

import threading

import pytest
from sqlalchemy import func, select

from tests.support.cases import CLEAN, actions, case, do, start, task_of
from webapp.models import CaseEvent, CaseTask, db
from webapp.services.cases import engine as case_engine
from webapp.services.cases import tasks
from webapp.services.errors import Conflict, Forbidden, Invalid
from webapp.services.uow import command


def snapshot(code):
    c = case(code)
    rows = db.session.execute(
        select(CaseTask.id, CaseTask.step, CaseTask.assignee_id)
        .where(CaseTask.case_id == c.id)
        .order_by(CaseTask.id)
    ).all()
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == c.id))
    return c.version, c.state, c.current_steps, c.status, rows, events


def test_a_repeated_completion_is_a_conflict_and_records_nothing(world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    with command():
        tasks.complete(world.police, task_id, CLEAN)
    before = snapshot(code)
    with pytest.raises(Conflict), command():
        tasks.complete(world.police, task_id, CLEAN)
    assert snapshot(code) == before
    assert [s for a, s in actions(code) if a == "completed"] == ["verify_application"]


def test_a_stale_version_is_a_conflict(world):
    code = start(world.police, world.resident())
    stale = case(code).version
    task_id = task_of(code, "verify_application").id
    with command():
        tasks.release(world.police, task_id)
    before = snapshot(code)
    with pytest.raises(Conflict) as err, command():
        tasks.complete(world.police, task_id, CLEAN, expected_version=stale)
    assert "tải lại" in err.value.message.vi
    assert snapshot(code) == before


def test_a_task_held_by_a_colleague_says_who_holds_it(world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    with pytest.raises(Conflict) as err, command():
        tasks.claim(world.police2, task_id)
    assert world.police.username in err.value.message.en
    with pytest.raises(Conflict), command():
        tasks.complete(world.police2, task_id, CLEAN)
    with pytest.raises(Conflict), command():
        tasks.release(world.police2, task_id)
    with command():
        tasks.assign(world.lead, task_id, world.police2.username)
    assert task_of(code, "verify_application").assignee_id == world.police2.id
    with pytest.raises(Forbidden), command():
        tasks.assign(world.police, task_id, world.police.username)
    with pytest.raises(Invalid), command():
        tasks.assign(world.lead, task_id, world.justice.username)  # another department
    assert ("assigned", "verify_application") in actions(code)


def test_another_department_cannot_complete_a_police_task(world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    with pytest.raises(Forbidden), command():
        tasks.complete(world.justice, task_id, CLEAN)
    with pytest.raises(Exception) as err, command():
        tasks.complete(world.outsider, task_id, CLEAN)
    assert err.value.__class__.__name__ == "NotFound"  # another province: not even its existence


def test_invalid_data_changes_nothing(world):
    code = start(world.police, world.resident())
    before = snapshot(code)
    task_id = task_of(code, "verify_application").id
    for bad in (
        {"discrepancies": ["bogus"]},
        {"discrepancies": "dob_mismatch"},
        {"surprise": 1},
        [],
        {"refusal_reason": "deceased", "discrepancies": ["dob_mismatch"]},
        {"note": "x" * 2001},
    ):
        with pytest.raises(Invalid), command():
            tasks.complete(world.police, task_id, bad)
    assert snapshot(code) == before


def test_an_exception_mid_command_rolls_everything_back(world, monkeypatch):
    code = start(world.police, world.resident())
    before = snapshot(code)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(case_engine, "_project", explode)
    with pytest.raises(RuntimeError), command():
        tasks.complete(world.police, task_of(code, "verify_application").id, CLEAN)
    assert snapshot(code) == before


def test_simultaneous_completions_one_wins(app, world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    user_id = world.police.id
    barrier = threading.Barrier(4)
    results = []

    def submit():
        with app.app_context():
            from webapp.models import User

            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                with command():
                    tasks.complete(user, task_id, CLEAN)
                results.append("ok")
            except Conflict:
                results.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict", "conflict", "conflict", "ok"]
    assert [s for a, s in actions(code) if a == "completed"] == ["verify_application"]
    assert case(code).current_steps == "capture_biometrics"


def test_simultaneous_claims_one_wins(app, world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    with command():
        tasks.release(world.police, task_id)
    ids = [world.police.id, world.police2.id, world.lead.id]
    barrier = threading.Barrier(len(ids))
    results = {}

    def claim(uid):
        with app.app_context():
            from webapp.models import User

            user = db.session.get(User, uid)
            barrier.wait()
            try:
                with command():
                    tasks.claim(user, task_id)
                results[uid] = "ok"
            except Conflict:
                results[uid] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [uid for uid, r in results.items() if r == "ok"]
    assert len(winners) == 1 and len(results) == 3
    assert task_of(code, "verify_application").assignee_id == winners[0]
    assert [a for a, _ in actions(code)].count("claimed") == 1


def test_completing_an_unclaimed_task_claims_it(world):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    with command():
        tasks.release(world.police, task_id)
    do(world.police2, code, "verify_application", CLEAN)
    assert ("claimed", "verify_application") in actions(code)
