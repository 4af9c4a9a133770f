"""How many SQL statements a completion runs: the task, its case, unit and resident in one read,
the audit rows in one insert, the projection in one statement when a task leads to the next one,
the case row. A change that adds a lazy load or a statement per command fails here; the figures
are those the engine benchmark (`python -m bench engine`) reports per completion."""

from datetime import date

from sqlalchemy import event, select

from tests.support.api import started, task_id
from tests.support.cases import CLEAN, CORRECTION, DOB, case, start, task_of
from tests.support.web import login
from webapp.models import CaseTask, db
from webapp.services.cases import commands, tasks
from webapp.services.uow import command


def _counted(action, one_command: bool = True) -> list[str]:
    """The statements `action` runs (in one command), after the session forgot what it read (as
    in a new request: the signed-in user is read again)."""
    db.session.expire_all()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:90])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        if one_command:
            with command():
                action()
        else:
            action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def _complete(user, code: str, step: str, data: dict | None = None) -> list[str]:
    task_id = task_of(code, step).id
    return _counted(lambda: tasks.complete(user, task_id, data or {}))


def _writes(statements: list[str], table: str) -> list[str]:
    return [s.split()[0] for s in statements if not s.startswith("SELECT") and f" {table} " in f"{s} "]


def _rows(code: str) -> list[tuple[str, str | None]]:
    return [
        (t.step, t.assignee_id)
        for t in db.session.scalars(select(CaseTask).where(CaseTask.case_id == case(code).id))
    ]


def test_a_clean_case_runs_seven_statements_a_completion_or_fewer(world):
    code = start(world.police, world.resident())
    steps = [
        # user, task+case+unit+resident, audit, projection, case; the intake hook reads nothing more
        (world.police, "verify_application", CLEAN, 5, "capture_biometrics"),
        (world.police, "capture_biometrics", {"fingerprints": "ok"}, 6, "approve_application"),  # + portrait
        # the projection's row dropped (the case waits for the card), the day's count of approvals
        (world.approval, "approve_application", {"decision": "approve"}, 6, None),
    ]
    for user, step, data, expected, next_step in steps:
        statements = _complete(user, code, step, data)
        assert len(statements) == expected, (step, statements)
        assert not any(s.startswith("SELECT residents") for s in statements), (step, statements)
        assert _rows(code) == ([(next_step, None)] if next_step else [])
    produced = _counted(
        lambda: commands.record_card_produced(world.production, code, "C1", date(2026, 11, 20))
    )
    assert len(produced) <= 8, produced
    assert _rows(code) == [("receive_card", None)]
    assert len(_complete(world.police, code, "receive_card")) <= 7
    last = _complete(world.police, code, "hand_over_card", {"received_by": "self"})
    assert len(last) <= 9, last  # + the card's message, the resident's card, the day's count
    assert _rows(code) == [] and case(code).status == "issued"


def test_the_justice_steps_turn_one_task_row_into_the_next(world):
    code = start(world.police, world.resident())
    _complete(world.police, code, "verify_application", DOB)
    # One visit: the biometrics are taken before the citizen leaves; the justice office's steps
    # then follow one another in the case's one row.
    _complete(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    triage = _complete(
        world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True}
    )
    assert len(triage) <= 9, triage  # + the outbox notice and the triage's own reads
    assert _writes(triage, "case_tasks") == ["UPDATE"], triage  # not a DELETE and an INSERT
    assert len(_complete(world.justice, code, "record_correction", CORRECTION)) <= 8
    assert _rows(code) == [("update_population_record", None)]


def test_a_completion_drops_every_row_the_case_no_longer_has(world):
    """The row of the done task becomes the next task's only when it is the case's one row: with
    another row beside it (a projection left behind), both go and the next task gets its own."""
    code = start(world.police, world.resident())
    done = task_of(code, "verify_application")
    with command():
        db.session.add(
            CaseTask(
                id="left-behind",
                case_id=done.case_id,
                step="verify_application",
                department="police",
                unit_id=done.unit_id,
                unit_path=done.unit_path,
                ready_at=done.ready_at,
            )
        )
    statements = _counted(lambda: tasks.complete(world.police, done.id, CLEAN))
    assert _writes(statements, "case_tasks") == ["UPDATE", "DELETE", "INSERT"]  # the turn changed nothing
    assert _rows(code) == [("capture_biometrics", None)]


def test_a_completion_through_the_page_or_the_api_reads_nothing_after_its_commit(app, api, world):
    """The page: the signed-in user, the task read, the audit rows, the projection, the case row;
    the redirect decides from what the command answered (not the user's row again, which the
    commit expired). The API: its token with the user and the same four; the answer's tasks are
    the rows the command wrote, exactly as a later read of the case shows them."""
    code = start(world.police, world.resident())
    client = login(app.test_client(), world.police.username)
    done = task_of(code, "verify_application").id
    page = _counted(lambda: client.post(f"/tasks/{done}", data={"outcome": "continue"}), one_command=False)
    assert len(page) == 5, page
    assert _rows(code) == [("capture_biometrics", None)]
    through_api = started(api, world.police, world.resident())
    token = api.token(world.police)
    done = task_id(through_api, "verify_application")
    answers = []
    statements = _counted(
        lambda: answers.append(api.post(f"/tasks/{done}/complete", token=token, json={"data": CLEAN})),
        one_command=False,
    )
    assert len(statements) == 5, statements
    answer = answers[0].get_json()
    read = api.get(f"/cases/{through_api['code']}", world.police).get_json()
    assert answer["next_tasks"] == answer["case"]["tasks"] == read["tasks"]
    assert [t["step"] for t in read["tasks"]] == ["capture_biometrics"] and read["tasks"][0]["due_at"]


def test_the_page_still_offers_the_next_task_of_the_officers_own_department(app, world):
    """After triage the result's step is the justice office's again: the redirect carries the
    offer to take it (read from the command's answer, without the user's row after the commit)."""
    code = start(world.police, world.resident())
    _complete(world.police, code, "verify_application", DOB)
    client = login(app.test_client(), world.justice.username)
    triage = task_of(code, "triage_correction").id
    form = {"procedure": "correction", "documents_complete": "true", "outcome": "continue"}
    response = client.post(f"/tasks/{triage}", data=form)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    with client.session_transaction() as session:
        offers = [m for kind, m in session.get("_flashes", []) if kind == "next-task"]
    assert offers == [
        {"task": task_of(code, "record_correction").id, "step": "record_correction", "code": code}
    ]


def test_a_case_started_through_the_api_reads_its_resident_once_and_no_diagram_sources(app, api, world):
    """The token with the user, the resident, the open-case check, the spec's key (not its
    stored diagrams), the year's counter, the unit, the case (in a savepoint), its audit row,
    task row, the day's count and the case row again; then the answer's tasks."""
    api.post("/cases", token=api.token(world.police), json={"personal_id": world.resident(), "kind": "new"})
    token = api.token(world.police)
    pid = world.resident()
    answers = []
    statements = _counted(
        lambda: answers.append(api.post("/cases", token=token, json={"personal_id": pid, "kind": "new"})),
        one_command=False,
    )
    assert answers[0].status_code == 201, answers[0].get_json()
    assert sum(s.startswith("SELECT residents.") for s in statements) == 1, statements
    assert not any("process_specs.sources" in s for s in statements), statements
    assert sum("case_counters" in s for s in statements) == 1, statements  # the UPDATE … RETURNING
    assert len(statements) <= 14, statements


def test_reading_a_task_through_the_api_is_two_statements(app, api, world):
    """The token with its user, and the task with its case (the answer shows the case's code and
    the form): a device opening each task before completing it pays two round trips."""
    through_api = started(api, world.police, world.resident())
    token = api.token(world.police)
    done = task_id(through_api, "verify_application")
    answers = []
    statements = _counted(lambda: answers.append(api.get(f"/tasks/{done}", token=token)), one_command=False)
    assert answers[0].status_code == 200 and answers[0].get_json()["case_code"] == through_api["code"]
    assert len(statements) == 2, statements
