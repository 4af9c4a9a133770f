"""Appointments: booking a household into a slot, reschedule, cancel, the day view and the slip;
and simultaneous bookings that never overbook a slot (SQLite and PostgreSQL). Check-in, walk-ins
and no-shows: test_check_in.py."""

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.appointments import book
from tests.support.cases import case, start
from tests.support.stations import (
    MONDAY,
    TODAY,
    TOMORROW,
    appointment,
    count,
    household,
    resident,
    slot,
    slot_id,
)
from webapp.models import Appointment, AppointmentPerson, Case, Slot, User, db
from webapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from webapp.services.stations import appointments, checkin, day
from webapp.services.stations import households as bookable
from webapp.services.uow import command

# Every test here runs on the frozen Monday of tests/support/appointments.py.
pytestmark = pytest.mark.usefixtures("monday")


def snapshot(slot_ids, pids):
    db.session.expire_all()
    return (
        [(slot(s).booked, slot(s).capacity) for s in slot_ids],
        [(resident(p).listing_status) for p in pids],
        db.session.execute(select(Appointment.code, Appointment.status, Appointment.slot_id)).all(),
        count(AppointmentPerson),
    )


# --- booking ------------------------------------------------------------------------------


def test_booking_a_household_takes_one_place_each_and_marks_them_booked(world, station):
    pids = household(world, 3, "HK1330000012")
    s = slot_id(station)
    code = book(world.police, s, pids)
    assert len(code) == 8 and set(code) <= set(appointments.ALPHABET)
    assert not set(code) & set("0O1I")
    a = appointment(code)
    assert (a.status, a.day, a.household_id, a.walk_in, a.created_by_id) == (
        "booked",
        TOMORROW,
        "HK1330000012",
        False,
        world.police.id,
    )
    assert sorted(p.resident.personal_id for p in a.people) == sorted(pids)
    assert slot(s).booked == 3
    assert {resident(p).listing_status for p in pids} == {"booked"}


def test_codes_are_drawn_from_the_unambiguous_alphabet():
    codes = {appointments.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert set("".join(codes)) <= set(appointments.ALPHABET) and len(set("".join(codes))) == 32


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD2345", "ABCD2345"),
        (" abcd-2345 \n", "ABCD2345"),
        ("ABCD 2345", "ABCD2345"),
        ("CCCD|ABCD2345|2026-03-02|08:00|7", "ABCD2345"),
        ("cccd|abcd2345|2026-03-02|08:00|7", "ABCD2345"),
        ("ABCD0345", None),  # 0 is not in the alphabet
        ("ABCDI345", None),
        ("ABCD234", None),
        ("ABCD23456", None),
        ("CCCD|", None),
        ("", None),
        (None, None),
        ("ＡＢＣＤ２３４５", None),  # full-width letters and digits
        ("ABCDEFﬀ", None),  # upper() would make it ABCDEFFF
    ],
)
def test_a_typed_or_scanned_code_is_normalised(typed, expected):
    assert appointments.normalize_code(typed) == expected


def test_a_full_slot_is_a_conflict_naming_the_places_left_and_changes_nothing(world, station):
    s = slot_id(station)  # capacity 4
    book(world.police, s, household(world, 3, "HK-A"))
    late = household(world, 2, "HK-B")
    before = snapshot([s], late)
    with pytest.raises(Conflict) as err, command():
        appointments.book(world.police, s, late)
    assert "chỉ còn 1 chỗ, cần 2" in err.value.message.vi
    assert "1 place(s) left; 2 needed" in err.value.message.en
    assert "slot" in err.value.fields
    assert snapshot([s], late) == before
    assert {resident(p).listing_status for p in late} == {"not_visited"}


@pytest.mark.parametrize(
    ("people", "words"),
    [
        ([], "ít nhất một"),
        ("037190000001", "ít nhất một"),
        ([1, 2], "ít nhất một"),
        (["037190009999"], "Không có công dân"),
        (["x" * 12] * 21, "Không có công dân"),
    ],
)
def test_bad_lists_of_people_are_invalid(world, station, people, words):
    s = slot_id(station)
    with pytest.raises(Invalid) as err, command():
        appointments.book(world.police, s, people)
    assert any(words in p.vi for p in err.value.fields["people"])
    assert slot(s).booked == 0 and count(Appointment) == 0


def test_at_most_twenty_people_per_appointment(world, station):
    pids = [f"0371900{i:05d}" for i in range(21)]
    with pytest.raises(Invalid) as err, command():
        appointments.book(world.police, slot_id(station), pids)
    assert "tối đa 20" in err.value.fields["people"][0].vi


def test_who_cannot_be_booked_is_named_and_nothing_is_booked(world, station):
    fine = world.resident(name="Trần Văn An", sex="male")
    dead = world.resident(name="Lê Thị Bình", status="deceased")
    busy = world.resident(name="Phạm Văn Cường", sex="male")
    start(world.police, busy)
    twice = world.resident(name="Đỗ Thị Dung")
    other = book(world.police, slot_id(station, TOMORROW, "10:00"), [twice])
    s = slot_id(station)
    before = snapshot([s], [fine, dead, busy])
    with pytest.raises(Invalid) as err, command():
        appointments.book(world.police, s, [fine, dead, busy, twice])
    problems = [p.vi for p in err.value.fields["people"]]
    assert problems == [
        f"Lê Thị Bình ({dead}): đã chết.",
        f"Phạm Văn Cường ({busy}): đã có hồ sơ đang xử lý {case_code(busy)}.",
        f"Đỗ Thị Dung ({twice}): đã có lịch hẹn {bookable.pretty_code(other)} ngày 03/03/2026.",
    ]
    assert snapshot([s], [fine, dead, busy]) == before


def case_code(pid):
    return db.session.scalar(select(Case.code).join(Case.resident).where(Case.resident.has(personal_id=pid)))


def test_residents_and_slots_outside_scope_are_not_found(world, station):
    commune_b = world.resident(unit=world.commune_b)
    with pytest.raises(Invalid) as err, command():
        appointments.book(world.police, slot_id(station), [commune_b])
    assert "Không có công dân" in err.value.fields["people"][0].vi  # not revealed
    pid = world.resident()
    with pytest.raises(NotFound), command():
        appointments.book(world.police_b, slot_id(station), [pid])
    with pytest.raises(NotFound), command():
        appointments.book(world.police, 10**6, [pid])
    with pytest.raises(Forbidden), command():
        appointments.book(world.justice, slot_id(station), [pid])
    assert count(Appointment) == 0


def test_a_slot_that_has_started_or_passed_cannot_be_booked(world, station):
    pid = world.resident()
    today_0800 = slot_id(station, TODAY, "08:00")
    with time_machine.travel(MONDAY + timedelta(hours=1, minutes=5), tick=False):  # 08:05 local
        with pytest.raises(Invalid) as err, command():
            appointments.book(world.police, today_0800, [pid])
        assert "đã qua" in err.value.fields["slot"][0].vi
        book(world.police, slot_id(station, TODAY, "08:30"), [pid])
    assert slot(today_0800).booked == 0


# --- reschedule and cancel ----------------------------------------------------------------


def test_reschedule_moves_the_places_in_one_transaction(world, station):
    pids = household(world, 2, "HK-R")
    old, new = slot_id(station, TOMORROW, "08:00"), slot_id(station, TOMORROW + timedelta(days=1), "09:30")
    code = book(world.police, old, pids)
    with command():
        appointments.reschedule(world.police, code, new)
    a = appointment(code)
    assert (a.slot_id, a.day, a.status) == (new, TOMORROW + timedelta(days=1), "booked")
    assert (slot(old).booked, slot(new).booked) == (0, 2)


def test_reschedule_into_a_full_slot_changes_nothing(world, station):
    pids = household(world, 2, "HK-R")
    old, full = slot_id(station, TOMORROW, "08:00"), slot_id(station, TOMORROW, "09:00")
    code = book(world.police, old, pids)
    book(world.police, full, household(world, 3, "HK-F"))
    before = snapshot([old, full], pids)
    with pytest.raises(Conflict) as err, command():
        appointments.reschedule(world.police, code, full)
    assert "chỉ còn 1 chỗ" in err.value.message.vi
    assert snapshot([old, full], pids) == before
    with pytest.raises(Invalid), command():
        appointments.reschedule(world.police, code, old)  # the same slot
    with pytest.raises(NotFound), command():
        appointments.reschedule(world.police_b, code, full)
    assert snapshot([old, full], pids) == before


def test_cancel_gives_the_places_back_and_resets_the_listing(world, station):
    pids = household(world, 3, "HK-C")
    s = slot_id(station)
    code = book(world.police, s, pids)
    with command():  # someone learned meanwhile that one of them lives elsewhere
        resident(pids[0]).listing_status = "away"
    with command():
        appointments.cancel(world.police2, code)
    assert appointment(code).status == "cancelled"
    assert slot(s).booked == 0
    assert [resident(p).listing_status for p in pids] == ["away", "not_visited", "not_visited"]
    with pytest.raises(Conflict) as err, command():
        appointments.cancel(world.police, code)
    assert "Đã hủy".lower() in err.value.message.vi
    assert slot(s).booked == 0
    # The places are free again, and so are the people.
    book(world.police, s, pids[1:] + household(world, 2, "HK-D"))


# --- the day view and the slip ------------------------------------------------------------


def test_the_day_view_lists_slots_appointments_people_and_cases(world, station):
    a = household(world, 2, "HK-V")
    b = world.resident()
    book(world.police, slot_id(station, TODAY, "08:30"), a)
    code = book(world.police, slot_id(station, TODAY, "10:00"), [b])
    with command():
        checkin.check_in(world.police, station, code)
    with command():
        checkin.walk_in(world.police, station, [world.resident()])
    with command():
        view = day.day_view(world.police, station, TODAY)
    assert [(s.starts.strftime("%H:%M"), s.booked) for s in view.slots] == [
        ("08:00", 0),
        ("08:30", 2),
        ("09:00", 0),
        ("09:30", 0),
        ("10:00", 1),
        ("10:30", 0),
    ]
    assert [(x.slot.starts.strftime("%H:%M") if x.slot else None, x.status) for x in view.appointments] == [
        ("08:30", "booked"),
        ("10:00", "checked_in"),
        (None, "checked_in"),
    ]
    assert view.counts == {
        "booked": 1,
        "checked_in": 2,
        "cancelled": 0,
        "no_show": 0,
        "walk_in": 1,
        "people": 4,
        "places": 3,
        "capacity": 24,
    }
    assert sorted(view.case_codes.values()) == sorted(c.code for c in db.session.scalars(select(Case)))
    with pytest.raises(NotFound):
        day.day_view(world.police_b, station, TODAY)


def test_the_slip_carries_code_date_time_and_station_in_its_qr(world, station):
    s = slot_id(station, TOMORROW, "09:30")
    code = book(world.police, s, household(world, 2, "HK-S"))
    found = day.slip(world.police, code.lower())
    assert found.payload == f"CCCD|{code}|2026-03-03|09:30|{station}"
    assert found.qr.startswith("data:image/svg+xml")
    assert (found.starts, found.ends) == ("09:30", "10:00")
    assert len(found.names) == 2
    with pytest.raises(NotFound):
        day.slip(world.outsider, code)
    with pytest.raises(NotFound):
        day.slip(world.police, "ZZZZZZZZ")


# --- simultaneous bookings ----------------------------------------------------------------


def race(app, user_id: int, jobs: list) -> list[str]:
    """Run each job (a function of the user) in its own thread, session and connection, all
    released at once; returns "ok", "full", "busy" or "invalid" per job."""
    barrier = threading.Barrier(len(jobs))
    results = []

    def run(job):
        with app.app_context(), time_machine.travel(MONDAY, tick=False):
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                with command():
                    job(user)
                results.append("ok")
            except Conflict as exc:
                results.append("full" if "slot" in exc.fields else "busy")
            except Invalid:
                results.append("invalid")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(results)


def test_simultaneous_bookings_of_the_last_places_never_overbook(app, world, station):
    s = slot_id(station)
    with command():
        db.session.get(Slot, s).capacity = 10
    book(world.police, s, household(world, 3, "HK-0"))  # 7 places left
    people = [world.resident() for _ in range(12)]
    jobs = [lambda user, pid=pid: appointments.book(user, s, [pid]) for pid in people]
    results = race(app, world.police.id, jobs)
    assert results.count("ok") == 7, results
    assert set(results) <= {"ok", "full"}
    assert slot(s).booked == 10
    taken = db.session.scalar(
        select(func.count()).select_from(AppointmentPerson).join(Appointment).where(Appointment.slot_id == s)
    )
    assert taken == 10


def test_simultaneous_household_bookings_fill_a_slot_exactly(app, world, station):
    s = slot_id(station)  # capacity 4
    households = [household(world, 2, f"HK-{i}") for i in range(5)]
    jobs = [lambda user, pids=pids: appointments.book(user, s, pids) for pids in households]
    results = race(app, world.police.id, jobs)
    assert results == ["full", "full", "full", "ok", "ok"]
    assert (
        slot(s).booked
        == 4
        == db.session.scalar(
            select(func.count())
            .select_from(AppointmentPerson)
            .join(Appointment)
            .where(Appointment.slot_id == s)
        )
    )


def test_one_resident_booked_from_two_desks_at_once_gets_one_booking(app, world, station):
    pid = world.resident()
    slots = [slot_id(station, TOMORROW, t) for t in ("08:00", "08:30", "09:00", "09:30")]
    jobs = [lambda user, s=s: appointments.book(user, s, [pid]) for s in slots]
    results = race(app, world.police.id, jobs)
    assert results.count("ok") == 1 and set(results) <= {"ok", "invalid"}, results
    assert sum(slot(s).booked for s in slots) == 1
    assert count(Appointment) == 1


def test_simultaneous_check_ins_of_one_code_start_one_set_of_cases(app, world, station):
    code = book(world.police, slot_id(station, TODAY, "09:00"), household(world, 2, "HK-Q"))
    jobs = [lambda user: checkin.check_in(user, station, code) for _ in range(4)]
    results = race(app, world.police.id, jobs)
    assert results.count("ok") == 1 and set(results) <= {"ok", "busy"}, results
    assert count(Case) == 2
    assert case(db.session.scalars(select(Case.code)).first()).status == "open"
