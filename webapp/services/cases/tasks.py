"""Task commands: claim, release, assign, complete. Each is one transaction on the case.

A command takes its task and case in one read, locked, and checks access once (`take`); the
completion validates the data against the step's declaration once (step_rules) and answers with
where the case went (`Completion`), so the caller reads nothing again.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from workflows import TaskNotReady

from ...models import Case, CaseEvent, CaseTask, Resident, Unit, User, db
from .. import access, clock, workflow_store
from ..errors import NOT_FOUND_TASK, Conflict, Forbidden, Invalid, Msg, NotFound
from ..messaging import population_sync
from ..residents import id_check
from ..scope import subtree
from ..text import name_key
from . import (
    engine,
    id_decision,
    intake,
    justice_due,
    justice_rules,
    legal_due,
    portraits,
    step_outcomes,
    step_rules,
)

# The task, its case, the case's unit (it names where the case went) and its resident (every
# completion's rules and most steps' hooks read it) in one read: no lazy load after it.
_TASK_AND_CASE = (
    select(CaseTask, Case)
    .join(Case, Case.id == CaseTask.case_id)
    .join(Case.unit)
    .join(Case.resident)
    .options(contains_eager(Case.unit), contains_eager(Case.resident))
    .where(CaseTask.id == bindparam("task_id"))
    .execution_options(populate_existing=True)
)
# What completing a step does besides the workflow (the resident record, the portrait), in the
# completion's transaction: each hook may raise Invalid naming a field, and returns what it adds
# to the audit row.
STEP_HOOKS = {
    "verify_application": intake.after_verify,
    "capture_biometrics": portraits.after_capture,
    "hand_over_card": intake.after_hand_over,
    "record_correction": population_sync.after_record_correction,  # hand-off to the population DB
}
GONE = Msg(
    "Công việc này đã được xử lý hoặc không còn chờ.", "This task has been done or is no longer waiting."
)


def get_task(user: User, task_id: str) -> CaseTask:
    """A ready task the user may see; a task already done answers Conflict, anything else NotFound."""
    # With its case in the same read: every caller shows or checks it.
    task = (
        db.session.get(CaseTask, task_id, options=[joinedload(CaseTask.case)])
        if isinstance(task_id, str)
        else None
    )
    if task is None:
        missing(user, task_id)
    if not (access.can_work_task(user, task) or access.can_see_case(user, task.case)):
        raise NotFound(NOT_FOUND_TASK)
    return task


OTHER_DEPARTMENT = Msg("Công việc này thuộc bộ phận khác.", "This task belongs to another department.")


def workable_task(user: User, task_id: str) -> CaseTask:
    """A task the user's department works on, for a page that shows it: NotFound outside their
    scope, Forbidden for a case they can see but whose step belongs to another department."""
    task = get_task(user, task_id)
    if not access.can_work_task(user, task):
        raise Forbidden(OTHER_DEPARTMENT)
    return task


def missing(user: User, task_id) -> None:
    """No such ready task: a conflict if the user can see it was done, else not found."""
    done = None
    if isinstance(task_id, str):
        done = db.session.scalar(
            select(Case)
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(CaseEvent.task_id == task_id)
            .limit(1)
        )
    if done is not None and access.can_see_case(user, done):
        raise Conflict(GONE)
    raise NotFound(NOT_FOUND_TASK)


@dataclass(frozen=True)
class Work:
    """A task and its case, read together and locked for one command."""

    case: Case
    task: CaseTask

    @property
    def step(self) -> str:
        return self.task.step


def take(user: User, task_id: str, expected_version: int | None = None) -> Work:
    """The task and its case in one read, the case locked (PostgreSQL) and fresh: what we waited
    for may have changed. Then the access checks: NotFound outside the user's scope, Forbidden for
    a case they see whose step is another department's, Conflict for a stale version."""
    query = _TASK_AND_CASE
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock both rows: after waiting, PostgreSQL re-reads only the rows it locked.
        query = query.with_for_update(of=(Case, CaseTask))
    row = db.session.execute(query, {"task_id": task_id}).one_or_none() if isinstance(task_id, str) else None
    if row is None:
        missing(user, task_id)
    task, case = row
    if not access.can_work_task(user, task):
        if not access.can_see_case(user, case):
            raise NotFound(NOT_FOUND_TASK)
        raise Forbidden(OTHER_DEPARTMENT)
    engine.check_version(case, expected_version)
    return Work(case, task)


def colleagues(user: User) -> list[User]:
    """Whom a lead may hand work to: active users of the same department in their subtree."""
    if not access.can_assign(user):
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(User.unit)
            .where(User.active, User.department == user.department, User.id != user.id)
            .where(subtree(Unit.path, user.unit.path))
            .order_by(User.full_name)
        )
    )


def _held_by_other(task: CaseTask, user: User) -> Conflict:
    holder = task.assignee
    name = holder.full_name or holder.username
    return Conflict(
        Msg(f"{name} đang giữ công việc này.", f"{name} holds this task."),
        {"assignee": [Msg(holder.username, holder.username)]},
    )


def claim(user: User, task_id: str, expected_version: int | None = None) -> CaseTask:
    work = take(user, task_id, expected_version)
    case, task = work.case, work.task
    if task.assignee_id not in (None, user.id):
        raise _held_by_other(task, user)
    if task.assignee_id is None:
        now = clock.now()
        task.assignee_id = user.id
        case.updated_at = now  # bumps the case version: a stale view of it now conflicts
        engine.record(case, user, "claimed", task.step, {}, now, task.id)
        db.session.flush()
    return task


def release(user: User, task_id: str, expected_version: int | None = None) -> CaseTask:
    work = take(user, task_id, expected_version)
    case, task = work.case, work.task
    if task.assignee_id is None:
        return task
    if task.assignee_id != user.id and not access.can_assign(user):
        raise _held_by_other(task, user)
    now = clock.now()
    task.assignee_id = None
    case.updated_at = now
    engine.record(case, user, "released", task.step, {}, now, task.id)
    db.session.flush()
    return task


def assign(user: User, task_id: str, username: str, expected_version: int | None = None) -> CaseTask:
    """A lead hands a task to a colleague of the same department who can reach the case."""
    task = get_task(user, task_id)
    if not access.can_assign(user):
        raise Forbidden(Msg("Chỉ lãnh đạo mới giao việc.", "Only a lead assigns tasks."))
    if not access.can_reassign_task(user, task):
        raise Forbidden(OTHER_DEPARTMENT)
    case = engine.lock_case(case_id=task.case_id)
    engine.check_version(case, expected_version)
    colleague = (
        db.session.scalar(select(User).where(User.username == username))
        if isinstance(username, str)
        else None
    )
    if colleague is None or not access.can_reassign_task(user, task, colleague):
        raise Invalid(
            {
                "assignee": [
                    Msg("Người này không xử lý được công việc này.", "This person cannot work on this task.")
                ]
            }
        )
    now = clock.now()
    task.assignee_id = colleague.id
    case.updated_at = now
    engine.record(case, user, "assigned", task.step, {"assignee": colleague.username}, now, task.id)
    db.session.flush()
    return task


@dataclass(frozen=True)
class NextStep:
    step: str
    department: str
    unit_name: str
    task_id: str = ""


@dataclass(frozen=True)
class Completion:
    """Where a completed task sent its case, read before the commit (nothing to reload after)."""

    code: str
    status: str
    next_steps: tuple[NextStep, ...]  # the user tasks now ready
    waiting: tuple[str, ...]  # steps waiting for a message (the production centre's card)
    tasks: list[dict] | None = None  # the case's projection rows as written (engine.Applied.tasks)


def complete(user: User, task_id: str, data, expected_version: int | None = None) -> Completion:
    """Take the task and complete it (the command line, scripts and tests)."""
    return complete_taken(user, take(user, task_id, expected_version), data)


def complete_taken(user: User, work: Work, data) -> Completion:
    """Validate the step's data, complete the task and advance the case."""
    case, task = work.case, work.task
    clean = step_rules.validate(task.step, data, clock.today_local())
    procedure = justice_rules.check(case, task.step, clean, clock.today_local())
    if task.step == "approve_application":
        id_decision.check_approval(case, clean)
    if task.assignee_id not in (None, user.id):
        raise _held_by_other(task, user)
    now = clock.now()
    trail = []
    if task.assignee_id is None:
        trail.append(engine.event(case, user, "claimed", task.step, {}, now, task.id))
    step = task.step
    try:
        version, state, key = workflow_store.workflow_of(case)
        outcome = workflow_store.engine().complete(
            version, state, task.id, step_outcomes.routing_data(step, clean), key=key
        )
    except TaskNotReady:
        raise Conflict(GONE) from None
    detail = {"data": clean}
    if step in STEP_HOOKS:
        detail.update(STEP_HOOKS[step](case, user, clean))
    if step == "triage_correction":
        # The result's time limit for the chosen procedure, the verification extension included:
        # recorded here, where the officer decided it (the task's due date follows it).
        limit = justice_due.limit(case.spec_version, clean["procedure"], bool(clean["needs_verification"]))
        if limit is not None:
            detail["time_limit"] = limit
    if step == "record_correction":
        detail["changes"] = _old_and_new(case.resident, clean["changes"])
        moved = legal_due.extend_for_justice(case, procedure, now)
        if moved is not None:
            detail["legal_due"] = moved
    if step == "update_population_record" and clean["confirmed"]:
        detail["resident_updated"] = _apply_changes(case.resident, outcome.data.get("changes") or {})
    trail.append(engine.event(case, user, "completed", step, detail, now, task.id))
    if step == "verify_application" and clean["refusal_reason"] and "end_refused" in outcome.end_events:
        trail.append(engine.event(case, user, "refused", step, {"reason": clean["refusal_reason"]}, now))
    if step == "triage_correction" and "end_refused_by_justice" in outcome.end_events:
        trail.append(engine.event(case, user, "refused", step, {"reason": clean["reason"]}, now))
    applied = engine.apply(case, outcome, user, now, trail=trail, done_task=task.id)
    db.session.flush()
    unit_name = case.unit.name
    return Completion(
        case.code,
        case.status,
        tuple(NextStep(t.step, t.lane, unit_name, t.id) for t in outcome.ready),
        tuple(outcome.waiting),
        applied.tasks,
    )


def _old_and_new(resident: Resident, changes: dict) -> dict:
    return {field: {"old": _value(resident, field), "new": new} for field, new in changes.items()}


def _apply_changes(resident: Resident, changes: dict) -> dict:
    """Police write the justice decision into the population record."""
    applied = _old_and_new(resident, changes)
    for field, new in changes.items():
        if field == "birth_date":
            resident.birth_date, resident.birth_date_precision = date.fromisoformat(new), "day"
        else:
            setattr(resident, field, new)
        if field == "full_name":
            resident.name_key = name_key(new)
    if {"birth_date", "sex"} & changes.keys():
        id_check.recheck(resident)  # a new birth year or sex may now contradict the ID
    return applied


def _value(resident: Resident, field: str):
    value = getattr(resident, field)
    return value.isoformat() if hasattr(value, "isoformat") else value


def hand_back(actor: User | None, user: User) -> int:
    """The tasks `user` holds and may no longer work (their role, unit or status changed) go
    back to their department's queue, each recorded on its case; returns how many. Runs in the
    transaction of the account change (accounts.users.ACCESS_CHANGED)."""
    held = db.session.scalars(select(CaseTask).where(CaseTask.assignee_id == user.id)).all()
    now, released = clock.now(), 0
    for task in held:
        if access.can_work_task(user, task):
            continue
        case = engine.lock_case(case_id=task.case_id)
        task.assignee_id = None
        case.updated_at = now  # an open view of the case is now stale
        detail = {"from": user.username, "reason": "account_changed"}
        engine.record(case, actor, "released", task.step, detail, now, task.id)
        released += 1
    db.session.flush()
    return released
