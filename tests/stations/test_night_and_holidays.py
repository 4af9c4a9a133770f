"""Shifts across midnight (counted on the day they start) and stations opened on a public
holiday by their lead (closed by default)."""

from datetime import date, time

import pytest
import time_machine
from sqlalchemy import select

from tests.support.appointments import book
from tests.support.stations import HOLIDAY, TODAY, appointment, make_station
from tests.support.web import login
from webapp.models import Slot, Station, db
from webapp.services.errors import Conflict, Forbidden, Invalid
from webapp.services.stations import checkin, holidays, slots
from webapp.services.uow import command

pytestmark = pytest.mark.usefixtures("monday")

NIGHT = [{"weekday": 0, "starts": "18:00", "ends": "02:00", "slot_minutes": 60, "capacity": 10}]


def day_slots(station_id: int, day: date) -> list[Slot]:

    with command():
        slots.ensure_slots(db.session.get(Station, station_id), day)
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.station_id == station_id, Slot.day == day)
            .order_by(Slot.after_midnight, Slot.starts)
        )
    )


def test_a_night_shift_runs_past_midnight_on_the_day_it_starts(world):
    station = make_station(world.lead, shifts=NIGHT, kind="school")
    found = day_slots(station, TODAY)
    assert [(s.starts, s.after_midnight) for s in found] == [
        (time(18), False),
        (time(19), False),
        (time(20), False),
        (time(21), False),
        (time(22), False),
        (time(23), False),
        (time(0), True),
        (time(1), True),
    ]
    # Tuesday has no shift of its own: the hours after Monday's midnight are Monday's.
    assert day_slots(station, date(2026, 3, 3)) == []


def test_an_after_midnight_slot_is_bookable_until_it_starts_on_the_next_calendar_day(world):
    station = make_station(world.lead, shifts=NIGHT)
    late = day_slots(station, TODAY)[-1]  # 01:00, in the night of Monday to Tuesday
    with time_machine.travel("2026-03-02T17:30:00Z", tick=False):  # Tuesday 00:30 local
        assert not slots.slot_started(late)
    with time_machine.travel("2026-03-02T18:30:00Z", tick=False):  # Tuesday 01:30 local
        assert slots.slot_started(late)


def test_the_day_page_lists_the_night_in_order(app, world):
    station = make_station(world.lead, shifts=NIGHT)
    html = (
        login(app.test_client(), "lead_a").get(f"/stations/{station}?date=2026-03-02").get_data(as_text=True)
    )
    assert html.index("23:00–00:00") < html.index("00:00–01:00") < html.index("01:00–02:00")
    assert "rạng sáng 03/03/2026" in html


@pytest.mark.parametrize(
    "shifts",
    [
        # Sunday night runs into Monday morning's shift.
        [
            {"weekday": 6, "starts": "22:00", "ends": "03:00", "slot_minutes": 60, "capacity": 5},
            {"weekday": 0, "starts": "02:00", "ends": "05:00", "slot_minutes": 60, "capacity": 5},
        ],
        # Two shifts of one day whose clock times meet after midnight.
        [
            {"weekday": 2, "starts": "00:00", "ends": "02:00", "slot_minutes": 60, "capacity": 5},
            {"weekday": 2, "starts": "20:00", "ends": "01:00", "slot_minutes": 60, "capacity": 5},
        ],
    ],
)
def test_overlapping_night_shifts_are_refused(world, shifts):
    with pytest.raises(Invalid) as caught, command():
        make_station(world.lead, shifts=shifts)
    assert "shift-1-starts" in caught.value.fields


def test_holidays_stay_closed_until_the_lead_opens_them_then_close_again(world):
    station = make_station(world.lead)
    assert day_slots(station, HOLIDAY) == []
    with pytest.raises(Forbidden):
        holidays.open_holiday(world.police, station, HOLIDAY)
    with command():
        assert holidays.open_holiday(world.lead, station, HOLIDAY) is True
    assert len(day_slots(station, HOLIDAY)) == 6  # Thursday's 08:00–11:00 in 30-minute slots
    with command():
        assert holidays.open_holiday(world.lead, station, HOLIDAY) is False  # idempotent
    with command():
        holidays.close_holiday(world.lead, station, HOLIDAY)
    assert day_slots(station, HOLIDAY) == []


def test_a_holiday_with_bookings_cannot_be_closed_again(world):

    station = make_station(world.lead)
    with command():
        holidays.open_holiday(world.lead, station, HOLIDAY)
    pid = world.resident()
    book(world.police, day_slots(station, HOLIDAY)[0].id, [pid])
    with pytest.raises(Conflict), command():
        holidays.close_holiday(world.lead, station, HOLIDAY)
    assert slots.opened_on(db.session.get(Station, station), HOLIDAY)


@pytest.mark.parametrize("day", [date(2026, 3, 3), date(2026, 1, 1)])
def test_only_a_coming_holiday_can_be_opened(world, day):
    station = make_station(world.lead)
    with pytest.raises(Invalid) as caught:
        holidays.open_holiday(world.lead, station, day)
    assert "date" in caught.value.fields


def test_the_day_page_offers_the_lead_to_open_a_holiday(app, world):
    station = make_station(world.lead)
    client = login(app.test_client(), "lead_a")
    html = client.get(f"/stations/{station}?date={HOLIDAY.isoformat()}").get_data(as_text=True)
    assert "Mở cửa ngày lễ này" in html
    opened = client.post(f"/stations/{station}/holidays/{HOLIDAY.isoformat()}", data={"open": "1"})
    assert opened.status_code == 303
    html = client.get(f"/stations/{station}?date={HOLIDAY.isoformat()}").get_data(as_text=True)
    assert "mở cửa theo quyết định của lãnh đạo" in html and "08:00–08:30" in html
    assert "Đóng cửa lại (nghỉ lễ)" in html


def test_a_booking_after_midnight_is_not_a_no_show_before_its_night_is_over(world):
    station = make_station(world.lead, shifts=NIGHT)
    late = day_slots(station, TODAY)[-1]
    code = book(world.police, late.id, [world.resident()])
    with time_machine.travel("2026-03-02T17:10:00Z", tick=False), command():  # Tuesday 00:10 local
        assert checkin.mark_no_shows() == 0
    with time_machine.travel("2026-03-03T17:10:00Z", tick=False), command():  # the night after
        assert checkin.mark_no_shows() == 1
    assert appointment(code).status == "no_show"
