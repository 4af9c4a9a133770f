"""Supervisors act on stuck cases: every action is audited with its reason, a missing reason or
a wrong confirmation changes nothing, retry and move rewrite the inbox projection."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.cases import CLEAN, actions, case, do, start, task_of
from tests.support.stuck import error_case, to_production
from webapp.models import CaseEvent, CaseTask, OutboxMessage, db
from webapp.services.cases import commands, inbox
from webapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from webapp.services.supervision import actions as sa
from webapp.services.uow import command

REASON = "Quá hạn 3 ngày, cán bộ nghỉ phép"


def last_event(code: str) -> CaseEvent:
    c = case(code)
    return db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id.desc()).limit(1)
    )


def event_count(code: str) -> int:
    c = case(code)
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == c.id))


def ready_steps(code: str) -> list[tuple[str, int | None]]:
    c = case(code)
    rows = db.session.execute(select(CaseTask.step, CaseTask.assignee_id).where(CaseTask.case_id == c.id))
    return sorted(tuple(r) for r in rows)


def unchanged(code: str):
    """A snapshot of what an action may change: compare before and after a refused one."""
    c = case(code)
    return (c.version, c.status, c.current_steps, ready_steps(code), event_count(code))


# -- reassign -------------------------------------------------------------------------------------
def test_reassign_is_audited_with_the_reason(world):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    with command():
        sa.reassign(world.supervisor, task.id, "police_a2", REASON)
    assert task_of(code, "verify_application").assignee_id == world.police2.id
    e = last_event(code)
    assert (e.action, e.actor_id, e.task_id) == ("assigned", world.supervisor.id, task.id)
    assert e.detail == {"assignee": "police_a2", "from": "police_a", "reason": REASON}


@pytest.mark.parametrize(
    ("username", "reason", "field"),
    [
        ("police_a2", "", "reason"),
        ("police_a2", "   ", "reason"),
        ("police_a2", "x" * 1001, "reason"),
        ("justice_a", REASON, "assignee"),  # another department
        ("police_b", REASON, "assignee"),  # another commune: cannot reach the case
        ("nobody", REASON, "assignee"),
        ("police_a", REASON, "assignee"),  # already holds it
    ],
)
def test_reassign_refuses_bad_input_and_changes_nothing(world, username, reason, field):
    code = start(world.police, world.resident())
    before = unchanged(code)
    with pytest.raises(Invalid) as err, command():
        sa.reassign(world.supervisor, task_of(code, "verify_application").id, username, reason)
    assert list(err.value.fields) == [field]
    assert unchanged(code) == before


def test_who_may_reassign(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", {"discrepancies": ["dob_mismatch"]})
    justice_task = task_of(code, "triage_correction").id
    with pytest.raises(Forbidden), command():
        sa.reassign(world.police, justice_task, "justice_a", REASON)  # not a supervisor
    with pytest.raises(Forbidden), command():
        sa.reassign(world.lead, justice_task, "justice_a", REASON)  # a lead: police work only
    with pytest.raises(NotFound), command():
        sa.reassign(world.outsider, justice_task, "justice_a", REASON)  # another province
    with command():
        sa.reassign(world.admin, justice_task, "justice_a", REASON)
    own = start(world.police, world.resident())
    with command():
        sa.reassign(world.lead, task_of(own, "verify_application").id, "police_a2", REASON)
    assert task_of(own, "verify_application").assignee_id == world.police2.id


def test_reassign_with_a_stale_version_is_a_conflict(world):
    code = start(world.police, world.resident())
    seen = case(code).version
    with command():
        sa.reassign(world.supervisor, task_of(code, "verify_application").id, "police_a2", REASON)
    with pytest.raises(Conflict), command():
        sa.reassign(world.supervisor, task_of(code, "verify_application").id, "police_a", REASON, seen)


def test_bulk_reassign_reports_successes_and_the_one_conflict(world):
    codes = [start(world.police, world.resident()) for _ in range(3)]
    ids = [task_of(c, "verify_application").id for c in codes]
    do(world.police, codes[1], "verify_application", CLEAN)  # done before the supervisor acts
    result = sa.bulk_reassign(world.supervisor, ids, "police_a2", REASON)
    assert result.done == [ids[0], ids[2]]
    assert list(result.failed) == [ids[1]] and isinstance(result.failed[ids[1]], Conflict)
    assert task_of(codes[0], "verify_application").assignee_id == world.police2.id
    assert task_of(codes[2], "verify_application").assignee_id == world.police2.id
    assert last_event(codes[1]).action == "completed"


def test_bulk_reassign_checks_the_reason_and_officer_before_anything(world):
    code = start(world.police, world.resident())
    before = unchanged(code)
    with pytest.raises(Invalid) as err:
        sa.bulk_reassign(world.supervisor, [task_of(code, "verify_application").id], "nobody", "")
    assert set(err.value.fields) == {"reason", "assignee"}
    assert err.value.fields["assignee"][0].en == "No such officer."
    with pytest.raises(Invalid) as err:
        sa.bulk_reassign(world.supervisor, [], "police_a2", REASON)
    assert set(err.value.fields) == {"tasks"}
    with pytest.raises(Invalid) as err:  # nobody chosen: say so, not "no such officer"
        sa.bulk_reassign(world.supervisor, [task_of(code, "verify_application").id], "", REASON)
    assert err.value.fields["assignee"][0].en == "Choose the officer to take the tasks."
    assert unchanged(code) == before


def test_assignable_officers_are_those_who_can_reach_the_unit(world):
    names = [u.username for u in sa.assignable("police", world.commune_a.path)]
    assert set(names) == {"police_a", "police_a2", "lead_a"}
    assert [u.username for u in sa.assignable("approval", world.commune_a.path)] == ["approval"]


# -- escalate, comment ----------------------------------------------------------------------------
def test_escalate_records_the_reason_and_notifies_the_unit_head(world):
    code = start(world.police, world.resident())
    with command():
        heads = sa.escalate(world.supervisor, code, REASON)
    assert [h.username for h in heads] == ["lead_a"]
    e = last_event(code)
    assert (e.action, e.step, e.actor_id) == ("escalated", "verify_application", world.supervisor.id)
    assert e.detail == {"to": ["lead_a"], "reason": REASON, "by": "supervisor"}
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case(code).id))
    assert (message.kind, message.recipient, message.status) == ("escalation", "lead_a", "pending")
    assert message.body["reason"] == REASON and message.body["case"] == code
    assert message.body["text"].endswith(REASON) and message.body["text_en"].startswith(f"Case {code} needs")


def test_escalate_goes_up_to_the_nearest_head_and_needs_one(world):
    code = start(world.police_b, world.resident(unit=world.commune_b))
    with pytest.raises(Conflict), command():
        sa.escalate(world.supervisor, code, REASON)  # commune B and the province have no lead
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_escalate_without_a_reason_changes_nothing(world):
    code = start(world.police, world.resident())
    before = unchanged(code)
    with pytest.raises(Invalid) as err, command():
        sa.escalate(world.supervisor, code, " ")
    assert list(err.value.fields) == ["reason"]
    assert unchanged(code) == before
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    with pytest.raises(Forbidden), command():
        sa.escalate(world.police, code, REASON)


def test_comment_from_the_stuck_list_is_audited(world):
    code = start(world.police, world.resident())
    with command():
        sa.comment(world.supervisor, code, "Đề nghị xử lý trong ngày")
    e = last_event(code)
    assert (e.action, e.actor_id, e.detail["text"]) == (
        "commented",
        world.supervisor.id,
        "Đề nghị xử lý trong ngày",
    )
    with pytest.raises(Invalid), command():
        sa.comment(world.supervisor, code, "")


# -- retry ----------------------------------------------------------------------------------------
def test_retry_on_the_same_diagram_fails_again_and_is_on_record(world, monkeypatch):
    code = error_case(world, monkeypatch)
    version = case(code).spec_version
    with command():
        sa.retry(world.supervisor, code, REASON)
    c = case(code)
    assert c.status == "error" and c.spec_version == version
    assert actions(code)[-2:] == [("retried", "gw_needs_justice"), ("failed", "gw_needs_justice")]


def test_retry_on_the_fixed_diagram_puts_the_case_in_the_justice_inbox(world, monkeypatch):
    code = error_case(world, monkeypatch)
    broken = case(code).spec_version
    with command():
        sa.retry(world.supervisor, code, REASON, on_current=True)
    c = case(code)
    assert c.status == "open" and c.error_step is None and c.spec_version != broken
    # The justice office's step, beside the capture of biometrics (the same visit).
    assert [s for s in ready_steps(code) if s[0] == "triage_correction"] == [("triage_correction", None)]
    assert {s for s, _ in ready_steps(code)} == {"capture_biometrics", "triage_correction"}
    e = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == c.id, CaseEvent.action == "retried"))
    assert e.actor_id == world.supervisor.id and e.detail["reason"] == REASON
    assert (e.detail["from_version"], e.detail["to_version"]) == (broken, c.spec_version)
    queue = inbox.search(world.justice, inbox.Filters(scope="queue"))
    assert [r.case.code for r in queue.rows] == [code]


def test_retry_refusals_change_nothing(world, monkeypatch):
    code = error_case(world, monkeypatch)
    before = unchanged(code)
    with pytest.raises(Invalid), command():
        sa.retry(world.supervisor, code, "")
    with pytest.raises(Forbidden), command():
        sa.retry(world.lead, code, REASON)  # a lead may not rewind a case
    with pytest.raises(Conflict), command():
        sa.retry(world.supervisor, code, REASON, expected_version=before[0] - 1)
    assert unchanged(code) == before
    healthy = start(world.police, world.resident())
    with pytest.raises(Conflict), command():
        sa.retry(world.supervisor, healthy, REASON)


# -- move -----------------------------------------------------------------------------------------
def test_move_back_to_an_earlier_step_rewrites_the_inbox(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    assert ready_steps(code) == [("approve_application", None)]
    assert sa.passed_steps(case(code)) == ["verify_application", "capture_biometrics"]
    with command():
        sa.move(world.supervisor, code, "capture_biometrics", code.lower(), REASON, case(code).version)
    assert ready_steps(code) == [("capture_biometrics", None)]
    assert inbox.search(world.approval, inbox.Filters(scope="queue")).rows == []
    police_queue = inbox.search(world.police, inbox.Filters(scope="queue", step="capture_biometrics"))
    assert [r.case.code for r in police_queue.rows] == [code]
    e = last_event(code)
    assert (e.action, e.step, e.actor_id) == ("moved", "capture_biometrics", world.supervisor.id)
    assert e.detail == {"from": ["approve_application"], "to": "capture_biometrics", "reason": REASON}
    # The case goes on from there as usual.
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    assert ready_steps(code) == [("approve_application", None)]


def test_move_from_production_drops_the_production_wait(world):
    code = to_production(world)
    with command():
        sa.move(world.admin, code, "approve_application", code, REASON)
    c = case(code)
    assert c.current_steps == "approve_application" and c.next_timer_at is None


@pytest.mark.parametrize(
    ("step", "confirm", "reason", "fields"),
    [
        ("verify_application", "HS-2026-999999", REASON, {"confirm"}),
        ("verify_application", "", REASON, {"confirm"}),
        ("verify_application", None, "", {"confirm", "reason"}),
        ("hand_over_card", "CODE", REASON, {"step"}),  # not passed yet
        ("", "CODE", REASON, {"step"}),
    ],
)
def test_move_refuses_a_wrong_confirmation_or_step_and_changes_nothing(world, step, confirm, reason, fields):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    before = unchanged(code)
    with pytest.raises(Invalid) as err, command():
        sa.move(world.supervisor, code, step, code if confirm == "CODE" else confirm, reason)
    assert set(err.value.fields) == fields
    assert unchanged(code) == before


def test_move_is_for_supervisors_in_scope_and_open_cases(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    with pytest.raises(Forbidden), command():
        sa.move(world.lead, code, "verify_application", code, REASON)
    with pytest.raises(NotFound), command():
        sa.move(world.outsider, code, "verify_application", code, REASON)
    with pytest.raises(Conflict), command():
        sa.move(world.supervisor, code, "verify_application", code, REASON, expected_version=1)


def _produced_then_moved_back(world) -> str:
    """A case whose card was produced, moved back to approval by a supervisor (the photo was
    wrong) and approved again: it waits for a new card."""
    code = to_production(world)
    with command():
        commands.record_card_produced(world.production, code, "C000000001", date(2026, 1, 2))
    with command():
        sa.move(world.supervisor, code, "approve_application", code, REASON)
    do(world.approval, code, "approve_application", {"decision": "approve"})
    assert case(code).current_steps == "await_card_production"
    return code


def test_after_a_move_back_past_production_a_new_card_moves_the_case_on(world):
    code = _produced_then_moved_back(world)
    with command():
        _case, changed = commands.record_card_produced(world.production, code, "C000000002", date(2026, 1, 3))
    assert changed and case(code).current_steps == "receive_card"
    with command():  # and that card's repeat is the one that changes nothing now
        assert (
            commands.record_card_produced(world.production, code, "C000000002", date(2026, 1, 3))[1] is False
        )


def test_after_a_move_back_a_late_repeat_of_the_old_card_is_refused(world):
    code = _produced_then_moved_back(world)
    before = unchanged(code)
    with pytest.raises(Conflict) as caught, command():
        commands.record_card_produced(world.production, code, "C000000001", date(2026, 1, 3))
    assert "needs a new number" in caught.value.message.en
    assert unchanged(code) == before and case(code).current_steps == "await_card_production"
