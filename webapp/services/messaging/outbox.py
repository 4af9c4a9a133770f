"""The outbox: notifications and hand-offs written in the transaction of the change that caused
them, so one exists exactly when that change committed, and sent afterwards by the worker.

A worker claims due messages (`FOR UPDATE SKIP LOCKED` on PostgreSQL: two workers never take
the same one), calls the channel's adapter (services/messaging/notifiers.py) and records the result in the
same transaction. A failure waits 1, 2, 4 ... minutes (at most an hour) and after
OUTBOX_MAX_ATTEMPTS (8) attempts the message is `failed`: listed for supervisors, who may send
it again. Delivery is at least once: a crash between sending and committing sends it again.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ...models import Case, CaseEvent, OutboxMessage, User, db
from .. import access, clock
from ..errors import Conflict, Forbidden, Msg, NotFound
from ..paging import PER_PAGE, Paged, QueryFilters, choice, number, trimmed
from ..scope import subtree
from . import notifiers

log = logging.getLogger(__name__)

STATUSES = ("pending", "sent", "failed")
KINDS = ("reminder", "escalation", "population_sync")
BACKOFF_CAP = timedelta(hours=1)
NOT_FOUND = Msg("Không có thông báo này.", "No such message.")
NOT_ALLOWED = Msg(
    "Chỉ giám sát và quản trị xem hàng đợi thông báo.", "Only supervisors and admins see the outbox."
)


def max_attempts() -> int:
    return int(notifiers.setting("OUTBOX_MAX_ATTEMPTS", 8))


def enqueue(
    kind: str,
    channel: str,
    recipient: str | None,
    subject: str | None,
    body: dict | None,
    case: Case | None = None,
) -> OutboxMessage:
    """Add a message to the current transaction; it is sent only if that transaction commits."""
    if channel not in notifiers.CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    now = clock.now()
    message = OutboxMessage(
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=(subject or "")[:300] or None,
        body=body or {},
        case_id=case.id if case is not None else None,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    return message


def claim_due(limit: int) -> list[OutboxMessage]:
    """Lock up to `limit` pending messages that are due, oldest first; rows another worker holds
    are skipped (PostgreSQL). SQLite has one writer: run one worker there."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= clock.now())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def deliver(message: OutboxMessage) -> bool:
    """Send one claimed message through its channel and record the outcome on it. An adapter
    that writes to the database runs in a savepoint, so a failing hand-off leaves nothing
    half-written. True when sent."""
    now = clock.now()
    try:
        adapter = notifiers.for_channel(message.channel)
        if getattr(adapter, "writes_database", False):
            with db.session.begin_nested():
                adapter.send(message)
        else:
            adapter.send(message)
    except Exception as exc:  # any adapter failure is the message's failure, not the worker's
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= max_attempts():
            message.status = "failed"
            log.warning("outbox %s (%s) failed for good: %s", message.id, message.kind, message.last_error)
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            log.info(
                "outbox %s (%s) attempt %s failed, next at %s: %s",
                message.id,
                message.kind,
                message.attempts,
                message.next_attempt_at.isoformat(timespec="seconds"),
                message.last_error,
            )
        return False
    message.attempts += 1
    message.status, message.sent_at = "sent", now
    return True


# --- supervisors' view -------------------------------------------------------------------------


def _visible(user: User):
    """Messages a user may see: those about cases of their unit's subtree; an administrator also
    those about no case (system notices). Nobody sees another subtree's messages."""
    if not access.can_see_outbox(user):
        raise Forbidden(NOT_ALLOWED)
    query = select(OutboxMessage).outerjoin(Case, Case.id == OutboxMessage.case_id)
    in_scope = subtree(Case.unit_path, user.unit.path)
    if user.role == "admin":
        return query.where(in_scope | OutboxMessage.case_id.is_(None))
    return query.where(in_scope)


def get(user: User, message_id: int) -> OutboxMessage:
    message = db.session.scalar(_visible(user).where(OutboxMessage.id == message_id))
    if message is None:
        raise NotFound(NOT_FOUND)
    return message


def retry(user: User, message_id: int) -> OutboxMessage:
    """Send a failed message again from its first attempt (a full back-off cycle), now.
    Audited on its case; a message that is not failed (any more) is a conflict."""
    message = get(user, message_id)
    before, error = message.attempts, message.last_error
    now = clock.now()
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Conflict(
            Msg(
                "Thông báo này không ở trạng thái lỗi (đã được gửi lại?).",
                "This message has not failed (resent already?).",
            )
        )
    if message.case_id is not None:
        db.session.add(
            CaseEvent(
                case_id=message.case_id,
                at=now,
                actor_id=user.id,
                action="resent",
                detail={"outbox": message.id, "kind": message.kind, "attempts": before, "last_error": error},
            )
        )
    db.session.flush()
    db.session.refresh(message)
    log.info(
        "%s resent outbox %s (%s, %s attempts: %s)", user.username, message.id, message.kind, before, error
    )
    return message


@dataclass
class Filters(QueryFilters):
    status: str | None = None
    kind: str | None = None
    case: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(
            status=choice(args.get("status"), STATUSES),
            kind=choice(args.get("kind"), KINDS),
            case=trimmed(args.get("case"), 24),
            page=number(args.get("page"), 1, 10_000),
        )


@dataclass
class Page(Paged):
    rows: list[tuple[OutboxMessage, str | None]]  # the message and its case's code
    total: int
    filters: Filters
    counts: dict[str, int] = field(default_factory=dict)
    now: datetime | None = None


def _filtered(user: User, f: Filters, with_status: bool = True):
    query = _visible(user)
    if with_status and f.status:
        query = query.where(OutboxMessage.status == f.status)
    if f.kind:
        query = query.where(OutboxMessage.kind == f.kind)
    if f.case:
        query = query.where(
            OutboxMessage.case_id == select(Case.id).where(Case.code == f.case).scalar_subquery()
        )
    return query


def search(user: User, f: Filters) -> Page:
    """One page, newest first, with the number of messages per status under the other filters."""
    by_status = _filtered(user, f, with_status=False).subquery()
    counts = dict(
        db.session.execute(select(by_status.c.status, func.count()).group_by(by_status.c.status)).all()
    )
    query = _filtered(user, f)
    total = counts.get(f.status, 0) if f.status else sum(counts.values())
    rows = db.session.execute(
        query.add_columns(Case.code)
        .order_by(OutboxMessage.id.desc())
        .offset((f.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return Page(
        [(m, code) for m, code in rows], total, f, {s: counts.get(s, 0) for s in STATUSES}, clock.now()
    )


def export_rows(user: User, f: Filters):
    """Every message under the filters, for a CSV or XLSX file: checked now, read lazily (the
    caller keeps the request context for the stream)."""
    query = _filtered(user, f).add_columns(Case.code).order_by(OutboxMessage.id.desc())

    def rows():
        yield from db.session.execute(query.execution_options(yield_per=500))

    return rows()
