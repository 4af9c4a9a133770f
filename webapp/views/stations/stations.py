"""Stations: the list in scope, create and edit with weekly shifts, a station's day (slots,
appointments, counts), check-in by code, walk-ins and no-shows. Bookings, slips, reschedule and
cancel are in bookings.py, a blueprint of their own under the same /stations/ address.

Every form works as a plain post (303 to a page, or the page again with the errors) and as an
htmx post (the form's block)."""

import logging
import re
from datetime import date, timedelta

from flask import Blueprint, flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_blocks

from ...i18n import message
from ...services import access, clock, uow
from ...services.cases import case_reasons
from ...services.errors import Conflict, Invalid
from ...services.stations import appointments, checkin, holidays, households, setup, slots
from ...services.stations import day as station_day
from ...services.text import parse_iso_date
from ...web import allow, field_errors, invalid_status, is_htmx, render, see_other, send_table

log = logging.getLogger(__name__)
bp = Blueprint("stations", __name__, url_prefix="/stations")

PER_PAGE = 50
BLANK_ROWS = 3
SHIFT_KEY = re.compile(r"shift-([0-9]{1,3})-(weekday|starts|ends|slot_minutes|capacity)")


def day_arg(value: str | None = None) -> date:
    """The date in the URL (YYYY-MM-DD), today when missing or malformed."""
    day = parse_iso_date(value if value is not None else request.args.get("date"))
    return day or clock.today_local()


def context() -> dict:
    return {
        "kinds": setup.KINDS,
        "weekdays": setup.WEEKDAYS,
        "statuses": appointments.STATUSES,
        "pretty": households.pretty_code,
        "can_manage": access.can_manage_stations(current_user),
        "can_book": access.can_list_residents(current_user),
    }


# --- list, create, edit ------------------------------------------------------------------


@bp.get("/")
@allow(access.LIST_RESIDENTS)
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = setup.list_stations(current_user, page, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render(
        "stations/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        today=clock.today_local(),
        **context(),
    )


@bp.get("/new")
@allow(access.MANAGE_STATIONS)
def new():
    setup.require_manager(current_user)
    blank = {"name": "", "kind": "office", "address": "", "unit": current_user.unit.code, "active": True}
    return _edit_page(None, blank, [])


@bp.post("/new")
@allow(access.MANAGE_STATIONS)
def create():
    return _save(None)


@bp.get("/<int:station_id>/edit")
@allow(access.MANAGE_STATIONS)
def edit(station_id: int):
    station = setup.get_station(current_user, station_id, manage=True)
    values = {
        "name": station.name,
        "kind": station.kind,
        "address": station.address or "",
        "unit": station.unit.code,
        "active": station.active,
    }
    rows = [
        {
            "weekday": str(s.weekday),
            "starts": f"{s.starts:%H:%M}",
            "ends": f"{s.ends:%H:%M}",
            "slot_minutes": str(s.slot_minutes),
            "capacity": str(s.capacity),
        }
        for s in sorted(station.shifts, key=lambda s: (s.weekday, s.starts))
    ]
    return _edit_page(station, values, rows)


@bp.post("/<int:station_id>/edit")
@allow(access.MANAGE_STATIONS)
def update(station_id: int):
    setup.get_station(current_user, station_id, manage=True)
    return _save(station_id)


def _save(station_id: int | None):
    values, rows = _station_form()
    try:
        with uow.command():
            station = setup.save_station(current_user, station_id, {**values, "shifts": rows})
    except Invalid as exc:
        current = setup.get_station(current_user, station_id, manage=True) if station_id else None
        return _edit_page(current, values, rows, field_errors(exc), status=invalid_status())
    flash(_("Đã lưu điểm tiếp nhận %(name)s.", name=station.name), "success")
    return see_other(url_for("stations.day", station_id=station.id))


def _station_form() -> tuple[dict, list[dict]]:
    """The posted station and its shift rows; rows left blank (no start, no end) are dropped."""
    form = request.form
    values = {
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "address": form.get("address", ""),
        "unit": form.get("unit", "").strip(),
        "active": form.get("active") == "1",
    }
    found: dict[int, dict] = {}
    for key, value in form.items():
        match = SHIFT_KEY.fullmatch(key)
        if match:
            found.setdefault(int(match[1]), {})[match[2]] = value.strip()
    rows = [found[i] for i in sorted(found) if found[i].get("starts") or found[i].get("ends")]
    return values, rows


def _edit_page(station, values: dict, rows: list[dict], errors=None, status: int = 200):
    blank = {"weekday": "0", "starts": "", "ends": "", "slot_minutes": "30", "capacity": "10"}
    return render(
        "stations/edit.html",
        block="station_form",
        status=status,
        station=station,
        values=values,
        rows=[*rows, *([blank] * BLANK_ROWS)],
        errors=errors or {},
        **context(),
    )


# --- the day at a station ----------------------------------------------------------------


@bp.get("/<int:station_id>")
@allow(access.LIST_RESIDENTS)
def day(station_id: int):
    fmt = request.args.get("format")
    if fmt:  # everyone booked that day, a line a person, to print or share
        when = day_arg()
        rows = station_day.attendees(current_user, station_id, when)
        return send_table(f"lich-hen-{station_id}-{when:%Y%m%d}", fmt, _attendee_columns(), rows)
    view = _day_view(station_id, day_arg())
    return _day_page(view)


def _slot_time(appointment) -> str:
    return appointment.slot.starts.strftime("%H:%M") if appointment.slot else _("Trực tiếp")


def _attendee_columns() -> list:
    return [
        (_("Giờ"), lambda r: _slot_time(r.appointment)),
        (_("Mã"), lambda r: households.pretty_code(r.appointment.code)),
        (_("Công dân"), lambda r: r.resident.full_name),
        (_("Số định danh"), lambda r: r.resident.personal_id),
        (_("Ngày sinh"), lambda r: r.resident.birth_date),
        (_("Điện thoại"), lambda r: r.resident.eid_phone or ""),
        (_("Trạng thái"), lambda r: message(appointments.STATUSES[r.status])),
        (_("Hồ sơ"), lambda r: r.case_code or ""),
    ]


def _day_view(station_id: int, when: date):
    page = max(request.args.get("page", 1, type=int), 1)
    with uow.command():  # the slots of today and later are generated on first sight
        slots.prepare_day(current_user, station_id, when)
    return station_day.day_view(current_user, station_id, when, page)


def _day_page(view, block=None, status=200, **extra):
    return render("stations/day.html", block=block, status=status, **_day_context(view, **extra))


@bp.post("/<int:station_id>/holidays/<day>")
@allow(access.MANAGE_STATIONS)
def holiday(station_id: int, day: str):
    """The lead opens the station on a public holiday, or closes it again."""
    when = parse_iso_date(day)
    opening = request.form.get("open") == "1"
    with uow.command():
        if opening:
            holidays.open_holiday(current_user, station_id, when)
        else:
            holidays.close_holiday(current_user, station_id, when)
    flash(_("Đã mở cửa ngày lễ.") if opening else _("Đã đóng cửa lại ngày lễ."), "success")
    return see_other(url_for("stations.day", station_id=station_id, date=day))


@bp.post("/<int:station_id>/checkin")
@allow(access.LIST_RESIDENTS)
def check_in(station_id: int):
    setup.get_station(current_user, station_id)
    code = request.form.get("code", "")
    choice = request.form.get("reason", "")
    state = {"code": code, "errors": [], "result": None, "reason": choice}
    try:
        with uow.command():
            state["result"] = checkin.check_in(current_user, station_id, code, choice=choice)
    except (Invalid, Conflict) as exc:
        state["errors"] = [message(p) for ps in exc.fields.values() for p in ps] or [message(exc.message)]
        return _after_admission(station_id, exc.status, checkin=state)
    state["code"] = ""  # ready for the next scan (the chosen reason stays for the next person)
    return _after_admission(station_id, 200, checkin=state)


@bp.post("/<int:station_id>/walk-in")
@allow(access.LIST_RESIDENTS)
def walk_in(station_id: int):
    setup.get_station(current_user, station_id)
    text = request.form.get("people", "")
    now = request.form.get("now") == "1"
    choice = request.form.get("reason", "")
    state = {"people": text, "now": now, "errors": {}, "reason": choice}
    try:
        with uow.command():
            result = checkin.walk_in(current_user, station_id, _personal_ids(text), now, choice=choice)
    except (Invalid, Conflict) as exc:
        state["errors"] = field_errors(exc) or {"people": [message(exc.message)]}
        return _after_admission(station_id, exc.status, walkin=state)
    done = {"people": "", "now": True, "errors": {}, "created": None if now else result.appointment}
    return _after_admission(
        station_id, 200, checkin={"code": "", "errors": [], "result": result if now else None}, walkin=done
    )


def _after_admission(station_id: int, status: int, **state):
    """The station's day after a check-in or walk-in. htmx: the check-in box, the walk-in form,
    the counts and the appointments, swapped in place. A plain post: the page with the errors,
    or after a success the outcome as flash messages and a redirect to the day."""
    if is_htmx():
        view = _day_view(station_id, clock.today_local())
        # Each block's root carries hx-swap-oob: the forms post with hx-swap="none".
        blocks = ["checkin", "walkin_form", "summary", "appointments"]
        body = render_blocks("stations/day.html", blocks, **_day_context(view, oob=True, **state))
        response = make_response(body, 200)
        response.headers["Vary"] = "HX-Request"
        return response
    if status != 200:
        return _day_page(_day_view(station_id, clock.today_local()), status=status, **state)
    result = state.get("checkin", {}).get("result")
    created = state.get("walkin", {}).get("created")
    if result is not None:
        _flash_outcome(result)
    elif created is not None:
        flash(
            _("Đã ghi khách đến trực tiếp, mã %(code)s.", code=households.pretty_code(created.code)),
            "success",
        )
    return see_other(url_for("stations.day", station_id=station_id))


def _flash_outcome(result) -> None:
    code = households.pretty_code(result.appointment.code)
    flash(_("Đã tiếp nhận lịch hẹn %(code)s.", code=code), "success")
    for resident, case in result.started:
        flash(f"{resident.full_name} ({resident.personal_id}): {case.code}", "success")
    for resident, problem in result.failed:
        flash(f"{resident.full_name} ({resident.personal_id}): {message(problem)}", "error")


def _day_context(view, **extra) -> dict:
    extra.setdefault("checkin", {"code": "", "errors": [], "result": None})
    extra.setdefault("walkin", {"people": "", "now": True, "errors": {}})
    return {
        "v": view,
        "station": view.station,
        "prev_day": view.day - timedelta(days=1),
        "next_day": view.day + timedelta(days=1),
        "one_day": timedelta(days=1),
        "case_reasons": case_reasons,
        "today": clock.today_local(),
        **extra,
        **context(),
    }


def _personal_ids(text: str) -> list[str]:
    """Personal IDs typed or scanned one a line, or separated by commas or spaces."""
    return [p for p in re.split(r"[\s,;]+", text or "") if p][: households.MAX_PEOPLE + 1]


@bp.post("/<int:station_id>/no-shows")
@allow(access.LIST_RESIDENTS)
def no_shows(station_id: int):
    setup.get_station(current_user, station_id)
    when = day_arg(request.form.get("date"))
    with uow.command():
        marked = checkin.mark_no_shows(current_user, station_id, when)
    flash(_("Đã đánh dấu %(n)s lịch hẹn vắng mặt.", n=marked), "success")
    return see_other(url_for("stations.day", station_id=station_id, date=when.isoformat()))
