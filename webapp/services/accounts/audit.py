"""The administrators' audit: every action on an account (created, changed, password reset or
changed, deactivated, reactivated, tokens revoked, tasks handed back), who did it and when, and
what changed (old -> new; never a password). The log file is for operators; this is the record."""

from sqlalchemy import select

from ...models import AdminEvent, Unit, User, db
from .. import clock

ACTIONS = (
    "created",
    "changed",
    "password_reset",
    "password_changed",
    "deactivated",
    "reactivated",
    "tokens_revoked",
    "tasks_released",
)


def record(actor: User | None, target: User, action: str, changes: dict) -> None:
    assert action in ACTIONS, action
    db.session.add(
        AdminEvent(
            at=clock.now(),
            actor_id=actor.id if actor is not None else None,
            target_id=target.id,
            action=action,
            changes=changes,
        )
    )


def history(target: User, limit: int = 100) -> list[tuple[AdminEvent, str | None]]:
    """The account's audit, newest first, with the actor's username (None: the command line)."""
    rows = db.session.execute(
        select(AdminEvent, User.username)
        .outerjoin(User, User.id == AdminEvent.actor_id)
        .where(AdminEvent.target_id == target.id)
        .order_by(AdminEvent.at.desc(), AdminEvent.id.desc())
        .limit(limit)
    ).all()
    return [(event, username) for event, username in rows]


def unit_names(history_rows: list[tuple[AdminEvent, str | None]]) -> dict[str, str]:
    """Names of the units the history's changes name by code, so the page shows "Phường Châu Sơn"
    rather than 13285."""
    codes = {value for event, _ in history_rows for value in (event.changes or {}).get("unit", ()) if value}
    if not codes:
        return {}
    return {
        code: name
        for code, name in db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes)))
    }
