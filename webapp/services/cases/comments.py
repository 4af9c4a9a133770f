"""Comments between departments on a case, and the case's history as its page shows it.

A comment is an audit event (`commented`) like every other thing that happens to a case: it
does not touch the workflow or the case's version, so it never makes another officer's open
view of the case stale. One transaction; the caller commits (services.uow.command()).
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...models import CaseEvent, CaseTask, Unit, User, db
from .. import clock
from ..errors import Invalid, Msg
from . import engine
from .commands import get_case

log = logging.getLogger(__name__)

MAX_LENGTH = 2000
# A long-running case has a few dozen events; this only bounds a pathological one.
TIMELINE_LIMIT = 500


def add_comment(user: User, code: str, text) -> None:
    """Record a comment on a case the user can see (NotFound otherwise)."""
    case = get_case(user, code)
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise Invalid({"text": [Msg("Nhập nội dung ý kiến.", "Write the comment.")]})
    if len(text) > MAX_LENGTH:
        raise Invalid({"text": [Msg(f"Tối đa {MAX_LENGTH} ký tự.", f"At most {MAX_LENGTH} characters.")]})
    detail = {"text": text, "department": user.department, "unit": user.unit.code}
    engine.record(case, user, "commented", None, detail, clock.now())
    log.info("case %s commented by %s", case.code, user.username)
    db.session.flush()


def timeline(case) -> list[CaseEvent]:
    """The case's audit events, newest first, with their actors loaded."""
    return list(
        db.session.scalars(
            select(CaseEvent)
            .options(joinedload(CaseEvent.actor).joinedload(User.unit))
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.id.desc())
            .limit(TIMELINE_LIMIT)
        )
    )


def current_tasks(case) -> list[CaseTask]:
    """The case's ready steps from the task projection, with who holds them."""
    return list(
        db.session.scalars(
            select(CaseTask)
            .options(joinedload(CaseTask.assignee))
            .where(CaseTask.case_id == case.id)
            .order_by(CaseTask.ready_at, CaseTask.id)
        )
    )


def done_steps(case) -> list[str]:
    """Steps completed at least once (the audit trail's `completed` events), in order."""
    steps = db.session.scalars(
        select(CaseEvent.step)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == "completed", CaseEvent.step.is_not(None))
        .order_by(CaseEvent.id)
    )
    return list(dict.fromkeys(steps))


def unit_names(events: list[CaseEvent]) -> dict[str, str]:
    """Names of the units a transfer in these events came from or went to, by code."""
    codes = {
        e.detail.get(key)
        for e in events
        if e.action == "transferred" and isinstance(e.detail, dict)
        for key in ("from", "to")
    } - {None}
    if not codes:
        return {}
    return {
        row.code: row.name
        for row in db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes)))
    }
