"""Shared by the station and appointment tests: a frozen Monday, a station, slots, households."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from webapp.models import Appointment, Resident, Slot, db
from webapp.services.stations import setup, slots
from webapp.services.uow import command

# Monday 2 March 2026, 07:00 in Hà Nội: an ordinary working day before every shift starts.
MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
TOMORROW = date(2026, 3, 3)
HOLIDAY = date(2026, 4, 30)  # Liberation Day, a Thursday

EVERY_DAY = [
    {"weekday": d, "starts": "08:00", "ends": "11:00", "slot_minutes": 30, "capacity": 4} for d in range(7)
]


def make_station(user, name="Trụ sở Công an phường Hoa Lư", unit=None, shifts=None, kind="office") -> int:
    with command():
        station = setup.save_station(
            user,
            None,
            {
                "name": name,
                "kind": kind,
                "address": "Số 1 đường Trần Hưng Đạo",
                "unit": unit or user.unit.code,
                "shifts": EVERY_DAY if shifts is None else shifts,
            },
        )
        return station.id


def slot_id(station_id: int, day: date = TOMORROW, starts: str = "08:00") -> int:
    """The slot starting at `starts`, generated if needed."""
    from webapp.models import Station

    hours, minutes = starts.split(":")
    with command():
        slots.ensure_slots(db.session.get(Station, station_id), day)
    return db.session.scalar(
        select(Slot.id).where(
            Slot.station_id == station_id,
            Slot.day == day,
            Slot.starts == datetime(2000, 1, 1, int(hours), int(minutes)).time(),
        )
    )


def slot(slot_id: int) -> Slot:
    db.session.expire_all()
    return db.session.get(Slot, slot_id)


def household(world, n: int, household_id: str, unit=None, **kw) -> list[str]:
    """n residents of one household; returns their personal IDs."""
    pids = [world.resident(unit=unit, **kw) for _ in range(n)]
    with command():
        for person in db.session.scalars(select(Resident).where(Resident.personal_id.in_(pids))):
            person.household_id = household_id
    return pids


def resident(pid: str) -> Resident:
    db.session.expire_all()
    return db.session.scalar(select(Resident).where(Resident.personal_id == pid))


def appointment(code: str) -> Appointment:
    db.session.expire_all()
    return db.session.scalar(select(Appointment).where(Appointment.code == code))


def count(model) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(model))
