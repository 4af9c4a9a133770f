"""At the station on the day: check-in by the slip's code (a case per person, started with the
registry data), walk-ins with or without a place, and no-shows marked by the nightly command."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.appointments import book
from tests.support.cases import start, task_of
from tests.support.stations import (
    MONDAY,
    TODAY,
    TOMORROW,
    appointment,
    count,
    household,
    make_station,
    resident,
    slot_id,
)
from webapp.models import Appointment, Case, Slot, db
from webapp.services.errors import Conflict, Invalid, NotFound
from webapp.services.stations import appointments, checkin, day
from webapp.services.stations import households as bookable
from webapp.services.uow import command

# Every test here runs on the frozen Monday of tests/support/appointments.py.
pytestmark = pytest.mark.usefixtures("monday")


# --- check-in -----------------------------------------------------------------------------


def test_check_in_by_scanned_code_starts_a_case_per_person(app, world, station):
    first = world.resident(name="Vũ Văn Hải", sex="male")
    second = world.resident(name="Vũ Thị Hà")
    with command():
        resident(second).card_state = "cmnd"
    code = book(world.police, slot_id(station, TODAY, "09:00"), [first, second])
    scanned = day.slip(world.police, code).payload
    with command():
        result = checkin.check_in(world.police2, station, scanned)
    assert result.failed == []
    a = appointment(code)
    assert a.status == "checked_in" and a.checked_in_at is not None
    by_pid = {p.resident.personal_id: p.case_id for p in a.people}
    opened = {c.resident.personal_id: c for c in db.session.scalars(select(Case))}
    assert set(opened) == {first, second}
    assert (opened[first].kind, opened[second].kind) == ("new", "exchange")
    assert by_pid == {pid: opened[pid].id for pid in (first, second)}
    for pid in (first, second):
        task = task_of(opened[pid].code, "verify_application")
        assert task.assignee_id == world.police2.id  # the officer at the desk holds the first step
        assert opened[pid].unit.code == "13300"


def test_a_person_with_an_open_case_is_reported_and_the_others_start(world, station):
    busy, fine = world.resident(), world.resident()
    code = book(world.police, slot_id(station, TODAY, "09:00"), [busy, fine])
    existing = start(world.police, busy)  # started between booking and arrival
    with command():
        result = checkin.check_in(world.police, station, code)
    assert [r.personal_id for r, _ in result.started] == [fine]
    assert [(r.personal_id, existing in m.vi) for r, m in result.failed] == [(busy, True)]
    a = appointment(code)
    assert a.status == "checked_in"
    assert {p.resident.personal_id: p.case_id is not None for p in a.people} == {busy: False, fine: True}
    assert db.session.scalar(select(func.count()).select_from(Case)) == 2


@pytest.mark.parametrize("typed", ["", "ABC", "ZZZZ-ZZZZ", "CCCD|nothing"])
def test_an_unknown_or_malformed_code_is_invalid(world, station, typed):
    with pytest.raises(Invalid) as err, command():
        checkin.check_in(world.police, station, typed)
    assert err.value.fields["code"][0].vi.startswith(("Mã lịch hẹn gồm", "Không có lịch hẹn"))


def test_check_in_refuses_another_station_another_day_and_a_second_time(world, station):
    other = make_station(world.lead, name="Điểm trường THCS")
    pid, later = world.resident(), world.resident()
    code = book(world.police, slot_id(station, TODAY, "09:00"), [pid])
    tomorrow = book(world.police, slot_id(station, TOMORROW), [later])
    with pytest.raises(Conflict) as err, command():
        checkin.check_in(world.police, other, code)
    assert "Trụ sở Công an phường Hoa Lư" in err.value.message.vi
    with pytest.raises(Conflict) as err, command():
        checkin.check_in(world.police, station, tomorrow)
    assert "03/03/2026" in err.value.message.vi
    with pytest.raises(NotFound), command():
        checkin.check_in(world.police_b, station, code)
    assert count(Case) == 0 and appointment(code).status == "booked"
    with command():
        checkin.check_in(world.police, station, code)
    with pytest.raises(Conflict) as err, command():
        checkin.check_in(world.police, station, code)
    assert "đã được tiếp nhận lúc" in err.value.message.vi
    assert count(Case) == 1


def test_a_cancelled_booking_cannot_be_checked_in(world, station):
    code = book(world.police, slot_id(station, TODAY, "09:00"), [world.resident()])
    with command():
        appointments.cancel(world.police, code)
    with pytest.raises(Conflict), command():
        checkin.check_in(world.police, station, code)
    assert count(Case) == 0


# --- walk-ins and no-shows ----------------------------------------------------------------


def test_a_walk_in_is_checked_in_at_once_without_taking_a_place(world, station):
    pids = household(world, 2, "HK-W")
    with command():
        result = checkin.walk_in(world.police, station, pids)
    a = result.appointment
    assert (a.walk_in, a.slot_id, a.day, a.status) == (True, None, TODAY, "checked_in")
    assert len(result.started) == 2 and count(Case) == 2
    assert db.session.scalar(select(func.sum(Slot.booked))) in (None, 0)


def test_a_walk_in_can_wait_to_be_checked_in(world, station):
    pid = world.resident()
    with command():
        code = checkin.walk_in(world.police, station, [pid], check_in_now=False).appointment.code
    assert appointment(code).status == "booked" and count(Case) == 0
    with command():
        checkin.check_in(world.police, station, code)
    assert appointment(code).status == "checked_in" and count(Case) == 1


def test_a_walk_in_with_a_booking_is_told_its_code(world, station):
    pid = world.resident()
    code = book(world.police, slot_id(station), [pid])
    with pytest.raises(Invalid) as err, command():
        checkin.walk_in(world.police, station, [pid])
    assert bookable.pretty_code(code) in err.value.fields["people"][0].vi
    assert count(Appointment) == 1


def test_past_bookings_count_as_no_shows_and_are_marked_by_the_nightly_command(world, station):
    kept, missed = world.resident(), world.resident()
    missed_code = book(world.police, slot_id(station, TODAY, "09:00"), [missed])
    kept_code = book(world.police, slot_id(station, TODAY, "10:00"), [kept])
    with command():
        checkin.check_in(world.police, station, kept_code)
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        with command():
            view = day.day_view(world.police, station, TODAY)
        assert (view.counts["no_show"], view.counts["checked_in"], view.counts["booked"]) == (1, 1, 0)
        with command():
            assert checkin.mark_no_shows() == 1
        with command():
            assert checkin.mark_no_shows() == 0  # idempotent
        assert appointment(missed_code).status == "no_show"
        assert appointment(kept_code).status == "checked_in"
        assert resident(missed).listing_status == "not_visited"
        with pytest.raises(Conflict), command():
            appointments.cancel(world.police, missed_code)


def test_an_officer_marks_no_shows_only_in_scope(world, station):
    code = book(world.police, slot_id(station, TODAY, "09:00"), [world.resident()])
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        with pytest.raises(NotFound), command():
            checkin.mark_no_shows(world.police_b, station)
        with command():
            assert checkin.mark_no_shows(world.police_b) == 0  # nothing of theirs
        with command():
            assert checkin.mark_no_shows(world.police, station, TODAY) == 1
    assert appointment(code).status == "no_show"
