"""Every path through the diagrams, driven through the services on a real database."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.support.cases import (
    CLEAN,
    CORRECTION,
    DOB,
    actions,
    case,
    do,
    finish_from_biometrics,
    start,
    task_of,
    transferred,
)
from webapp.models import Resident, db
from webapp.services.cases import commands, tasks
from webapp.services.errors import Conflict, Invalid
from webapp.services.uow import command


def test_clean_path_ends_issued(world):
    code = start(world.police, world.resident())
    first = task_of(code, "verify_application")
    assert first.assignee_id == world.police.id  # the officer who started it holds it
    assert first.department == "police" and first.due_at > first.ready_at
    do(world.police, code, "verify_application", CLEAN)
    c = finish_from_biometrics(world, code)
    assert c.status == "issued" and c.closed_at is not None and c.current_steps == ""
    done = [s for a, s in actions(code) if a == "completed"]
    assert done == [
        "verify_application",
        "capture_biometrics",
        "approve_application",
        "receive_card",
        "hand_over_card",
    ]
    assert ("message_received", "card_produced") in actions(code)


def test_justice_once_corrects_the_record(world):
    pid = world.resident(born=date(1990, 5, 17))
    code = start(world.police, pid)
    c = do(world.police, code, "verify_application", DOB)
    # One visit: biometrics are captured while the justice office works.
    assert c.current_steps == "capture_biometrics,triage_correction"
    assert task_of(code, "triage_correction").department == "justice"
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    c = do(world.justice, code, "record_correction", CORRECTION)
    assert c.current_steps == "capture_biometrics,update_population_record"
    do(world.police, code, "update_population_record", {"confirmed": True})
    resident = db.session.query(Resident).filter_by(personal_id=pid).one()
    assert resident.birth_date == date(1990, 11, 17)
    assert ("completed", "update_population_record") in actions(code)
    c = finish_from_biometrics(world, code)
    assert c.status == "issued"


def test_correction_audit_keeps_old_and_new_values(world):
    code = start(world.police, world.resident(born=date(1990, 5, 17)))
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(world.justice, code, "record_correction", CORRECTION)
    from webapp.services.cases.case_view import describe

    recorded = [
        e for e in describe(code)["events"] if e["step"] == "record_correction" and e["action"] == "completed"
    ]
    assert recorded[0]["detail"]["changes"] == {"birth_date": {"old": "1990-05-17", "new": "1990-11-17"}}


def test_justice_twice_when_police_find_more(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(world.justice, code, "record_correction", CORRECTION)
    c = do(world.police, code, "update_population_record", {"confirmed": False, "note": "Tên vẫn sai"})
    # The record still disagrees: back to the justice office (the capture stays where it was).
    assert c.current_steps == "capture_biometrics,triage_correction"
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(
        world.justice,
        code,
        "record_correction",
        {
            "decision_number": "16/QĐ",
            "decision_date": "2026-11-21",
            "changes": {"full_name": "Nguyễn Thị Lan Anh"},
        },
    )
    do(world.police, code, "update_population_record", {"confirmed": True})
    assert case(code).resident.full_name == "Nguyễn Thị Lan Anh"
    assert case(code).resident.name_key == "nguyen thi lan anh"
    assert [s for a, s in actions(code) if a == "completed"].count("triage_correction") == 2
    assert finish_from_biometrics(world, code).status == "issued"


def test_dob_incomplete_is_a_supplement_and_not_needed_goes_on_to_approval(world):
    code = start(world.police, world.resident(precision="year", born=date(1950, 1, 1)))
    do(world.police, code, "verify_application", {"discrepancies": ["dob_incomplete"]})
    with pytest.raises(Invalid) as err:
        do(world.justice, code, "triage_correction", {"procedure": "not_needed", "documents_complete": True})
    assert "note" in err.value.fields  # the reason back to police is required
    c = do(
        world.justice,
        code,
        "triage_correction",
        {"procedure": "not_needed", "documents_complete": True, "note": "Đã có trích lục"},
    )
    assert c.current_steps == "capture_biometrics"  # then approval: nothing to correct
    c = do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    assert c.current_steps == "approve_application"


def test_documents_missing_then_reminded_escalated_and_received(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    c = do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": False})
    assert c.current_steps == "await_citizen_documents,capture_biometrics"
    first_timer = c.next_timer_at
    assert first_timer is not None
    with time_machine.travel(first_timer.timestamp() + 60, tick=False), command():
        due = commands.claim_due_case()
        assert due is not None and due.code == code
        commands.fire_timers(due)
    assert ("reminded", "documents_reminder") in actions(code)
    assert ("escalated", "documents_overdue") not in actions(code)
    second = case(code).next_timer_at
    assert second > first_timer
    with time_machine.travel(second.timestamp() + 60, tick=False):
        with command():
            commands.fire_timers(commands.claim_due_case())
        with command():
            assert commands.claim_due_case() is None  # nothing else due
    assert ("escalated", "documents_overdue") in actions(code)
    assert case(code).current_steps == "await_citizen_documents,capture_biometrics"
    c = do(world.justice, code, "await_citizen_documents", {"documents_received": False})
    assert c.current_steps == "await_citizen_documents,capture_biometrics"
    do(world.justice, code, "await_citizen_documents", {"documents_received": True})
    assert case(code).current_steps == "capture_biometrics,record_correction"


def test_approval_return_goes_back_to_police_with_reason(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "exception", "note": "Cụt ngón"})
    with pytest.raises(Invalid) as err:
        do(world.approval, code, "approve_application", {"decision": "return"})
    assert list(err.value.fields) == ["reason"]
    c = do(world.approval, code, "approve_application", {"decision": "return", "reason": "Ảnh mờ"})
    assert c.current_steps == "verify_application"
    do(world.police, code, "verify_application", CLEAN)
    assert finish_from_biometrics(world, code).status == "issued"


@pytest.mark.parametrize("reason", ["not_eligible", "deceased", "duplicate"])
def test_refusal_ends_the_case(world, reason):
    code = start(world.police, world.resident())
    c = do(world.police, code, "verify_application", {"refusal_reason": reason})
    assert c.status == "refused" and c.current_steps == ""
    assert ("refused", "verify_application") in actions(code)


def test_withdrawal_ends_the_case_at_any_step(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    with command():
        commands.withdraw(world.police, code, "Công dân đi làm ăn xa, rút hồ sơ")
    c = case(code)
    assert c.status == "withdrawn" and c.current_steps == ""
    assert ("withdrawn", "case_withdrawn") in actions(code)
    with pytest.raises(Conflict), command():
        commands.withdraw(world.police, code, "again")


def test_production_message_is_idempotent_and_overdue_production_escalates(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    c = do(world.approval, code, "approve_application", {"decision": "approve"})
    assert c.current_steps == "await_card_production"
    with time_machine.travel(c.next_timer_at.timestamp() + 60, tick=False), command():
        commands.fire_timers(commands.claim_due_case())
    assert ("escalated", "production_overdue") in actions(code)
    with command():
        _, changed = commands.record_card_produced(world.production, code, "C1", date(2026, 11, 20))
    assert changed and case(code).current_steps == "receive_card"
    version = case(code).version
    with command():
        _, changed = commands.record_card_produced(world.production, code, "C1", date(2026, 11, 20))
    assert not changed and case(code).version == version
    with pytest.raises(Conflict), command():
        commands.record_card_produced(world.production, code, "C2", date(2026, 11, 20))


def test_card_message_before_approval_is_a_conflict(world):
    code = start(world.police, world.resident())
    with pytest.raises(Conflict), command():
        commands.record_card_produced(world.production, code, "C1", date(2026, 11, 20))
    assert case(code).current_steps == "verify_application"


def test_transfer_moves_the_work_to_the_other_commune(world):
    code = start(world.police, world.resident())
    transferred(world, code)
    row = task_of(code, "verify_application")
    assert row.unit_id == world.commune_b.id and row.assignee_id is None
    assert ("transferred", None) in actions(code)
    with pytest.raises(Exception) as err, command():
        tasks.claim(world.police, row.id)
    assert err.value.__class__.__name__ == "NotFound"
    c = do(world.police_b, code, "verify_application", DOB)
    assert task_of(code, "triage_correction").unit_id == world.commune_b.id
    assert c.unit.code == world.commune_b.code


def test_start_refuses_deceased_unknown_and_second_open_case(world):
    pid = world.resident()
    code = start(world.police, pid)
    with pytest.raises(Conflict) as err, command():
        commands.start_case(world.police, pid, "new")
    assert code in err.value.message.en
    with pytest.raises(Invalid) as err, command():
        commands.start_case(world.police, world.resident(status="deceased"), "new")
    assert "personal_id" in err.value.fields
    with pytest.raises(Invalid) as err, command():
        commands.start_case(world.police, "037190000999", "renew")
    assert set(err.value.fields) == {"personal_id", "kind"}


def test_eligibility_follows_the_law_in_force(world):
    child = world.resident(born=date(2016, 3, 1))
    with pytest.raises(Invalid), command():
        commands.start_case(world.police, child, "new", law="2014")
    code = start(world.police, child, law="2023")
    assert case(code).status == "open"


def test_timestamps_are_utc_aware(world):
    code = start(world.police, world.resident())
    assert case(code).created_at.tzinfo is not None
    assert case(code).created_at <= datetime.now(UTC)


def test_a_resident_of_another_province_is_unknown_to_the_officer(world):
    pid = world.resident(unit=world.other_commune)
    with pytest.raises(Invalid) as err, command():
        commands.start_case(world.police, pid, "new")
    assert list(err.value.fields) == ["personal_id"]


def test_a_case_started_by_an_administrator_waits_in_the_police_queue(world):
    code = start(world.admin, world.resident(), unit=world.commune_a)
    task = task_of(code, "verify_application")
    assert task.assignee_id is None and task.unit_id == world.commune_a.id
    do(world.police, code, "verify_application", CLEAN)


def test_justice_returns_the_file_to_the_police_who_fix_the_record(world):
    """The record is wrong and the certificate right: the police fix it, the case goes on."""
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    with pytest.raises(Invalid) as err:
        do(
            world.justice,
            code,
            "triage_correction",
            {"procedure": "return_to_police", "documents_complete": True},
        )
    assert set(err.value.fields) == {"reason"}
    reason = "Giấy khai sinh đúng; dữ liệu dân cư ghi sai năm sinh"
    c = do(
        world.justice,
        code,
        "triage_correction",
        {"procedure": "return_to_police", "documents_complete": True, "reason": reason},
    )
    assert c.current_steps == "capture_biometrics,update_population_record"
    assert task_of(code, "update_population_record").department == "police"
    c = do(world.police, code, "update_population_record", {"confirmed": True})
    assert c.current_steps == "capture_biometrics"


def test_justice_refuses_and_the_case_closes_refused(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    c = do(
        world.justice,
        code,
        "triage_correction",
        {"procedure": "refuse", "documents_complete": False, "reason": "Không đủ căn cứ cải chính"},
    )
    assert c.status == "refused" and c.steps == []
    assert ("refused", "triage_correction") in actions(code)
