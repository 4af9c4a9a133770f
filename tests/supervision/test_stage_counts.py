"""Daily stage counts: kept by the command that moves a case, in its transaction, per local day
and unit; and rebuilt from the audit trail by `flask stats rebuild-daily`."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from tests.support.cases import CLEAN, CORRECTION, DOB, case, do, finish_from_biometrics, start, transferred
from webapp.models import StageCount, Unit, db
from webapp.services.cases import commands
from webapp.services.errors import Invalid
from webapp.services.supervision import stage_counts
from webapp.services.uow import command

# 16:59 UTC is 23:59 in Hà Nội; 17:01 UTC is already the next local day.
LATE_EVENING = datetime(2026, 12, 2, 16, 59, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 12, 2, 17, 1, tzinfo=UTC)


def counts() -> dict[tuple[date, str, str], int]:
    """(local day, unit code, stage) -> count, for the throughput stages."""
    db.session.expire_all()
    rows = db.session.execute(
        select(StageCount.day, Unit.code, StageCount.stage, StageCount.count)
        .join(Unit, Unit.id == StageCount.unit_id)
        .where(StageCount.stage.in_(stage_counts.STAGES))
    )
    return {(day, code, stage): n for day, code, stage, n in rows}


def totals() -> dict[str, int]:
    out: dict[str, int] = {}
    for (_day, _unit, stage), n in counts().items():
        out[stage] = out.get(stage, 0) + n
    return out


def through_justice(w, code):
    do(w.police, code, "verify_application", DOB)
    do(w.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(w.justice, code, "record_correction", CORRECTION)
    do(w.police, code, "update_population_record", {"confirmed": True})


def test_each_stage_is_counted_once_on_the_local_day_for_the_case_unit(world):
    with time_machine.travel(LATE_EVENING, tick=False):
        code = start(world.police, world.resident())
    assert counts() == {(date(2026, 12, 2), "13300", "applied"): 1}
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        through_justice(world, code)
        finish_from_biometrics(world, code)
    day = date(2026, 12, 3)
    assert counts() == {
        (date(2026, 12, 2), "13300", "applied"): 1,
        (day, "13300", "justice"): 1,
        (day, "13300", "approved"): 1,
        (day, "13300", "produced"): 1,
        (day, "13300", "issued"): 1,
    }
    assert case(code).status == "issued"


def test_same_stage_same_day_adds_up_and_units_stay_apart(world):
    for _ in range(3):
        start(world.police, world.resident())
    start(world.police_b, world.resident(unit=world.commune_b))
    today = stage_counts.local_day(datetime.now(UTC))
    assert counts() == {(today, "13300", "applied"): 3, (today, "13301", "applied"): 1}


def test_a_returned_file_is_not_approved_and_eid_counts_only_when_activated(world):
    returned = start(world.police, world.resident())
    do(world.police, returned, "verify_application", CLEAN)
    do(world.police, returned, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, returned, "approve_application", {"decision": "return", "reason": "Ảnh mờ"})
    assert "approved" not in totals()

    activated, refused_eid = start(world.police, world.resident()), start(world.police, world.resident())
    for code, answer in ((activated, True), (refused_eid, False)):
        do(
            world.police,
            code,
            "verify_application",
            {**CLEAN, "eid_request": True, "eid_phone": "0912345678"},
        )
        do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
        do(world.approval, code, "approve_application", {"decision": "approve"})
        with command():
            commands.record_card_produced(world.production, code, f"C{code[-6:]}", date(2026, 11, 20))
        do(world.police, code, "receive_card")
        do(world.police, code, "hand_over_card", {"received_by": "self", "eid_activated": answer})
    assert totals() == {"applied": 3, "approved": 2, "produced": 2, "issued": 2, "eid_activated": 1}


def test_a_repeated_production_message_counts_once(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    for _ in range(2):
        with command():
            commands.record_card_produced(world.production, code, "C000000001", date(2026, 11, 20))
    assert totals()["produced"] == 1


def test_counts_roll_back_with_the_command(world):
    pid = world.resident()
    with pytest.raises(RuntimeError), command():
        commands.start_case(world.police, pid, "new")
        raise RuntimeError("the request failed after the case started")
    assert counts() == {}
    # A refused command writes nothing either.
    with pytest.raises(Invalid), command():
        commands.start_case(world.police, "037190000000", "new")
    assert counts() == {}


def test_work_after_a_transfer_counts_for_the_new_unit(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    transferred(world, code)
    do(world.police_b, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    units_by_stage = {stage: unit for (_day, unit, stage) in counts()}
    assert units_by_stage == {"applied": "13300", "approved": "13301"}


def test_rebuild_from_the_audit_trail_gives_the_live_counts(world, app):
    with time_machine.travel(LATE_EVENING, tick=False):
        full = start(world.police, world.resident())
        through_justice(world, full)
        waiting = start(world.police, world.resident())
        do(world.police, waiting, "verify_application", DOB)  # now at the justice office, untouched
        moved = start(world.police, world.resident())
        do(world.police, moved, "verify_application", CLEAN)
        transferred(world, moved)
        hopping = start(world.police, world.resident())
        do(world.police, hopping, "verify_application", DOB)  # sent to justice from A...
        transferred(world, hopping)
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        finish_from_biometrics(world, full)
        do(world.police_b, moved, "capture_biometrics", {"fingerprints": "ok"})
        do(world.approval, moved, "approve_application", {"decision": "return", "reason": "Ảnh mờ"})
        do(world.police_b, moved, "verify_application", DOB)  # back again, this time to justice
        do(
            world.justice_b,
            moved,
            "triage_correction",
            {"procedure": "correction", "documents_complete": True},
        )
        # ...and first handled at B the next day: it entered the justice office at A.
        do(
            world.justice_b,
            hopping,
            "triage_correction",
            {"procedure": "correction", "documents_complete": True},
        )
    live = counts()
    assert live[(date(2026, 12, 2), "13300", "justice")] == 3
    assert live[(date(2026, 12, 3), "13301", "justice")] == 1

    with command():
        db.session.execute(StageCount.__table__.delete())
    result = app.test_cli_runner().invoke(args=["stats", "rebuild-daily"])
    assert result.exit_code == 0, result.output
    assert "applied 4" in result.output and "justice 4" in result.output
    assert counts() == live

    # Rebuilding again replaces, it does not add.
    app.test_cli_runner().invoke(args=["stats", "rebuild-daily"])
    assert counts() == live


def test_stages_of_reads_the_outcome_and_the_trail():
    class Outcome:
        done_steps = ["approve_application", "gw_approval"]

    approve = [
        {"action": "completed", "step": "approve_application", "detail": {"data": {"decision": "approve"}}}
    ]
    back = [
        {"action": "completed", "step": "approve_application", "detail": {"data": {"decision": "return"}}}
    ]
    assert stage_counts.stages_of(Outcome(), approve) == ["approved"]
    assert stage_counts.stages_of(Outcome(), back) == []
    assert stage_counts.stages_of(Outcome(), []) == []
