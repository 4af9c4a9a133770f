"""Opening a station on a public holiday: closed by default, opened for one day by its lead
("24/24" drives, Saturdays and holidays included), closed again while nobody is booked."""

import logging
from datetime import date

from sqlalchemy import delete, exists, select

from ...models import Appointment, Slot, StationHolidayOpening, User, db
from .. import clock
from ..errors import Conflict, Invalid, Msg
from . import setup, slots

log = logging.getLogger(__name__)


def _holiday(day) -> Msg:
    if not isinstance(day, date):
        raise Invalid({"date": [Msg("Ngày phải dạng YYYY-MM-DD.", "The date must be YYYY-MM-DD.")]})
    name = slots.holiday_name(day)
    if name is None:
        raise Invalid({"date": [Msg("Ngày này không phải ngày lễ.", "This day is not a public holiday.")]})
    if day < clock.today_local():
        raise Invalid({"date": [Msg("Ngày này đã qua.", "This day is past.")]})
    return name


def open_holiday(actor: User, station_id, day) -> bool:
    """The lead opens the station on this holiday; its slots follow the shifts of that weekday.
    Answers False when it was already open (nothing changes)."""
    station = setup.get_station(actor, station_id, manage=True)
    _holiday(day)
    if slots.opened_on(station, day):
        return False
    db.session.add(StationHolidayOpening(station_id=station.id, day=day, opened_by_id=actor.id))
    db.session.flush()
    log.info("station %s opened on holiday %s by %s", station.id, day, actor.username)
    return True


def close_holiday(actor: User, station_id, day) -> None:
    """Close again a holiday the lead opened, while no appointment is booked on it."""
    station = setup.get_station(actor, station_id, manage=True)
    _holiday(day)
    booked = db.session.scalar(
        select(
            exists().where(
                Appointment.station_id == station.id, Appointment.day == day, Appointment.status == "booked"
            )
        )
    )
    if booked:
        raise Conflict(
            Msg(
                "Đã có lịch hẹn trong ngày này: hãy đổi hoặc hủy các lịch hẹn trước.",
                "Appointments are booked on this day: reschedule or cancel them first.",
            )
        )
    db.session.execute(
        delete(StationHolidayOpening).where(
            StationHolidayOpening.station_id == station.id, StationHolidayOpening.day == day
        )
    )
    used = exists().where(Appointment.slot_id == Slot.id)
    db.session.execute(
        delete(Slot).where(Slot.station_id == station.id, Slot.day == day, ~used),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    log.info("station %s closed again on holiday %s by %s", station.id, day, actor.username)
