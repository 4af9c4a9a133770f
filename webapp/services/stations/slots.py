"""The bookable slots of a station's day, generated on demand from its weekly shifts (a shift may
run past midnight, counted on the day it starts); none on Vietnamese public holidays (Tết
included) unless the station's lead opened that day (stations/holidays.py)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vntime import LOCAL_TZ

from ...models import Slot, Station, StationHolidayOpening, User, db
from .. import clock
from ..errors import Msg
from . import setup


@lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language=language)


def holiday_name(day: date) -> Msg | None:
    """The public holiday (Tết included) or substituted day off on `day`, named in both
    languages as the `holidays` package names them; None on an ordinary day."""
    vi = _holidays(day.year, "vi").get(day)
    return Msg(vi, _holidays(day.year, "en_US").get(day) or vi) if vi else None


def opened_on(station: Station, day: date) -> bool:
    """Whether the station's lead opened it on this public holiday."""
    found = db.session.scalar(
        select(StationHolidayOpening.id).where(
            StationHolidayOpening.station_id == station.id, StationHolidayOpening.day == day
        )
    )
    return found is not None


def closed_holiday(station: Station, day: date) -> Msg | None:
    """The holiday that keeps the station closed on `day`; None on an ordinary day or a holiday
    its lead opened."""
    name = holiday_name(day)
    return name if name is not None and not opened_on(station, day) else None


@dataclass
class DaySlots:
    slots: list[Slot]
    holiday: Msg | None  # why there are none, when a public holiday
    opened_holiday: Msg | None = None  # a holiday the station's lead opened


def slot_times(station: Station, day: date) -> list[tuple[time, time, int, bool]]:
    """(starts, ends, capacity, after midnight) of every slot the shifts starting on `day` give,
    in the order they happen: a shift that ends earlier than it starts (18:00–02:00) runs past
    midnight and counts on the day it starts."""
    out = []
    for shift in station.shifts:
        if shift.weekday != day.weekday():
            continue
        at = datetime.combine(day, shift.starts)
        end = datetime.combine(day, shift.ends)
        if shift.ends <= shift.starts:
            end += timedelta(days=1)
        step = timedelta(minutes=shift.slot_minutes)
        while at + step <= end:
            out.append((at, at + step, shift.capacity))
            at += step
    out.sort()
    return [(a.time(), b.time(), c, a.date() > day) for a, b, c in out]


def ensure_slots(station: Station, day: date) -> None:
    """Insert the slots of `day` that do not exist yet. Idempotent, also when two requests do it
    at once (the unique station+day+starts and ON CONFLICT DO NOTHING). Not for past days,
    inactive stations or public holidays the station's lead has not opened."""
    if not station.active or day < clock.today_local() or closed_holiday(station, day):
        return
    wanted = slot_times(station, day)
    if not wanted:
        return
    have = set(db.session.scalars(select(Slot.starts).where(Slot.station_id == station.id, Slot.day == day)))
    rows = [
        {
            "station_id": station.id,
            "day": day,
            "starts": s,
            "ends": e,
            "capacity": c,
            "booked": 0,
            "after_midnight": late,
        }
        for s, e, c, late in wanted
        if s not in have
    ]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(Slot).values(rows).on_conflict_do_nothing())


def prepare_day(user: User, station_id, day: date) -> Station:
    """The command that generates a day's slots (see ensure_slots) before a page reads them;
    committed on its own so that the page's reads that follow see fresh, unexpired rows."""
    station = setup.get_station(user, station_id)
    ensure_slots(station, day)
    return station


def day_slots(station: Station, day: date) -> DaySlots:
    """The slots of a day, in time order (generated ones only: see prepare_day)."""
    slots = db.session.scalars(
        select(Slot)
        .where(Slot.station_id == station.id, Slot.day == day)
        .order_by(Slot.after_midnight, Slot.starts)
        .execution_options(populate_existing=True)
    )
    closed = closed_holiday(station, day)
    opened = holiday_name(day) if closed is None else None
    return DaySlots(list(slots), closed, opened)


def slot_start(slot: Slot) -> datetime:
    """When the slot starts, local time (the next calendar day for one after midnight)."""
    day = slot.day + timedelta(days=1) if slot.after_midnight else slot.day
    return datetime.combine(day, slot.starts, LOCAL_TZ)


def slot_started(slot: Slot) -> bool:
    """Whether the slot's start (local time) has passed: it can no longer be booked."""
    return slot_start(slot) <= clock.now()
