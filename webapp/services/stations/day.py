"""What a station's day view and a booking's slip show: slots with places booked and left, the
appointments with their people and cases, the counts (no-shows of past days included), and
the slip's QR code."""

from dataclasses import dataclass, field
from datetime import date

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ...models import Appointment, AppointmentPerson, Case, Resident, Slot, Station, User, db
from .. import clock
from ..errors import Msg
from . import setup, slots
from .appointments import QR_PREFIX, get_appointment

PER_PAGE = 100


@dataclass
class Slip:
    appointment: Appointment
    payload: str  # what the QR code carries
    qr: str  # the QR code as an SVG data: URI (the CSP allows data: images)
    starts: str = ""
    ends: str = ""
    names: list[Resident] = field(default_factory=list)


def slip(user: User, code) -> Slip:
    appointment = get_appointment(user, code)
    slot = appointment.slot
    starts = f"{slot.starts:%H:%M}" if slot else ""
    ends = f"{slot.ends:%H:%M}" if slot else ""
    payload = (
        f"{QR_PREFIX}|{appointment.code}|{appointment.day.isoformat()}|{starts}|{appointment.station_id}"
    )
    qr = segno.make(payload, error="m", micro=False).svg_data_uri(scale=5, border=2)
    return Slip(appointment, payload, qr, starts, ends, [p.resident for p in appointment.people])


# --- the day at a station ----------------------------------------------------------------


@dataclass
class DayView:
    station: Station
    day: date
    slots: list[Slot]
    holiday: Msg | None
    appointments: list[Appointment]
    case_codes: dict[int, str]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    opened_holiday: Msg | None = None  # a public holiday the station's lead opened

    @property
    def is_past(self) -> bool:
        return self.day < clock.today_local()

    @property
    def is_today(self) -> bool:
        return self.day == clock.today_local()


def day_view(user: User, station_id, day: date, page: int = 1) -> DayView:
    station = setup.get_station(user, station_id)
    setup.require_booker(user)
    found = slots.day_slots(station, day)
    where = (Appointment.station_id == station.id, Appointment.day == day)
    counts = dict.fromkeys(("booked", "checked_in", "cancelled", "no_show", "walk_in"), 0)
    by_status = db.session.execute(
        select(Appointment.status, Appointment.walk_in, func.count())
        .where(*where)
        .group_by(Appointment.status, Appointment.walk_in)
    ).all()
    for status, walk_in, n in by_status:
        counts[status] = counts.get(status, 0) + n
        counts["walk_in"] += n if walk_in else 0
    appointments_total = sum(n for _s, _w, n in by_status)
    counts["people"] = db.session.scalar(
        select(func.count())
        .select_from(AppointmentPerson)
        .join(Appointment)
        .where(*where, Appointment.status != "cancelled")
    )
    if day < clock.today_local():
        # An appointment of a past day nobody checked in is a no-show, marked or not yet.
        counts["no_show"] += counts["booked"]
        counts["booked"] = 0
    counts["places"] = sum(s.booked for s in found.slots)
    counts["capacity"] = sum(s.capacity for s in found.slots)
    pages = max(1, -(-appointments_total // PER_PAGE))
    page = min(max(page, 1), pages)
    appointments = list(
        db.session.scalars(_in_order(station, day).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    )
    codes = _case_codes(appointments)
    return DayView(
        station,
        day,
        found.slots,
        found.holiday,
        appointments,
        codes,
        counts,
        appointments_total,
        page,
        pages,
        found.opened_holiday,
    )


def _in_order(station: Station, day: date):
    """The day's appointments with their slot and people, in the order of the day."""
    return (
        select(Appointment)
        .outerjoin(Slot, Appointment.slot_id == Slot.id)
        .where(Appointment.station_id == station.id, Appointment.day == day)
        .options(
            contains_eager(Appointment.slot),
            selectinload(Appointment.people).selectinload(AppointmentPerson.resident),
        )
        .order_by(
            Slot.starts.is_(None), Slot.after_midnight, Slot.starts, Appointment.created_at, Appointment.id
        )
    )


def _case_codes(appointments: list[Appointment]) -> dict[int, str]:
    case_ids = [p.case_id for a in appointments for p in a.people if p.case_id]
    if not case_ids:
        return {}
    return dict(db.session.execute(select(Case.id, Case.code).where(Case.id.in_(case_ids))).all())


@dataclass
class Attendee:
    """One person of an appointment: a line of the day's list on paper."""

    appointment: Appointment
    resident: Resident
    case_code: str | None
    status: str  # as the day shows it: a past day's booking nobody came to is a no-show


def attendees(user: User, station_id, day: date) -> list[Attendee]:
    """Everyone booked at a station on a day (a few hundred at most), for the printed list."""
    station = setup.get_station(user, station_id)
    setup.require_booker(user)
    appointments = list(db.session.scalars(_in_order(station, day)).unique())
    codes = _case_codes(appointments)
    past = day < clock.today_local()
    out = []
    for a in appointments:
        status = "no_show" if past and a.status == "booked" else a.status
        out.extend(Attendee(a, p.resident, codes.get(p.case_id), status) for p in a.people)
    return out


def open_slots(user: User, station_id, day: date) -> list[Slot]:
    """Slots of a day that can still be booked: not started, with places left."""
    station = setup.get_station(user, station_id)
    setup.require_booker(user)
    if not station.active:
        return []
    found = slots.day_slots(station, day).slots
    return [s for s in found if s.booked < s.capacity and not slots.slot_started(s)]
