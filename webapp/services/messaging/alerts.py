"""Who hears about a case's timers: an escalation goes to the heads of the case's unit, a
reminder to whoever holds the task. Each becomes an outbox message in the transaction of the
command (usually the worker firing the timer) that recorded the `escalated` / `reminded` event.

Heads: active police leads (police_lead) of the case's unit and of the units above it; where a
unit has none, the supervisors above it, so an escalation never goes nowhere. Reminders: the
assignee of each of the case's ready tasks; a task nobody holds reminds its department's leads
(police_lead for police), or, for a department without a lead role (justice), the department's
officers in the case's unit.
"""

import logging

from sqlalchemy import select

from ...models import Case, CaseTask, Unit, User, db
from ..errors import Msg
from . import notifiers, outbox

log = logging.getLogger(__name__)

LEADS = {"police": "police_lead"}  # the role that leads a department's queue
# What each timer of the diagrams means, for the message text (unknown names are shown as is).
EVENTS = {
    "documents_overdue": Msg(
        "công dân chưa bổ sung giấy tờ cho Tư pháp quá thời hạn",
        "the citizen's documents for the justice office are overdue",
    ),
    "production_overdue": Msg(
        "thẻ chưa được sản xuất trong thời hạn", "the card has not been produced within the time limit"
    ),
    "documents_reminder": Msg(
        "nhắc công dân mang giấy tờ còn thiếu đến Tư pháp",
        "remind the citizen to bring the missing documents to the justice office",
    ),
}


def ancestor_paths(path: str) -> list[str]:
    """ "/37/13300/" -> ["/37/", "/37/13300/"]: the unit and every unit above it."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _users(*conditions) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(User.unit)
            .where(User.active, *conditions)
            .order_by(Unit.path.desc(), User.username)
        )
    )


def unit_heads(case: Case) -> list[User]:
    """The police leads of the case's unit and above; failing those, the supervisors above."""
    paths = ancestor_paths(case.unit_path)
    return _users(User.role == "police_lead", Unit.path.in_(paths)) or _users(
        User.role == "supervisor", Unit.path.in_(paths)
    )


def queue_leads(case: Case, department: str) -> list[User]:
    """Who hears about a task nobody holds: the department's leads, else its officers there."""
    paths = ancestor_paths(case.unit_path)
    if department in LEADS:
        leads = _users(User.role == LEADS[department], Unit.path.in_(paths))
        if leads:
            return leads
    return _users(User.department == department, Unit.path == case.unit_path)


# The department whose step a reminder is about: with biometrics captured beside the justice
# office, a case waiting for the citizen's documents may also have a police step ready.
REMINDER_DEPARTMENTS = {"documents_reminder": "justice"}


def reminded(case: Case, department: str | None = None) -> list[User]:
    """Who works the case's ready tasks (of `department` when given): each holder, or the
    department's leads for a task nobody holds."""
    query = (
        select(CaseTask.department, User)
        .outerjoin(User, User.id == CaseTask.assignee_id)
        .where(CaseTask.case_id == case.id)
    )
    if department is not None:
        query = query.where(CaseTask.department == department)
    rows = db.session.execute(query).all()
    found: dict[int, User] = {}
    for department, assignee in rows:
        for user in [assignee] if assignee is not None and assignee.active else queue_leads(case, department):
            found.setdefault(user.id, user)
    return list(found.values())


def notify_users(kind: str, users: list[User], subject: str, body: dict, case: Case | None = None) -> int:
    """One message per user on the notification channel (NOTIFY_BACKEND); none when nobody is
    found, which is logged."""
    channel = notifiers.notify_channel()
    for user in users:
        outbox.enqueue(kind, channel, user.username, subject, body, case)
    if not users:
        log.warning("%s about %s: nobody to notify", kind, case.code if case else "-")
    return len(users)


def after_command(applied) -> None:
    """After every case command (cases.engine.AFTER_COMMAND): escalations and reminders the engine
    raised on its own notify people, in the command's transaction."""
    case, now = applied.case, applied.now
    for done in applied.outcome.events:
        if done.kind == "escalation":
            kind, title, users = "escalation", Msg("Báo cáo vượt cấp", "Escalation"), unit_heads(case)
        elif done.kind == "signal":
            department = REMINDER_DEPARTMENTS.get(done.name)
            kind, title, users = "reminder", Msg("Nhắc việc", "Reminder"), reminded(case, department)
        else:
            continue
        what = EVENTS.get(done.name, Msg(done.name, done.name))
        body = {
            "case": case.code,
            "event": done.name,
            "unit": case.unit.code if case.unit else None,
            "steps": case.current_steps,
            "at": now.isoformat(timespec="seconds"),
            "text": f"{title.vi}: hồ sơ {case.code}: {what.vi}.",
            "text_en": f"{title.en}: case {case.code}: {what.en}.",
            "url": f"/cases/{case.code}",
        }
        notify_users(kind, users, f"[{case.code}] {title.vi}: {what.vi}", body, case)
