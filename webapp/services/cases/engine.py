"""The steps every case command shares: load and lock the case, run the engine, store the new
state, rewrite the task projection and append audit events. The caller commits once."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from vntime import add_working_days
from workflows import Outcome

from ...models import Case, CaseEvent, CaseTask, User, db
from .. import workflow_store
from ..errors import NOT_FOUND_CASE, STALE, Conflict, NotFound
from . import justice_due

log = logging.getLogger(__name__)

# End events of the main diagram that close a case, and the status each gives.
END_STATUS = {
    "end_withdrawn": "withdrawn",
    "end_refused": "refused",
    "end_refused_by_justice": "refused",  # the justice office refused the procedure
    "end_issued": "issued",
}
TASKS, EVENTS = CaseTask.__table__, CaseEvent.__table__
# Built once: these run on every command.
_DROP_TASKS = delete(TASKS).where(TASKS.c.case_id == bindparam("case_id"))
_ADD_TASKS = {
    postgresql: (pg_insert if postgresql else sqlite_insert)(TASKS).on_conflict_do_nothing(
        index_elements=[TASKS.c.id]
    )
    for postgresql in (False, True)
}
_ADD_EVENTS = insert(EVENTS)
# A completion that leads to one new task (most of them): the done task's row becomes the new
# task's, in one statement instead of a delete and an insert, but only when it is the case's only
# row (NOT EXISTS: nothing else to drop); otherwise it changes nothing and the two statements run.
_NEW_COLUMNS = ("id", "step", "department", "unit_id", "unit_path", "priority", "ready_at", "due_at")
_TURN_TASK = (
    update(TASKS)
    .where(
        TASKS.c.id == bindparam("done_id"),
        ~exists().where(TASKS.c.case_id == bindparam("row_case_id"), TASKS.c.id != bindparam("done_id")),
    )
    .values(
        {name: bindparam(f"new_{name}") for name in _NEW_COLUMNS}
        | {"assignee_id": bindparam("new_assignee_id")}
    )
)
EVENT_ACTION = {"timer": "timer_fired", "escalation": "escalated", "signal": "reminded"}


@dataclass(frozen=True)
class Applied:
    """What one command did to a case, for the capabilities that react to it."""

    case: Case
    outcome: Outcome
    trail: list[dict]  # the audit rows written
    before: str  # the case's steps before the command
    now: datetime
    # The case's rows in the task projection as the command left them, when it wrote them all
    # (None when rows it kept may differ from what it would write: read them).
    tasks: list[dict] | None = None


# What other capabilities do in the transaction of every command (the escalations' notices, the
# day's throughput counts, production batches that close): registered at start-up by
# services/hooks.py, like the per-step hooks of tasks.STEP_HOOKS, so the engine imports none of them.
AFTER_COMMAND: list[Callable[[Applied], None]] = []


def lock_case(case_id: int | None = None, code: str | None = None, with_resident: bool = False) -> Case:
    """Load a case for a command: a row lock on PostgreSQL; the version column everywhere.
    `with_resident`: the case's resident in the same read (the command reads it)."""
    query = (
        select(Case).where(Case.id == case_id)
        if case_id is not None
        else select(Case).where(Case.code == code)
    )
    if with_resident:
        query = query.options(joinedload(Case.resident, innerjoin=True))
    if db.session.get_bind().dialect.name == "postgresql":
        # FOR NO KEY UPDATE: commands on one case still queue, but rows that merely reference
        # it (a batch member, an appointment person) are written meanwhile, so another command
        # holding such a row never waits on this one in a cycle (a deadlock).
        query = query.with_for_update(of=Case, key_share=True)
    # populate_existing: what we waited for the lock on may be newer than what this session read.
    case = db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if case is None:
        raise NotFound(NOT_FOUND_CASE)
    return case


def check_version(case: Case, expected: int | None) -> None:
    if expected is not None and case.version != expected:
        raise Conflict(STALE)


def state_of(case: Case) -> str:
    """The case's workflow state, with the spec version it is pinned to loaded in the engine."""
    workflow_store.bundle_for(case.spec_version)
    return workflow_store.unpack(case.state)


def due_at(spec_version: str, step: str, ready_at: datetime, data: dict | None = None) -> datetime | None:
    """The step's limit (step_time_limits.dmn), or for the justice office's result the limit of
    the procedure chosen at triage (justice_time_limits.dmn, from the workflow's `data`)."""
    justice = justice_due.due_at(spec_version, step, ready_at, data or {})
    if justice is not False:
        return justice
    days = workflow_store.bundle_for(spec_version).time_limit(step)
    return None if days is None else add_working_days(ready_at, days)


def apply(
    case: Case,
    outcome: Outcome,
    actor: User | None,
    now: datetime,
    assign_new_to: User | None = None,
    trail: list[dict] | None = None,
    done_task: str | None = None,
) -> Applied:
    """Store an engine outcome on the case and its projection, with the command's audit rows
    (`trail`) and those for what the engine did on its own (timers, reminders, escalations,
    errors), written in one statement; then the hooks of other capabilities. `done_task`: the id
    of the task the command completed (its row may become the next task's). Returns what was
    done, for the caller to say where the case went without reading it again."""
    trail = list(trail or ())
    before = case.current_steps or ""
    case.state = workflow_store.pack(outcome.state)
    workflow_store.keep_after_commit(case, outcome, case.state)
    case.current_steps = ",".join(sorted({t.step for t in outcome.ready} | set(outcome.waiting)))
    case.next_timer_at = outcome.next_timer_at
    case.updated_at = now
    if outcome.error is not None:
        case.status = "error"
        case.error_step, case.error_message, case.error_line = (
            outcome.error.step,
            outcome.error.message,
            outcome.error.line,
        )
        trail.append(
            event(
                case,
                None,
                "failed",
                outcome.error.step,
                {"message": outcome.error.message, "line": outcome.error.line},
                now,
            )
        )
    elif outcome.completed:
        case.status = next((END_STATUS[e] for e in END_STATUS if e in outcome.end_events), "issued")
        case.closed_at = now
    else:
        case.status = "open"
        case.error_step = case.error_message = case.error_line = None
    for done in outcome.events:
        trail.append(event(case, None, EVENT_ACTION[done.kind], done.name, {"kind": done.kind}, now))
    write_events(trail)
    rows = _project(case, outcome, now, assign_new_to, before, done_task)
    applied = Applied(case, outcome, trail, before, now, rows)
    for hook in AFTER_COMMAND:
        hook(applied)
    log.info(
        "case %s now %s at %s (actor %s)",
        case.code,
        case.status,
        case.current_steps or "-",
        actor.username if actor else "system",
    )
    return applied


def _project(
    case: Case,
    outcome: Outcome,
    now: datetime,
    assign_new_to: User | None,
    before: str,
    done_task: str | None = None,
) -> list[dict] | None:
    """Rewrite the case's rows in the task projection: drop the rows of tasks no longer ready and
    add the new ones, keeping the rows of tasks still ready (their assignee and ready time): at
    most two plain statements, not the ORM's unit of work, one when the completed task's row
    turns into the only next task's, and none when there is nothing to do. Returns the case's
    rows as they now are when it wrote them all (see Applied.tasks), else None."""
    keep = [t.id for t in outcome.ready]
    rows = [
        {
            "id": task.id,
            "case_id": case.id,
            "step": task.step,
            "department": task.lane,
            "unit_id": case.unit_id,
            "unit_path": case.unit_path,
            "priority": case.priority,
            "ready_at": now,
            "due_at": due_at(case.spec_version, task.step, now, outcome.data),
            "assignee_id": assign_new_to.id if assign_new_to is not None else None,
        }
        for task in outcome.ready
    ]
    conn = db.session.connection()
    if done_task is not None and len(rows) == 1 and keep[0] != done_task:
        turned = conn.execute(
            _TURN_TASK,
            {"done_id": done_task, "row_case_id": case.id} | {f"new_{k}": v for k, v in rows[0].items()},
        )
        if turned.rowcount == 1:
            return rows
    had = _had_tasks(case, before)
    if had:
        drop = _DROP_TASKS.where(TASKS.c.id.not_in(keep)) if keep else _DROP_TASKS
        conn.execute(drop, {"case_id": case.id})
    if not rows:
        return rows
    # A task still ready keeps its row as it is.
    conn.execute(_ADD_TASKS[conn.dialect.name == "postgresql"], rows)
    return None if had else rows


def _had_tasks(case: Case, before: str) -> bool:
    """Whether the case may have rows in the projection before this command (`before`: its steps
    then): not when it is new or only waited for a message (the production centre's card)."""
    steps = workflow_store.bundle_for(case.spec_version).steps
    return any(step in steps for step in before.split(",") if step)


def event(
    case: Case,
    actor: User | None,
    action: str,
    step: str | None,
    detail: dict,
    now: datetime,
    task_id: str | None = None,
) -> dict:
    """One audit row, to be written with write_events()."""
    return {
        "case_id": case.id,
        "at": now,
        "actor_id": actor.id if actor else None,
        "action": action,
        "step": step,
        "detail": detail,
        "task_id": task_id,
    }


def write_events(rows: list[dict]) -> None:
    if rows:
        db.session.connection().execute(_ADD_EVENTS, rows)


def record(
    case: Case,
    actor: User | None,
    action: str,
    step: str | None,
    detail: dict,
    now: datetime,
    task_id: str | None = None,
) -> None:
    write_events([event(case, actor, action, step, detail, now, task_id)])


REWINDS = ("moved", "retried")  # a supervisor rewound the workflow: what came before is undone


def _rewound(case: Case):
    """The id of the case's last rewind (0 if none), as a subquery."""
    return (
        select(func.coalesce(func.max(CaseEvent.id), 0))
        .where(CaseEvent.case_id == case.id, CaseEvent.action.in_(REWINDS))
        .scalar_subquery()
    )


def messages(case: Case, message: str) -> tuple[list[dict], dict | None]:
    """In one read: every payload this case received under that name, rewound or not, oldest
    first; and the last one unless a supervisor has rewound the case since (see last_message)."""
    rows = db.session.execute(
        select(CaseEvent.id, CaseEvent.detail, _rewound(case))
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.action == "message_received",
            CaseEvent.step == message,
        )
        .order_by(CaseEvent.id)
    ).all()
    last = rows[-1] if rows else None
    return [row[1] for row in rows], (last[1] if last is not None and last[0] > last[2] else None)


def last_message(case: Case, message: str) -> dict | None:
    """The payload of the message this case last received under that name, from the audit trail,
    unless a supervisor has rewound the case since (then the workflow waits for it afresh)."""
    rewound = _rewound(case)
    return db.session.scalar(
        select(CaseEvent.detail)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.action == "message_received",
            CaseEvent.step == message,
            CaseEvent.id > rewound,
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
