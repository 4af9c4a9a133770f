"""What a supervisor does to a stuck case: reassign a task (one or many), escalate to the unit
head, comment, retry a failed step, move the case back to a step it has passed.

Each action needs a reason and leaves an audit event with the actor and the reason. Those that
touch the workflow or the task projection lock the case and check its version (the shared
command path, services/cases/engine.py); the caller commits once (services/uow.command()),
except bulk_reassign, which is one command per task.
"""

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from workflows.engine import CannotReset

from ...models import OPEN_STATUSES, Case, CaseEvent, CaseTask, Unit, User, db
from .. import access, clock, uow, workflow_store
from ..cases import comments, engine, tasks
from ..cases.commands import get_case
from ..errors import NOT_FOUND_TASK, Conflict, Forbidden, Invalid, Msg, NotFound, ServiceError
from ..messaging import notifiers, outbox
from ..scope import subtree

log = logging.getLogger(__name__)

MAX_REASON = 1000
MAX_BULK = 200
NOT_SUPERVISOR = Msg("Chỉ cán bộ giám sát mới làm được việc này.", "Only supervisors may do this.")
NOT_REWINDER = Msg(
    "Chỉ Ban chỉ đạo hoặc quản trị mới chạy lại hay chuyển bước hồ sơ.",
    "Only supervisors and administrators retry or move a case.",
)
CLOSED = Msg("Hồ sơ đã kết thúc.", "The case is closed.")
CANNOT_WORK = Msg("Người này không xử lý được công việc này.", "This person cannot work on this task.")
RESET_PROBLEMS = {
    "no_error": Msg("Hồ sơ không có bước nào bị lỗi.", "No step of the case has failed."),
    "version_mismatch": Msg(
        "Quy trình hiện hành không khớp với trạng thái của hồ sơ.",
        "The current diagram does not fit the case's state.",
    ),
}


def _reason(value) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid({"reason": [Msg("Ghi lý do.", "Give a reason.")]})
    if len(text) > MAX_REASON:
        raise Invalid({"reason": [Msg(f"Tối đa {MAX_REASON} ký tự.", f"At most {MAX_REASON} characters.")]})
    return text


def _supervisor(user: User) -> None:
    if not access.can_supervise_cases(user):
        raise Forbidden(NOT_SUPERVISOR)


# -- reassign -------------------------------------------------------------------------------------
def _colleague(username) -> User | None:
    if not isinstance(username, str) or not username.strip():
        return None
    return db.session.scalar(select(User).where(User.username == username.strip(), User.active))


def _no_assignee() -> Invalid:
    return Invalid({"assignee": [CANNOT_WORK]})


def reassign(
    user: User, task_id: str, username: str, reason: str, expected_version: int | None = None
) -> CaseTask:
    """Hand a ready task to an officer of its department who can reach the case."""
    task = db.session.get(CaseTask, task_id) if isinstance(task_id, str) else None
    if task is None:
        tasks.missing(user, task_id)
    if not access.in_scope(user, task.unit_path):
        raise NotFound(NOT_FOUND_TASK)
    _supervisor(user)
    if not access.can_reassign_task(user, task):
        raise Forbidden(Msg("Công việc này thuộc bộ phận khác.", "This task belongs to another department."))
    text = _reason(reason)
    colleague = _colleague(username)
    if colleague is None or not access.can_reassign_task(user, task, colleague):
        raise _no_assignee()
    case = engine.lock_case(case_id=task.case_id)
    engine.check_version(case, expected_version)
    # What we waited for may have completed the task.
    task = db.session.get(CaseTask, task_id, populate_existing=True)
    if task is None:
        raise Conflict(tasks.GONE)
    if task.assignee_id == colleague.id:
        raise Invalid({"assignee": [Msg("Người này đang giữ công việc.", "This person already holds it.")]})
    now = clock.now()
    previous = task.assignee.username if task.assignee else None
    task.assignee_id = colleague.id
    case.updated_at = now  # bumps the version: an open view of the case is now stale
    detail = {"assignee": colleague.username, "from": previous, "reason": text}
    engine.record(case, user, "assigned", task.step, detail, now, task.id)
    db.session.flush()
    log.info("task %s of %s reassigned to %s by %s", task.id, case.code, colleague.username, user.username)
    return task


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, ServiceError] = field(default_factory=dict)  # task id -> why
    codes: dict[str, str] = field(default_factory=dict)  # task id -> its case's code, to name failures


def bulk_reassign(user: User, task_ids: list[str], username: str, reason: str) -> BulkResult:
    """Reassign many tasks, one transaction each (this function commits): a task someone has
    just completed or taken does not stop the others. The reason and the officer are checked
    once, before anything changes."""
    _supervisor(user)
    errors = {}
    ids = list(dict.fromkeys(t for t in task_ids if isinstance(t, str) and t))
    if not ids:
        errors["tasks"] = [Msg("Chọn ít nhất một công việc.", "Select at least one task.")]
    elif len(ids) > MAX_BULK:
        errors["tasks"] = [Msg(f"Tối đa {MAX_BULK} công việc một lần.", f"At most {MAX_BULK} tasks at once.")]
    try:
        _reason(reason)
    except Invalid as exc:
        errors.update(exc.fields)
    if not (username or "").strip():
        errors["assignee"] = [Msg("Chọn cán bộ nhận việc.", "Choose the officer to take the tasks.")]
    elif _colleague(username) is None:
        errors["assignee"] = [Msg("Không có cán bộ này.", "No such officer.")]
    if errors:
        raise Invalid(errors)
    result = BulkResult(codes=case_codes(ids))
    for task_id in ids:
        try:
            with uow.command():
                reassign(user, task_id, username, reason)
            result.done.append(task_id)
        except ServiceError as exc:
            result.failed[task_id] = exc
    log.info("bulk reassign by %s: %s done, %s failed", user.username, len(result.done), len(result.failed))
    return result


def case_codes(task_ids: list[str]) -> dict[str, str]:
    """The case code of each task (ready or already done), so a result names cases, not ids."""
    codes = dict(
        db.session.execute(
            select(CaseTask.id, Case.code)
            .join(Case, Case.id == CaseTask.case_id)
            .where(CaseTask.id.in_(task_ids))
        ).all()
    )
    gone = [t for t in task_ids if t not in codes]
    if gone:
        codes.update(
            db.session.execute(
                select(CaseEvent.task_id, Case.code)
                .join(Case, Case.id == CaseEvent.case_id)
                .where(CaseEvent.task_id.in_(gone))
                .distinct()
            ).all()
        )
    return codes


def assignable(department: str, unit_path: str) -> list[User]:
    """Active officers of a department who can work tasks of that unit: those of the unit itself
    and of the units above it (a task is in an officer's scope when under the officer's unit)."""
    paths = [unit_path[: i + 1] for i, c in enumerate(unit_path) if c == "/"]
    return list(
        db.session.scalars(
            select(User)
            .join(User.unit)
            .where(User.active, User.department == department, Unit.path.in_(paths))
            .order_by(User.full_name, User.username)
        )
    )


WORKING_DEPARTMENTS = ("police", "justice", "approval")


def officers(unit: Unit, departments=None) -> list[User]:
    """Whom the bulk reassign offers: active officers of the departments with user tasks (only
    `departments`, those of the tasks listed, when given), at the unit, above it or below it
    (each task is checked again when it is reassigned)."""
    paths = [unit.path[: i + 1] for i, c in enumerate(unit.path) if c == "/"]
    wanted = [d for d in WORKING_DEPARTMENTS if departments is None or d in departments]
    return list(
        db.session.scalars(
            select(User)
            .join(User.unit)
            .where(User.active, User.department.in_(wanted))
            .where(Unit.path.in_(paths) | subtree(Unit.path, unit.path))
            .order_by(User.department, User.full_name, User.username)
            .limit(500)
        )
    )


# -- escalate, comment ----------------------------------------------------------------------------
def unit_heads(case: Case) -> list[User]:
    """The police leads of the case's unit, or of the nearest unit above it that has one."""
    path = case.unit_path
    while path:
        heads = list(
            db.session.scalars(
                select(User)
                .join(User.unit)
                .where(User.active, User.role == "police_lead", Unit.path == path)
                .order_by(User.username)
            )
        )
        if heads:
            return heads
        path = path[: path[:-1].rfind("/") + 1] if path.count("/") > 2 else ""
    return []


def escalate(user: User, code: str, reason: str) -> list[User]:
    """Report a case to its unit head: an audit event and a notification through the outbox.
    Like a comment it leaves the workflow and the case's version alone."""
    case = get_case(user, code)
    _supervisor(user)
    text = _reason(reason)
    if case.status not in OPEN_STATUSES:
        raise Conflict(CLOSED)
    heads = [h for h in unit_heads(case) if h.id != user.id]
    if not heads:
        raise Conflict(Msg("Đơn vị của hồ sơ chưa có lãnh đạo nhận báo cáo.", "The case's unit has no head."))
    now = clock.now()
    step = case.error_step if case.status == "error" else (case.steps[0] if case.steps else None)
    names = [h.username for h in heads]
    engine.record(case, user, "escalated", step, {"to": names, "reason": text, "by": "supervisor"}, now)
    for head in heads:
        outbox.enqueue(
            "escalation",
            notifiers.notify_channel(),
            head.username,
            f"Hồ sơ {case.code} cần lãnh đạo xử lý",
            {
                "text": f"Hồ sơ {case.code} cần lãnh đạo xử lý: {text}",
                "text_en": f"Case {case.code} needs the unit head: {text}",
                "reason": text,
                "case": case.code,
                "step": step,
                "by": user.username,
                "url": f"/cases/{case.code}",
            },
            case=case,
        )
    db.session.flush()
    log.info("case %s escalated to %s by %s", case.code, ",".join(names), user.username)
    return heads


def comment(user: User, code: str, text) -> None:
    get_case(user, code)
    _supervisor(user)
    comments.add_comment(user, code, text)


# -- retry, move ----------------------------------------------------------------------------------
def _rewindable(user: User, code: str, expected_version: int | None) -> Case:
    get_case(user, code)
    if not access.can_rewind_cases(user):
        raise Forbidden(NOT_REWINDER)
    case = engine.lock_case(code=code)
    engine.check_version(case, expected_version)
    return case


def retry(
    user: User, code: str, reason: str, on_current: bool = False, expected_version: int | None = None
) -> Case:
    """Run the failed step of a case in error again, on the diagram it is pinned to or (after the
    diagram was fixed) on the current one. It may fail again: the case then stays in error with
    the new message, and the retry is on record."""
    text = _reason(reason)
    case = _rewindable(user, code, expected_version)
    if case.status != "error":
        raise Conflict(RESET_PROBLEMS["no_error"])
    version = workflow_store.current_version() if on_current else case.spec_version
    try:
        outcome = workflow_store.engine().retry(
            case.spec_version,
            engine.state_of(case),
            to_version=None if version == case.spec_version else version,
        )
    except CannotReset as exc:
        raise Conflict(RESET_PROBLEMS.get(exc.reason, RESET_PROBLEMS["version_mismatch"])) from None
    now = clock.now()
    detail = {
        "reason": text,
        "error": case.error_message,
        "from_version": case.spec_version,
        "to_version": version,
    }
    trail = [engine.event(case, user, "retried", case.error_step, detail, now)]
    case.spec_version = version
    engine.apply(case, outcome, user, now, trail=trail)
    db.session.flush()
    log.info("case %s retried by %s: now %s", case.code, user.username, case.status)
    return case


def passed_steps(case: Case) -> list[str]:
    """Steps the case can be moved back to."""
    if case.status not in OPEN_STATUSES:
        return []
    return workflow_store.engine().passed_steps(case.spec_version, engine.state_of(case))


def move(
    user: User, code: str, step: str, confirm: str, reason: str, expected_version: int | None = None
) -> Case:
    """Send the case back to a step it has completed, after the supervisor typed the case code.
    The tasks after that step are dropped from every inbox; the step is ready again, unassigned."""
    errors = {}
    try:
        text = _reason(reason)
    except Invalid as exc:
        errors.update(exc.fields)
    if not isinstance(confirm, str) or confirm.strip().upper() != code.upper():
        errors["confirm"] = [
            Msg(f"Gõ đúng mã hồ sơ {code} để xác nhận.", f"Type the case code {code} to confirm.")
        ]
    if not isinstance(step, str) or not step:
        errors["step"] = [Msg("Chọn bước cần chuyển về.", "Choose the step to go back to.")]
    get_case(user, code)  # outside the scope: not found before any field error
    if errors:
        raise Invalid(errors)
    case = _rewindable(user, code, expected_version)
    if case.status not in OPEN_STATUSES:
        raise Conflict(CLOSED)
    before = case.steps or ([case.error_step] if case.error_step else [])
    try:
        outcome = workflow_store.engine().move_to(case.spec_version, engine.state_of(case), step)
    except CannotReset:
        raise Invalid(
            {"step": [Msg("Hồ sơ chưa qua bước này.", "The case has not passed this step.")]}
        ) from None
    now = clock.now()
    trail = [engine.event(case, user, "moved", step, {"from": before, "to": step, "reason": text}, now)]
    engine.apply(case, outcome, user, now, trail=trail)
    db.session.flush()
    log.info("case %s moved from %s to %s by %s", case.code, ",".join(before), step, user.username)
    return case
