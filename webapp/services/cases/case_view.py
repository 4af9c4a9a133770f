"""Read side of a case: what the CLI, the API and the case page show. Reads the case row, the
projection and the audit trail; never the workflow state."""

from datetime import UTC

from sqlalchemy import func, select

from ...models import Case, CaseEvent, CaseTask, User, db
from .. import access
from ..residents import id_check

CHANGES_SHOWN = 10


def task_dict(task: CaseTask, case_code: str) -> dict:
    return {
        "id": task.id,
        "case_code": case_code,
        "step": task.step,
        "department": task.department,
        "unit": task.case.unit.code if task.case else None,
        "assignee": task.assignee.username if task.assignee else None,
        "ready_at": task.ready_at.isoformat(),
        "due_at": task.due_at.isoformat() if task.due_at else None,
    }


def resident_dict(resident) -> dict:
    return {
        "personal_id": resident.personal_id,
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat(),
        "birth_date_precision": resident.birth_date_precision,
        "sex": resident.sex,
        "old_id_number": resident.old_id_number,
        "ethnicity": resident.ethnicity,
        "household_id": resident.household_id,
        "permanent_unit": resident.permanent_unit.code,
        "temporary_unit": resident.temporary_unit.code if resident.temporary_unit else None,
        "status": resident.status,
        "hometown": resident.hometown,
        "place_of_birth": resident.place_of_birth,
        "flags": id_check.flags(resident),
        "id_check": id_check.id_check(resident),
    }


def case_dict(
    case: Case,
    with_events: bool = True,
    tasks: list[CaseTask] | None = None,
    task_dicts: list[dict] | None = None,
) -> dict:
    """`tasks`: the case's ready tasks when the caller has read them already (or `task_dicts`,
    them as task_dict() gives them)."""
    if tasks is None and task_dicts is None:
        tasks = ready_tasks(case)
    out = {
        "code": case.code,
        "status": case.status,
        "kind": case.kind,
        "priority": case.priority,
        "unit": case.unit.code,
        "version": case.version,
        "resident": resident_dict(case.resident),
        "tasks": task_dicts if task_dicts is not None else [task_dict(t, case.code) for t in tasks],
        "law": case.law,
        "legal_due_on": case.legal_due_on.isoformat() if case.legal_due_on else None,
    }
    if case.status == "error":
        out["error"] = {"step": case.error_step, "message": case.error_message, "line": case.error_line}
    if with_events:
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
        out["events"] = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor.username if e.actor else None,
                "action": e.action,
                "step": e.step,
                "detail": e.detail,
            }
            for e in events
        ]
    return out


def describe(code: str) -> dict | None:
    case = db.session.scalar(select(Case).where(Case.code == code))
    return None if case is None else case_dict(case)


def ready_tasks(case: Case) -> list[CaseTask]:
    """The case's ready tasks from the projection, oldest first; tasks ready at the same moment
    (biometrics beside the justice office) by step name, so every reader sees one order."""
    return list(
        db.session.scalars(
            select(CaseTask)
            .where(CaseTask.case_id == case.id)
            .order_by(CaseTask.ready_at, CaseTask.step, CaseTask.id)
        )
    )


def completions(case: Case, limit: int) -> list[CaseEvent]:
    """The case's last completed steps, newest first (what earlier steps recorded)."""
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.action == "completed")
            .order_by(CaseEvent.id.desc())
            .limit(limit)
        )
    )


def last_event_id(case: Case) -> int:
    """The newest audit row of the case: a form remembers it, so that a conflict can tell what
    happened after the officer opened it (changes_since)."""
    newest = select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case.id)
    return db.session.scalar(newest) or 0


def changes_since(user: User, task_id: str, seen: int | None) -> list[CaseEvent]:
    """What happened to a task's case after the audit row `seen` (the other officer's claim,
    completion, assignment...), oldest first: what a conflict shows. The case is found through
    the task, or through the audit trail when the task is done; nothing for a case `user` may not
    see. Without `seen` (an old page), the last few changes."""
    if not isinstance(task_id, str):
        return []
    case_id = db.session.scalar(select(CaseTask.case_id).where(CaseTask.id == task_id)) or db.session.scalar(
        select(CaseEvent.case_id).where(CaseEvent.task_id == task_id).limit(1)
    )
    case = db.session.get(Case, case_id) if case_id else None
    if case is None or not access.can_see_case(user, case):
        return []
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if seen is None:
        return list(reversed(db.session.scalars(query.order_by(CaseEvent.id.desc()).limit(3)).all()))
    return list(
        db.session.scalars(query.where(CaseEvent.id > seen).order_by(CaseEvent.id).limit(CHANGES_SHOWN))
    )


def next_tasks(case: Case) -> list[dict]:
    """The case's ready tasks as the API shows them."""
    return [task_dict(t, case.code) for t in ready_tasks(case)]


def after_completion(case: Case, written: list[dict] | None = None) -> dict:
    """The API's answer to a completion: the case and its next tasks, from the projection rows
    the command wrote (`written`, tasks.Completion.tasks) or else from one read of them."""
    if written is not None and all(row["assignee_id"] is None for row in written):
        order = sorted(written, key=lambda row: (row["ready_at"], row["step"], row["id"]))  # = ready_tasks
        tasks = [_written_task(row, case) for row in order]
        return {"case": case_dict(case, with_events=False, task_dicts=tasks), "next_tasks": tasks}
    ready = ready_tasks(case)
    return {
        "case": case_dict(case, with_events=False, tasks=ready),
        "next_tasks": [task_dict(t, case.code) for t in ready],
    }


def _written_task(row: dict, case: Case) -> dict:
    """task_dict() of a projection row as the command wrote it (times as the database returns
    them: UTC)."""
    return {
        "id": row["id"],
        "case_code": case.code,
        "step": row["step"],
        "department": row["department"],
        "unit": case.unit.code,
        "assignee": None,
        "ready_at": row["ready_at"].astimezone(UTC).isoformat(),
        "due_at": row["due_at"].astimezone(UTC).isoformat() if row["due_at"] else None,
    }
