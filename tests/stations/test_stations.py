"""Stations and their weekly shifts: who may create and edit them, every validation rule (named
by field, nothing written), and the slots generated on demand from the shifts."""

import threading
from datetime import time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.stations import (
    EVERY_DAY,
    HOLIDAY,
    MONDAY,
    TODAY,
    TOMORROW,
    count,
    household,
    make_station,
    slot_id,
)
from webapp.models import Slot, Station, StationShift, db
from webapp.services.errors import Forbidden, Invalid, NotFound
from webapp.services.stations import appointments, setup, slots
from webapp.services.uow import command


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def shift(**changes):
    return {"weekday": 0, "starts": "08:00", "ends": "11:00", "slot_minutes": 30, "capacity": 4, **changes}


def slots_of(station, day):
    """The day's slots as a page gets them: generated first, then read."""
    slots.ensure_slots(station, day)
    return slots.day_slots(station, day)


def save(user, data, station_id=None):
    base = {"name": "Điểm trường THPT Hoa Lư", "kind": "school", "address": "", "unit": "13300", "shifts": []}
    with command():
        return setup.save_station(user, station_id, {**base, **data})


def test_a_lead_creates_a_station_with_its_shifts(world):
    station_id = make_station(world.lead, kind="hospital")
    station = db.session.get(Station, station_id)
    assert (station.name, station.kind, station.unit.code, station.active) == (
        "Trụ sở Công an phường Hoa Lư",
        "hospital",
        "13300",
        True,
    )
    assert [(s.weekday, s.starts, s.ends, s.slot_minutes, s.capacity) for s in station.shifts] == [
        (d, time(8), time(11), 30, 4) for d in range(7)
    ]


def test_only_leads_and_administrators_manage_stations(world):
    for user in (world.police, world.justice, world.supervisor, world.approval):
        with pytest.raises(Forbidden), command():
            save(user, {})
    assert count(Station) == 0
    # The province administrator may create one in any commune of the province.
    save(world.admin, {"unit": "13301"})
    assert count(Station) == 1


def test_a_station_outside_the_lead_s_commune_is_not_found(world):
    with command():
        other = setup.save_station(
            world.admin, None, {"name": "Xã Gia Viễn", "kind": "office", "unit": "13301", "shifts": EVERY_DAY}
        )
    with pytest.raises(NotFound), command():
        setup.save_station(world.lead, other.id, {"name": "Đổi tên", "kind": "office", "shifts": []})
    with pytest.raises(NotFound):
        setup.get_station(world.police, other.id)
    with pytest.raises(NotFound):
        setup.get_station(world.outsider, other.id)
    assert setup.get_station(world.police_b, other.id).name == "Xã Gia Viễn"
    with pytest.raises(Forbidden):  # in scope, but a justice officer books nobody
        setup.get_station(world.justice_b, other.id)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "  "}, "name", "Bắt buộc"),
        ({"name": "x" * 201}, "name", "200"),
        ({"kind": "market"}, "kind", "office"),
        ({"address": "x" * 301}, "address", "300"),
        ({"unit": "13301"}, "unit", "phạm vi"),  # the lead's commune is 13300
        ({"unit": "99999"}, "unit", "phạm vi"),
        ({"shifts": [shift(weekday=7)]}, "shift-0-weekday", "0 (Thứ Hai)"),
        ({"shifts": [shift(weekday="x")]}, "shift-0-weekday", "0 (Thứ Hai)"),
        ({"shifts": [shift(starts="7h30")]}, "shift-0-starts", "HH:MM"),
        ({"shifts": [shift(ends="24:00")]}, "shift-0-ends", "HH:MM"),
        # A night shift's hours after midnight collide with the same day's morning shift.
        ({"shifts": [shift(), shift(starts="20:00", ends="08:30")]}, "shift-1-starts", "Trùng giờ"),
        ({"shifts": [shift(starts="08:00", ends="08:00")]}, "shift-0-ends", "khác giờ bắt đầu"),
        ({"shifts": [shift(slot_minutes=4)]}, "shift-0-slot_minutes", "5 đến 240"),
        ({"shifts": [shift(slot_minutes=241)]}, "shift-0-slot_minutes", "5 đến 240"),
        ({"shifts": [shift(slot_minutes=40)]}, "shift-0-slot_minutes", "không chia hết"),
        ({"shifts": [shift(capacity=0)]}, "shift-0-capacity", "1 đến 500"),
        ({"shifts": [shift(capacity=501)]}, "shift-0-capacity", "1 đến 500"),
        ({"shifts": [shift(capacity="١٠")]}, "shift-0-capacity", "1 đến 500"),  # Arabic-Indic digits
        ({"shifts": [shift(), shift(starts="10:30", ends="12:00")]}, "shift-1-starts", "Trùng giờ"),
        ({"shifts": [shift(), shift(starts="07:00", ends="13:00")]}, "shift-1-starts", "dòng 1"),
        ({"shifts": "08:00-11:00"}, "shifts", "ca"),
        ({"shifts": [shift()] * 51}, "shifts", "50"),
    ],
)
def test_invalid_stations_name_the_field_and_rule_and_write_nothing(world, data, field, words):
    with pytest.raises(Invalid) as err, command():
        save(world.lead, data)
    assert field in err.value.fields, err.value.fields
    assert any(words in p.vi for p in err.value.fields[field]), err.value.fields[field]
    assert all(p.en for ps in err.value.fields.values() for p in ps)
    assert count(Station) == count(StationShift) == 0


def test_shifts_on_different_days_or_back_to_back_do_not_overlap(world):
    station = save(
        world.lead,
        {
            "shifts": [
                shift(),
                shift(starts="11:00", ends="12:00", slot_minutes=60),  # starts when the first ends
                shift(weekday=1),  # same hours, another day
                shift(weekday=5, starts="05:30", ends="23:30", slot_minutes=90, capacity=500),
            ]
        },
    )
    assert len(station.shifts) == 4


def test_editing_keeps_the_station_valid_and_changes_nothing_when_invalid(world):
    station_id = make_station(world.lead)
    with pytest.raises(Invalid), command():
        save(world.lead, {"name": "", "shifts": [shift(capacity=0)]}, station_id)
    station = db.session.get(Station, station_id)
    db.session.refresh(station)
    assert station.name == "Trụ sở Công an phường Hoa Lư" and len(station.shifts) == 7


def test_slots_follow_the_shifts_of_the_weekday(world):
    station_id = make_station(
        world.lead,
        shifts=[
            shift(weekday=1, starts="07:30", ends="11:30", slot_minutes=60, capacity=10),
            shift(weekday=1, starts="13:30", ends="17:00", slot_minutes=30, capacity=5),
        ],
    )
    station = db.session.get(Station, station_id)
    with command():
        found = slots_of(station, TOMORROW)  # Tuesday
    assert [
        (s.starts.strftime("%H:%M"), s.ends.strftime("%H:%M"), s.capacity, s.booked) for s in found.slots
    ] == [
        ("07:30", "08:30", 10, 0),
        ("08:30", "09:30", 10, 0),
        ("09:30", "10:30", 10, 0),
        ("10:30", "11:30", 10, 0),
        ("13:30", "14:00", 5, 0),
        ("14:00", "14:30", 5, 0),
        ("14:30", "15:00", 5, 0),
        ("15:00", "15:30", 5, 0),
        ("15:30", "16:00", 5, 0),
        ("16:00", "16:30", 5, 0),
        ("16:30", "17:00", 5, 0),
    ]
    with command():
        assert slots_of(station, TODAY).slots == []  # Monday: no shift


def test_generating_slots_again_never_duplicates_them(world):
    station_id = make_station(world.lead)
    station = db.session.get(Station, station_id)
    for _ in range(3):
        with command():
            slots.ensure_slots(station, TOMORROW)
    assert db.session.scalar(select(func.count()).select_from(Slot).where(Slot.day == TOMORROW)) == 6


def test_simultaneous_generation_inserts_each_slot_once(app, world):
    station_id = make_station(world.lead)
    barrier = threading.Barrier(4)
    errors = []

    def generate():
        with app.app_context(), time_machine.travel(MONDAY, tick=False):
            try:
                station = db.session.get(Station, station_id)
                barrier.wait()
                with command():
                    slots.ensure_slots(station, TOMORROW)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=generate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # SQLite may refuse a writer as busy (a conflict to retry); nothing is ever inserted twice.
    assert all(type(e).__name__ == "Conflict" for e in errors), errors
    with command():
        slots.ensure_slots(db.session.get(Station, station_id), TOMORROW)
    assert db.session.scalar(select(func.count()).select_from(Slot)) == 6


def test_no_slots_on_public_holidays_past_days_or_at_inactive_stations(world):
    station_id = make_station(world.lead)
    station = db.session.get(Station, station_id)
    with command():
        found = slots_of(station, HOLIDAY)
    assert found.slots == [] and "Chiến thắng" in found.holiday.vi and "Liberation" in found.holiday.en
    with command():
        assert slots_of(station, TODAY - timedelta(days=1)).slots == []
    with command():
        setup.save_station(
            world.lead,
            station_id,
            {"name": station.name, "kind": "office", "active": "0", "shifts": EVERY_DAY},
        )
    with command():
        assert slots_of(db.session.get(Station, station_id), TOMORROW).slots == []
    assert count(Slot) == 0


def test_changing_the_shifts_regenerates_free_slots_and_keeps_booked_ones(world):
    station_id = make_station(world.lead)
    booked_slot = slot_id(station_id, TOMORROW, "08:00")
    slot_id(station_id, TOMORROW + timedelta(days=1), "08:00")  # generated, never booked
    with command():
        appointments.book(world.police, booked_slot, household(world, 2, "HK-1"))
    new_shifts = [
        shift(weekday=d, starts="13:00", ends="15:00", slot_minutes=60, capacity=8) for d in range(7)
    ]
    with command():
        setup.save_station(world.lead, station_id, {"name": "Trụ sở", "kind": "office", "shifts": new_shifts})
    station = db.session.get(Station, station_id)
    with command():
        tomorrow = slots_of(station, TOMORROW).slots
        after = slots_of(station, TOMORROW + timedelta(days=1)).slots
    assert [(s.starts, s.capacity, s.booked) for s in tomorrow] == [
        (time(8), 4, 2),  # the booked slot keeps its people and time
        (time(13), 8, 0),
        (time(14), 8, 0),
    ]
    assert [(s.starts, s.capacity) for s in after] == [(time(13), 8), (time(14), 8)]


def test_the_list_shows_stations_in_scope_only(world):
    make_station(world.lead, name="Điểm A")
    with command():
        setup.save_station(
            world.admin, None, {"name": "Điểm B", "kind": "factory", "unit": "13301", "shifts": []}
        )
    assert [s.name for s in setup.list_stations(world.police)[0]] == ["Điểm A"]
    assert [s.name for s in setup.list_stations(world.police_b)[0]] == ["Điểm B"]
    assert sorted(s.name for s in setup.list_stations(world.admin)[0]) == ["Điểm A", "Điểm B"]
    assert setup.list_stations(world.outsider) == ([], 0)
    with pytest.raises(Forbidden):
        setup.list_stations(world.justice)


def test_the_demo_stations_are_seeded_once(world):
    from webapp.services.demo import seed

    with command():
        assert seed.seed_stations([world.commune_a, world.commune_b]) == 3
    with command():
        assert seed.seed_stations([world.commune_a, world.commune_b]) == 0
    names = sorted(db.session.scalars(select(Station.name)))
    assert names == [
        "Trụ sở Công an Phường Hoa Lư",
        "Trụ sở Công an Xã Gia Viễn",
        "Tổ lưu động – Trường THPT Phường Hoa Lư",
    ]
    station = db.session.scalar(select(Station).where(Station.kind == "office"))
    with command():
        tuesday = slots_of(station, TOMORROW).slots
    assert len(tuesday) == 15 and {s.capacity for s in tuesday} == {8}
