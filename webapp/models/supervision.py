from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import JsonType, UTCDateTime, db, utcnow
from .units import Unit


class OutboxMessage(db.Model):
    """A notification or hand-off to send, written in the same transaction as the change that
    caused it; the worker sends it (and retries with back-off) through a channel adapter."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # reminder, escalation, population_sync, ...: what it is about
    kind: Mapped[str] = mapped_column(String(30))
    # log, file, sms, email, population_sync: which adapter delivers it
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str | None] = mapped_column(String(200))  # username, phone, address
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[dict] = mapped_column(JsonType, default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class StepTarget(db.Model):
    """A supervisor's operational target for a step: a task idle longer than `idle_days`
    working days counts as stuck even before its legal time limit (bpmn/step_time_limits.dmn)."""

    __tablename__ = "step_targets"

    step: Mapped[str] = mapped_column(String(60), primary_key=True)
    target_days: Mapped[int | None] = mapped_column(Integer)  # working days to finish the step
    idle_days: Mapped[int | None] = mapped_column(Integer)  # working days without any action
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StageCount(db.Model):
    """Daily throughput: how many cases of a unit passed a stage on a day (local date), kept by
    the command that moved them, so charts and forecasts never scan the audit trail."""

    __tablename__ = "stage_counts"

    day: Mapped[date] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    # applied, sent_to_justice, approved, produced, issued, eid_activated, ...
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ProductionBatch(db.Model):
    """Cases sent to the production centre together, or cards arriving at a unit together."""

    __tablename__ = "production_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # dispatch (to the centre), delivery (cards back)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, sent, received
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()


class BatchCase(db.Model):
    __tablename__ = "batch_cases"
    __table_args__ = (UniqueConstraint("batch_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("production_batches.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    card_number: Mapped[str | None] = mapped_column(String(20))
