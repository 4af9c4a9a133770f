from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import JsonType, UTCDateTime, db, utcnow
from .residents import Resident
from .units import Unit
from .users import User

OPEN_STATUSES = ("open", "error")


class ProcessSpec(db.Model):
    """One version of the diagrams and decision tables, stored once; cases point to it."""

    __tablename__ = "process_specs"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)  # content hash
    sources: Mapped[dict] = mapped_column(JsonType)  # file name -> XML text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseCounter(db.Model):
    """Last case number issued per year, for readable codes such as HS-2026-000123."""

    __tablename__ = "case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


AT_PRODUCTION = "status = 'open' AND current_steps = 'await_card_production'"
PRODUCTION_SINCE = "coalesce(next_timer_at, updated_at)"


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    kind: Mapped[str] = mapped_column(String(10))  # new, exchange, reissue
    priority: Mapped[str | None] = mapped_column(String(20))  # home_visit, student, official
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(String(255))  # copy of the unit's path, for subtree filters
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, issued, refused, withdrawn, error
    current_steps: Mapped[str] = mapped_column(String(255), default="")  # comma-separated step ids
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock, bumped by every command
    state: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed SpiffWorkflow JSON, without specs
    spec_version: Mapped[str] = mapped_column(ForeignKey("process_specs.version"))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    error_step: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_line: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The law in force on the application date ("2014" or "2023") and the statutory return date
    # under it (bpmn/legal_time_limits.dmn), set at intake; the CC02 slip prints it.
    law: Mapped[str | None] = mapped_column(String(4))
    legal_due_on: Mapped[date | None]
    # The police lead's recorded decision on a personal ID that disagrees with the record
    # ("số định danh cần xác lập lại"): None while undecided; approval waits for it.
    id_decision: Mapped[str | None] = mapped_column(String(20))

    resident: Mapped[Resident] = relationship()
    unit: Mapped[Unit] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_cases_status_unit_path", "status", "unit_path"),
        # At most one open case per resident, enforced by the database under concurrency.
        Index(
            "uq_cases_open_resident",
            "resident_id",
            unique=True,
            sqlite_where=db.text("status IN ('open', 'error')"),
            postgresql_where=db.text("status IN ('open', 'error')"),
        ),
        Index("ix_cases_resident_id", "resident_id"),
        # The stuck list (migration 0011_stuck): cases waiting for the production centre by the
        # moment they became late, over a province or within a unit; cases in error by when.
        Index(
            "ix_cases_production_late",
            db.text(PRODUCTION_SINCE),
            "id",
            sqlite_where=db.text(AT_PRODUCTION),
            postgresql_where=db.text(AT_PRODUCTION),
        ),
        Index(
            "ix_cases_production_unit",
            "unit_path",
            db.text(PRODUCTION_SINCE),
            "id",
            sqlite_where=db.text(AT_PRODUCTION),
            postgresql_where=db.text(AT_PRODUCTION),
            postgresql_ops={"unit_path": "varchar_pattern_ops"},
        ),
        Index(
            "ix_cases_error_since",
            "updated_at",
            "id",
            sqlite_where=db.text("status = 'error'"),
            postgresql_where=db.text("status = 'error'"),
            postgresql_include=["unit_path"],
        ),
    )

    @property
    def steps(self) -> list[str]:
        return [s for s in self.current_steps.split(",") if s]

    def __repr__(self) -> str:
        return f"<Case {self.code} {self.status} v{self.version}>"


class CaseTask(db.Model):
    """Projection: one row per ready user task. Inboxes read this, never the workflow state."""

    __tablename__ = "case_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(20))  # the lane of the step
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(String(255))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    priority: Mapped[str | None] = mapped_column(String(20))
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    assignee: Mapped[User | None] = relationship()

    __table_args__ = (
        # Pattern operator class on PostgreSQL, so that the unit-subtree filter (LIKE 'path%')
        # is an index range there (migration 0003); a plain index elsewhere.
        Index(
            "ix_case_tasks_queue",
            "department",
            "unit_path",
            "due_at",
            postgresql_ops={"unit_path": "varchar_pattern_ops"},
        ),
        Index("ix_case_tasks_step_due", "step", "due_at", "case_id"),
    )


class CaseEvent(db.Model):
    """Append-only audit trail: who did what to a case, when, at which step."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (timers)
    action: Mapped[str] = mapped_column(String(20))
    step: Mapped[str | None] = mapped_column(String(60))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)  # the task acted on, if any
    detail: Mapped[dict] = mapped_column(JsonType, default=dict)

    actor: Mapped[User | None] = relationship()
