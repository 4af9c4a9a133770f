from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .cases import Case
from .residents import Resident
from .units import Unit


class Household(db.Model):
    """Where a household lives and how to reach it: the route list of a home visit reads it.
    Keyed by the registry's household number (residents.household_id)."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(String(30), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    hamlet: Mapped[str | None] = mapped_column(String(100))  # thôn, xóm, tổ dân phố
    street: Mapped[str | None] = mapped_column(String(150))
    house_number: Mapped[str | None] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(15))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class VisitPlan(db.Model):
    """A team's home visits on one day: the residents who cannot come (elderly, sick)."""

    __tablename__ = "visit_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(String(255), index=True)
    team: Mapped[str] = mapped_column(String(120))
    day: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    stops: Mapped[list["VisitStop"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="VisitStop.id"
    )


class VisitStop(db.Model):
    """One resident of a plan and the visit's result: planned, taken (a case started with the
    intake done at home), not_home, refused, deceased (with the reference of the death record)."""

    __tablename__ = "visit_stops"
    __table_args__ = (
        UniqueConstraint("plan_id", "resident_id"),
        Index("ix_visit_stops_resident", "resident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("visit_plans.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    result: Mapped[str] = mapped_column(String(10), default="planned")
    note: Mapped[str | None] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[VisitPlan] = relationship(back_populates="stops")
    resident: Mapped[Resident] = relationship()
    case: Mapped[Case | None] = relationship()
