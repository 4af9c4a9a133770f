from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .units import Unit


class Resident(db.Model):
    """A person in the population registry mirror."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Lower-case name without diacritics, for search ("nguyen van a" finds "Nguyễn Văn A").
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date]
    # "day", "month" or "year": how much of birth_date is known (the rest is the 1st / January).
    birth_date_precision: Mapped[str] = mapped_column(String(5), default="day")
    sex: Mapped[str] = mapped_column(String(6))
    old_id_number: Mapped[str | None] = mapped_column(String(12))
    ethnicity: Mapped[str | None] = mapped_column(String(50))
    household_id: Mapped[str | None] = mapped_column(String(30), index=True)
    permanent_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    temporary_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(10), default="alive")  # alive, deceased
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    permanent_unit: Mapped[Unit] = relationship(foreign_keys=[permanent_unit_id])
    temporary_unit: Mapped[Unit | None] = relationship(foreign_keys=[temporary_unit_id])

    def __repr__(self) -> str:
        return f"<Resident {self.personal_id} {self.full_name}>"
