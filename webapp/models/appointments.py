from datetime import date, datetime, time

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .residents import Resident
from .units import Unit


class Station(db.Model):
    """Where applications are taken: a fixed office or a mobile team's stop."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # office, school, hospital, factory, home_visit
    kind: Mapped[str] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    shifts: Mapped[list["StationShift"]] = relationship(
        back_populates="station", cascade="all, delete-orphan", order_by="StationShift.weekday"
    )


class StationShift(db.Model):
    """A weekly opening shift, cut into slots of `slot_minutes` holding `capacity` people each."""

    __tablename__ = "station_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 Monday .. 6 Sunday
    starts: Mapped[time]
    ends: Mapped[time]
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    capacity: Mapped[int] = mapped_column(Integer)  # people per slot

    station: Mapped[Station] = relationship(back_populates="shifts")


class Slot(db.Model):
    """One bookable time of one station on one day. `booked` only grows through a guarded
    UPDATE (booked + n <= capacity), so simultaneous bookings never overbook it."""

    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("station_id", "day", "starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    day: Mapped[date]
    starts: Mapped[time]
    ends: Mapped[time]
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    # A slot of a shift that crosses midnight (18:00–02:00), after midnight: it belongs to the
    # day the shift starts (`day`) and takes place on the next calendar day.
    after_midnight: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    station: Mapped[Station] = relationship()


class StationHolidayOpening(db.Model):
    """A public holiday on which a station opens because its lead said so (closed by default)."""

    __tablename__ = "station_holiday_openings"
    __table_args__ = (UniqueConstraint("station_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    day: Mapped[date]
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Appointment(db.Model):
    """A booking of one household (one or more residents) into a slot; walk-ins have no slot."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # printed on the slip and its QR code
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"), index=True)
    day: Mapped[date]
    household_id: Mapped[str | None] = mapped_column(String(30))
    # booked, checked_in, cancelled, no_show
    status: Mapped[str] = mapped_column(String(10), default="booked")
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    station: Mapped[Station] = relationship()
    slot: Mapped[Slot | None] = relationship()
    people: Mapped[list["AppointmentPerson"]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_appointments_station_day", "station_id", "day"),)


class AppointmentPerson(db.Model):
    __tablename__ = "appointment_people"
    __table_args__ = (UniqueConstraint("appointment_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # set at check-in

    appointment: Mapped[Appointment] = relationship(back_populates="people")
    resident: Mapped[Resident] = relationship()
