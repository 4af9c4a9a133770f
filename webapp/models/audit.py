"""The audit of accounts and of reads: what administrators did to accounts, and who read or
exported personal data. Both are records the application only ever adds to."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import JsonType, UTCDateTime, db, utcnow

BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class AdminEvent(db.Model):
    """An administrator's action on an account: who, when, what changed (old -> new; never a
    password). Shown on the account's admin page."""

    __tablename__ = "admin_events"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the command line
    target_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # created, changed, password_reset, password_changed, deactivated, reactivated,
    # tokens_revoked, tasks_released
    action: Mapped[str] = mapped_column(String(30))
    changes: Mapped[dict] = mapped_column(JsonType, default=dict)  # field -> [old, new]

    __table_args__ = (Index("ix_admin_events_target_at", "target_id", "at"),)


class AccessLogEntry(db.Model):
    """One read or export of personal data: a case page, a resident record, a portrait, a list
    as a file. Append-only: the application never updates or deletes a row (see below; on
    PostgreSQL a trigger refuses UPDATE and DELETE too, migration 12b_trust_reads)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # case_viewed, resident_viewed, portrait_viewed, exported
    action: Mapped[str] = mapped_column(String(30))
    case_code: Mapped[str | None] = mapped_column(String(40))
    personal_id: Mapped[str | None] = mapped_column(String(12))
    rows: Mapped[int | None] = mapped_column(Integer)  # an export: how many rows it held
    what: Mapped[str | None] = mapped_column(String(60))  # an export: which list
    # The unit the data belongs to (a case's, a resident's, or the exporter's): supervisors and
    # administrators read the entries of their subtree.
    unit_path: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        # The supervisors' subtree filter, a LIKE prefix: a pattern index on PostgreSQL (see 0005).
        Index(
            "ix_access_log_unit_at", "unit_path", "at", postgresql_ops={"unit_path": "varchar_pattern_ops"}
        ),
        Index("ix_access_log_user_at", "user_id", "at"),
        Index("ix_access_log_case_code", "case_code"),
        Index("ix_access_log_personal_id", "personal_id"),
    )


@event.listens_for(AccessLogEntry, "before_update")
@event.listens_for(AccessLogEntry, "before_delete")
def _append_only(_mapper, _connection, target):
    raise RuntimeError("the access log is append-only")
