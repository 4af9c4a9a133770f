"""The station pages: list, create and edit with shifts, the day view, booking, the slip with
its QR code, check-in by code, walk-ins, reschedule, cancel, no-shows; htmx fragments; who may
see and do what; English."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.support.appointments import book
from tests.support.cases import start
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
from tests.support.web import HTMX, login
from webapp.models import Appointment, Case, Station, db
from webapp.services.stations import appointments

# Every test here runs on the frozen Monday of tests/support/appointments.py.
pytestmark = pytest.mark.usefixtures("monday")


def text(response) -> str:
    return response.get_data(as_text=True)


SHIFT_FORM = {
    "shift-0-weekday": "1",
    "shift-0-starts": "07:30",
    "shift-0-ends": "11:30",
    "shift-0-slot_minutes": "60",
    "shift-0-capacity": "20",
    # A blank row (no times) is left out.
    "shift-1-weekday": "0",
    "shift-1-starts": "",
    "shift-1-ends": "",
    "shift-1-slot_minutes": "30",
    "shift-1-capacity": "10",
}


# --- list, create, edit -------------------------------------------------------------------


def test_the_list_has_an_empty_state_and_a_create_link_for_leads(app, world):
    page = text(login(app.test_client(), "lead_a").get("/stations/"))
    assert "Chưa có điểm tiếp nhận nào" in page and 'href="/stations/new"' in page
    page = text(login(app.test_client(), "police_a").get("/stations/"))
    assert "Chưa có điểm tiếp nhận nào" in page and 'href="/stations/new"' not in page


def test_a_lead_creates_a_station_from_the_form(app, world):
    client = login(app.test_client(), "lead_a")
    form = client.get("/stations/new")
    assert form.status_code == 200 and 'name="shift-2-starts"' in text(form)
    data = {
        "name": "Điểm Bệnh viện Đa khoa",
        "kind": "hospital",
        "address": "Phố Hải Thượng",
        "unit": "13300",
    }
    response = client.post("/stations/new", data={**data, "active": "1", **SHIFT_FORM})
    assert response.status_code == 303
    station = db.session.scalar(select(Station))
    assert response.headers["Location"].endswith(f"/stations/{station.id}")
    assert (station.name, station.kind, station.active) == ("Điểm Bệnh viện Đa khoa", "hospital", True)
    assert [(s.weekday, s.capacity) for s in station.shifts] == [(1, 20)]
    page = text(client.get(f"/stations/{station.id}/edit"))
    assert 'value="07:30"' in page and 'value="Điểm Bệnh viện Đa khoa"' in page


def test_an_invalid_station_comes_back_with_the_errors_beside_the_fields(app, world):
    client = login(app.test_client(), "lead_a")
    bad = {**SHIFT_FORM, "shift-0-slot_minutes": "45", "name": "", "kind": "office", "unit": "13300"}
    response = client.post("/stations/new", data=bad)
    assert response.status_code == 422
    page = text(response)
    assert "Bắt buộc nhập." in page and "không chia hết cho lượt 45 phút" in page
    assert 'value="07:30"' in page  # what was typed stays
    response = client.post("/stations/new", data=bad, headers=HTMX)
    assert response.status_code == 200 and text(response).lstrip().startswith("<form")
    assert count(Station) == 0


def test_only_leads_and_administrators_edit_stations(app, world, station):
    for username, status in (("police_a", 403), ("justice_a", 403), ("police_b", 403), ("admin", 200)):
        client = login(app.test_client(), username)
        assert client.get(f"/stations/{station}/edit").status_code == status, username
    client = login(app.test_client(), "police_a")
    assert client.get("/stations/new").status_code == 403
    assert client.post("/stations/new", data={"name": "x", "kind": "office"}).status_code == 403
    assert client.post(f"/stations/{station}/edit", data={"name": "x", "kind": "office"}).status_code == 403
    assert count(Station) == 1 and db.session.get(Station, station).name != "x"


# --- the day view -------------------------------------------------------------------------


def test_the_day_view_keeps_the_date_in_the_url_with_previous_and_next_links(app, world, station):
    code = book(world.police, slot_id(station, TOMORROW, "09:00"), household(world, 2, "HK-1"))
    client = login(app.test_client(), "police_a")
    page = text(client.get(f"/stations/{station}?date=2026-03-03"))
    assert "03/03/2026" in page and "Thứ Ba" in page
    assert f'href="/stations/{station}?date=2026-03-02"' in page
    assert f'href="/stations/{station}?date=2026-03-04"' in page
    assert appointments.ALPHABET and code[:4] in page
    assert "Chỗ đã đặt: 2/24" in page
    assert 'name="code"' not in page  # check-in only on the day itself
    today = text(client.get(f"/stations/{station}"))
    assert 'name="code"' in today and "autofocus" in today
    assert "Hôm nay" in today
    # A malformed date falls back to today rather than failing.
    assert client.get(f"/stations/{station}?date=03/03/2026").status_code == 200


def test_a_holiday_shows_why_there_are_no_slots(app, world, station):
    page = text(login(app.test_client(), "police_a").get(f"/stations/{station}?date=2026-04-30"))
    assert "Ngày lễ" in page and "Nghỉ lễ." in page


def test_a_past_day_counts_and_marks_no_shows(app, world, station):
    code = book(world.police, slot_id(station, TODAY, "09:00"), [world.resident()])
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        client = login(app.test_client(), "police_a")
        page = text(client.get(f"/stations/{station}?date=2026-03-02"))
        assert "Vắng mặt: 1" in page and "Ghi nhận vắng mặt" in page
        response = client.post(f"/stations/{station}/no-shows", data={"date": "2026-03-02"})
        assert response.status_code == 303
        assert appointment(code).status == "no_show"
        assert "Đã đánh dấu 1 lịch hẹn vắng mặt." in text(client.get(response.headers["Location"]))


def test_the_day_view_is_not_found_outside_scope_and_forbidden_to_other_roles(app, world, station):
    expected = {"police_a": 200, "lead_a": 200, "admin": 200, "police_b": 404, "police_hn": 404}
    expected |= {"justice_a": 403, "approval": 403, "supervisor": 403}
    for username, status in expected.items():
        client = login(app.test_client(), username)
        assert client.get(f"/stations/{station}").status_code == status, username
        assert client.get(f"/stations/{station}/book").status_code == status, username
    assert login(app.test_client(), "justice_a").get("/stations/").status_code == 403
    assert app.test_client().get(f"/stations/{station}").status_code == 302  # to sign-in


# --- booking, slip, reschedule, cancel ----------------------------------------------------


def test_booking_a_household_from_the_form_leads_to_the_printable_slip(app, world, station):
    pids = household(world, 3, "HK1330000012")
    start_one = world.resident()
    client = login(app.test_client(), "police_a")
    page = text(client.get(f"/stations/{station}/book?q=HK1330000012&date=2026-03-03"))
    for pid in pids:
        assert f'value="{pid}"' in page
    assert "còn 4 chỗ" in page
    partial = client.get(f"/stations/{station}/book?partial=people&q={pids[0]}&date=2026-03-03", headers=HTMX)
    assert "<html" not in text(partial) and all(p in text(partial) for p in pids)  # the household
    s = slot_id(station, TOMORROW, "10:00")
    response = client.post(
        f"/stations/{station}/book", data={"slot": s, "people": pids, "date": "2026-03-03"}
    )
    assert response.status_code == 303
    code = db.session.scalar(select(Appointment.code))
    assert response.headers["Location"].endswith(f"/stations/appointments/{code}")
    slip = text(client.get(response.headers["Location"]))
    assert f"{code[:4]}-{code[4:]}" in slip
    assert "Phiếu hẹn làm thẻ Căn cước" in slip and "Thứ Ba, 03/03/2026" in slip and "10:00–10:30" in slip
    assert "Số 1 đường Trần Hưng Đạo" in slip and "Nguyễn Thị Lan" in slip
    assert re.search(r'<img src="data:image/svg\+xml[^"]+"', slip)
    assert "st-noprint" in slip and "data-print" in slip
    assert start_one not in slip
    assert slot(s).booked == 3


def test_the_slip_speaks_english_when_asked(app, world, station):
    code = book(world.police, slot_id(station), [world.resident()])
    client = login(app.test_client(), "police_a")
    client.post("/lang/en")
    slip = text(client.get(f"/stations/appointments/{code}"))
    assert "Appointment slip" in slip and "Tuesday, 03/03/2026" in slip and "Booking code" in slip


def test_a_full_slot_in_the_form_says_how_many_places_are_left(app, world, station):
    s = slot_id(station)
    book(world.police, s, household(world, 3, "HK-A"))
    late = household(world, 2, "HK-B")
    client = login(app.test_client(), "police_a")
    response = client.post(
        f"/stations/{station}/book", data={"slot": s, "people": late, "date": "2026-03-03"}
    )
    assert response.status_code == 409
    assert "chỉ còn 1 chỗ, cần 2 chỗ" in text(response)
    response = client.post(
        f"/stations/{station}/book", data={"slot": s, "people": late, "date": "2026-03-03"}, headers=HTMX
    )
    assert response.status_code == 200 and 'id="st-booking"' in text(response)
    assert "<html" not in text(response)
    response = client.post(f"/stations/{station}/book", data={"slot": s, "date": "2026-03-03"})
    assert response.status_code == 422 and "Chọn ít nhất một công dân." in text(response)
    assert count(Appointment) == 1 and slot(s).booked == 3


def test_reschedule_and_cancel_from_the_pages(app, world, station):
    pids = household(world, 2, "HK-R")
    old, new = slot_id(station, TOMORROW, "08:00"), slot_id(station, TOMORROW, "10:30")
    code = book(world.police, old, pids)
    client = login(app.test_client(), "police_a")
    page = text(client.get(f"/stations/appointments/{code}/reschedule"))
    assert f'value="{new}"' in page and f'value="{old}"' not in page
    response = client.post(f"/stations/appointments/{code}/reschedule", data={"slot": new})
    assert response.status_code == 303
    assert (slot(old).booked, slot(new).booked) == (0, 2)
    response = client.post(f"/stations/appointments/{code}/reschedule", data={"slot": "nope"})
    assert response.status_code == 404  # no such slot
    response = client.post(f"/stations/appointments/{code}/cancel", headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith("date=2026-03-03")
    assert appointment(code).status == "cancelled" and slot(new).booked == 0
    assert {resident(p).listing_status for p in pids} == {"not_visited"}
    response = client.post(f"/stations/appointments/{code}/cancel", headers=HTMX)
    assert response.status_code == 409 and "flash-error" in text(response)


def test_appointments_outside_scope_are_not_found(app, world, station):
    code = book(world.police, slot_id(station), [world.resident()])
    for username in ("police_b", "police_hn"):
        client = login(app.test_client(), username)
        for url in (f"/stations/appointments/{code}", f"/stations/appointments/{code}/reschedule"):
            assert client.get(url).status_code == 404
        assert client.post(f"/stations/appointments/{code}/cancel").status_code == 404
    client = login(app.test_client(), "justice_a")
    assert client.get(f"/stations/appointments/{code}").status_code == 403
    assert appointment(code).status == "booked"


# --- check-in and walk-ins ----------------------------------------------------------------


def test_scanning_a_slip_checks_in_and_shows_the_cases(app, world, station):
    pids = household(world, 2, "HK-Q")
    code = book(world.police, slot_id(station, TODAY, "09:00"), pids)
    client = login(app.test_client(), "police_a2")
    scanned = f"CCCD|{code}|2026-03-02|09:00|{station}"
    response = client.post(f"/stations/{station}/checkin", data={"code": scanned}, headers=HTMX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and body.count('hx-swap-oob="true"') == 4
    codes = list(db.session.scalars(select(Case.code).order_by(Case.code)))
    assert len(codes) == 2 and all(f'href="/cases/{c}"' in body for c in codes)
    assert f"Đã tiếp nhận lịch hẹn {code[:4]}-{code[4:]}." in body
    assert 'value=""' in body and "autofocus" in body  # the box is empty for the next scan
    # The same slip again: said plainly in the box, nothing started twice.
    again = client.post(f"/stations/{station}/checkin", data={"code": code.lower()}, headers=HTMX)
    assert again.status_code == 200 and "đã được tiếp nhận lúc" in text(again)
    assert count(Case) == 2


def test_a_mistyped_code_is_shown_beside_the_box(app, world, station):
    client = login(app.test_client(), "police_a")
    response = client.post(f"/stations/{station}/checkin", data={"code": "ABC-DEF"})
    assert response.status_code == 422 and "Mã lịch hẹn gồm 8 ký tự" in text(response)
    assert 'value="ABC-DEF"' in text(response) and 'aria-invalid="true"' in text(response)
    response = client.post(f"/stations/{station}/checkin", data={"code": "ABCD-EFGH"}, headers=HTMX)
    assert response.status_code == 200 and "Không có lịch hẹn mã ABCD-EFGH." in text(response)


def test_a_walk_in_from_the_form_starts_cases_at_once(app, world, station):
    pids = [world.resident(), world.resident()]
    client = login(app.test_client(), "police_a")
    response = client.post(
        f"/stations/{station}/walk-in", data={"people": f"{pids[0]}\n{pids[1]}", "now": "1"}, headers=HTMX
    )
    assert response.status_code == 200 and "đã mở hồ sơ" in text(response)
    assert count(Case) == 2 and db.session.scalar(select(Appointment.walk_in)) is True
    response = client.post(f"/stations/{station}/walk-in", data={"people": "037190009999", "now": "1"})
    assert response.status_code == 422 and "Không có công dân với số định danh: 037190009999." in text(
        response
    )
    assert count(Appointment) == 1


def test_checking_in_is_for_officers_in_scope(app, world, station):
    code = book(world.police, slot_id(station, TODAY, "09:00"), [world.resident()])
    for username, status in (("justice_a", 403), ("police_b", 404), ("supervisor", 403)):
        client = login(app.test_client(), username)
        assert client.post(f"/stations/{station}/checkin", data={"code": code}).status_code == status
        assert client.post(f"/stations/{station}/walk-in", data={"people": "x"}).status_code == status
    assert appointment(code).status == "booked" and count(Case) == 0


def test_the_nightly_command_marks_no_shows(app, world, station):
    code = book(world.police, slot_id(station, TODAY, "09:00"), [world.resident()])
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        result = app.test_cli_runner().invoke(args=["stations", "mark-no-shows"])
    assert result.exit_code == 0 and "1 appointment(s) marked no-show" in result.output
    assert appointment(code).status == "no_show"


def test_a_plain_post_check_in_redirects_with_the_outcome(app, world, station):
    busy, fine = world.resident(name="Hoàng Văn Nam", sex="male"), world.resident(name="Hoàng Thị Mai")
    code = book(world.police, slot_id(station, TODAY, "09:00"), [busy, fine])
    existing = start(world.police, busy)
    client = login(app.test_client(), "police_a")
    response = client.post(f"/stations/{station}/checkin", data={"code": code})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/stations/{station}")
    page = text(client.get(response.headers["Location"]))
    opened = db.session.scalar(select(Case.code).where(Case.code != existing))
    assert f"Hoàng Thị Mai ({fine}): {opened}" in page
    assert f"Hoàng Văn Nam ({busy}): Công dân đã có hồ sơ đang xử lý {existing}." in page
    response = client.post(f"/stations/{station}/checkin", data={"code": code})
    assert response.status_code == 409 and "đã được tiếp nhận lúc" in text(response)


# --- every role against every station page ------------------------------------------------

ROLES = [
    "police_a",
    "lead_a",
    "admin",
    "police_b",
    "police_hn",
    "justice_a",
    "approval",
    "production",
    "supervisor",
]
BOOKERS = {"police_a": 200, "lead_a": 200, "admin": 200, "police_b": 404, "police_hn": 404}
MATRIX = {
    "list": {**dict.fromkeys(ROLES, 403), "police_a": 200, "lead_a": 200, "admin": 200}
    | {"police_b": 200, "police_hn": 200},
    "new": {**dict.fromkeys(ROLES, 403), "lead_a": 200, "admin": 200},
    # a role that never edits stations is refused at the route, whatever the station (403)
    "edit": {**dict.fromkeys(ROLES, 403), "lead_a": 200, "admin": 200},
    "day": {**dict.fromkeys(ROLES, 403), **BOOKERS},
    "book": {**dict.fromkeys(ROLES, 403), **BOOKERS},
    "slip": {**dict.fromkeys(ROLES, 403), **BOOKERS},
    "reschedule": {**dict.fromkeys(ROLES, 403), **BOOKERS},
    "cancel": {**dict.fromkeys(ROLES, 403), **BOOKERS, "police_a": 303, "lead_a": 303, "admin": 303},
    "checkin": {**dict.fromkeys(ROLES, 403), **BOOKERS, "police_a": 303, "lead_a": 303, "admin": 303},
    "no_shows": {**dict.fromkeys(ROLES, 403), **BOOKERS, "police_a": 303, "lead_a": 303, "admin": 303},
}


@pytest.mark.parametrize("username", ROLES)
def test_role_by_station_page(app, world, station, username):
    times = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]
    codes = {
        page: book(world.police, slot_id(station, TODAY, times[i % 6]), [world.resident()])
        for i, page in enumerate(MATRIX)
    }
    get = {
        "list": "/stations/",
        "new": "/stations/new",
        "edit": f"/stations/{station}/edit",
        "day": f"/stations/{station}",
        "book": f"/stations/{station}/book",
        "slip": f"/stations/appointments/{codes['slip']}",
        "reschedule": f"/stations/appointments/{codes['reschedule']}/reschedule",
    }
    post = {
        "cancel": (f"/stations/appointments/{codes['cancel']}/cancel", {}),
        "checkin": (f"/stations/{station}/checkin", {"code": codes["checkin"]}),
        "no_shows": (f"/stations/{station}/no-shows", {"date": "2026-03-01"}),
    }
    client = login(app.test_client(), username)
    for page, expected in MATRIX.items():
        if page in get:
            response = client.get(get[page])
        else:
            url, data = post[page]
            response = client.post(url, data=data)
        assert response.status_code == expected[username], page
        changed = appointment(codes[page]).status != "booked"
        assert changed == (page in ("cancel", "checkin") and response.status_code == 303), page
