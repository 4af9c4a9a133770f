"""The justice office's result is due by the procedure chosen at triage
(bpmn/justice_time_limits.dmn): a supplement the same day (the next working day after 15:00), a
correction in 3 working days (+3 recorded when verification is needed), a change in 3, a
re-registration in 5; a changed row of the table changes the due date."""

from datetime import datetime

import pytest
import time_machine

from tests.support.cases import DOB, case, do, start, task_of
from tests.support.web import login
from vntime import LOCAL_TZ
from webapp.models import CaseEvent, db
from webapp.services import workflow_store
from workflows import Engine, load_bundle

MONDAY_MORNING = datetime(2026, 11, 16, 9, 0, tzinfo=LOCAL_TZ)
MONDAY_LATE = datetime(2026, 11, 16, 15, 30, tzinfo=LOCAL_TZ)
FRIDAY_LATE = datetime(2026, 11, 20, 16, 0, tzinfo=LOCAL_TZ)


def triaged(world, at: datetime, procedure: str, **extra) -> str:
    """A case whose justice triage chose `procedure` with documents complete at `at`."""
    with time_machine.travel(at, tick=False):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(
            world.justice,
            code,
            "triage_correction",
            {"procedure": procedure, "documents_complete": True, **extra},
        )
    return code


def due_day(code: str):
    return task_of(code, "record_correction").due_at.astimezone(LOCAL_TZ).date().isoformat()


@pytest.mark.parametrize(
    ("at", "procedure", "extra", "due"),
    [
        (MONDAY_MORNING, "supplement", {}, "2026-11-16"),  # the same day
        (MONDAY_LATE, "supplement", {}, "2026-11-17"),  # after 15:00: the next working day
        (FRIDAY_LATE, "supplement", {}, "2026-11-23"),  # Friday after 15:00: Monday
        (MONDAY_LATE, "correction", {}, "2026-11-19"),  # 3 working days; no cut-off
        # 3 + 3 (24 November, Vietnamese Culture Day, is a day off in the calendar)
        (MONDAY_MORNING, "correction", {"needs_verification": True}, "2026-11-25"),
        (MONDAY_MORNING, "change", {"subject_consent": True}, "2026-11-19"),
    ],
)
def test_the_result_is_due_by_the_procedure(world, at, procedure, extra, due):
    code = triaged(world, at, procedure, **extra)
    assert due_day(code) == due


def test_the_verification_extension_is_recorded_and_shown(app, world):
    code = triaged(world, MONDAY_MORNING, "correction", needs_verification=True)
    event = db.session.query(CaseEvent).filter_by(case_id=case(code).id, step="triage_correction").all()[-1]
    assert event.detail["time_limit"] == {"working_days": 3, "extension_days": 3, "cutoff_hour": 24}
    page = login(app.test_client(), "justice_a").get(f"/cases/{code}").get_data(as_text=True)
    assert "Thời hạn trả kết quả: 3 ngày làm việc + 3 ngày gia hạn để xác minh" in page


def test_the_limit_runs_from_when_the_missing_documents_arrive(world):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": False})
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        do(world.justice, code, "await_citizen_documents", {"documents_received": True})
    assert due_day(code) == "2026-11-23"  # Wednesday + 3 working days


def test_changing_a_row_of_the_table_changes_the_due_date(app, world):
    original = app.extensions[workflow_store.EXTENSION]
    sources = dict(original.current.sources)
    table = sources["justice_time_limits.dmn"]
    row = table.index('<rule id="justice_time_limit_r1">')  # correction
    sources["justice_time_limits.dmn"] = table[:row] + table[row:].replace(
        "<text>3</text>", "<text>4</text>", 1
    )
    app.extensions[workflow_store.EXTENSION] = Engine(load_bundle(sources))
    try:
        code = triaged(world, MONDAY_MORNING, "correction")
    finally:
        app.extensions[workflow_store.EXTENSION] = original
    assert due_day(code) == "2026-11-20"  # 4 working days, not 3


def test_a_version_without_the_table_keeps_the_steps_limit(app, world):
    """Cases pinned to a version from before the table keep step_time_limits.dmn's figure."""
    original = app.extensions[workflow_store.EXTENSION]
    sources = {k: v for k, v in original.current.sources.items() if k != "justice_time_limits.dmn"}
    app.extensions[workflow_store.EXTENSION] = Engine(load_bundle(sources))
    try:
        code = triaged(world, MONDAY_MORNING, "supplement")
    finally:
        app.extensions[workflow_store.EXTENSION] = original
    assert due_day(code) == "2026-11-19"  # record_correction's 3 days in step_time_limits.dmn
