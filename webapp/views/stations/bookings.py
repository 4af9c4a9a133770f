"""Bookings at a station: find a household, choose a slot with places left, book; the printable
slip with its QR code; reschedule and cancel (under /stations/, like the stations they book)."""

import logging

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...i18n import message
from ...services import access, clock, uow
from ...services.errors import Conflict, Invalid
from ...services.stations import appointments, households, setup, slots
from ...services.stations import day as station_day
from ...web import allow, field_errors, is_htmx, render, see_other
from .stations import context, day_arg

log = logging.getLogger(__name__)
bp = Blueprint("bookings", __name__, url_prefix="/stations")


@bp.get("/<int:station_id>/book")
@allow(access.LIST_RESIDENTS)
def book_form(station_id: int):
    station = setup.get_station(current_user, station_id)
    # A search answers with the list of people only; the rest of the form stays.
    block = "candidates" if request.args.get("partial") == "people" else None
    return _book_page(station, block=block)


@bp.post("/<int:station_id>/book")
@allow(access.LIST_RESIDENTS)
def book(station_id: int):
    station = setup.get_station(current_user, station_id)
    chosen = request.form.getlist("people")
    slot_id = request.form.get("slot", type=int)
    try:
        with uow.command():
            appointment = appointments.book(current_user, slot_id, chosen)
    except (Invalid, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        errors = field_errors(exc) if exc.fields else {"slot": [message(exc.message)]}
        return _book_page(
            station, block="booking", status=200 if is_htmx() else status, errors=errors, chosen=chosen
        )
    flash(
        _(
            "Đã đặt lịch, mã %(code)s. In phiếu hẹn cho công dân.",
            code=households.pretty_code(appointment.code),
        ),
        "success",
    )
    return see_other(url_for("bookings.slip", code=appointment.code))


def _book_page(station, block=None, status=200, errors=None, chosen=None):
    when = day_arg(request.values.get("date"))
    q = (request.values.get("q") or "").strip()[:30]
    with uow.command():  # the day's slots are generated on first sight
        slots.prepare_day(current_user, station.id, when)
    open_slots = station_day.open_slots(current_user, station.id, when)
    candidates = households.find_people(current_user, q)
    if chosen is None:
        chosen = [c.resident.personal_id for c in candidates if c.problem is None]
    return render(
        "bookings/book.html",
        block=block,
        status=status,
        station=station,
        day=when,
        q=q,
        slots=open_slots,
        slot_choice=request.values.get("slot", type=int),
        holiday=slots.holiday_name(when),
        candidates=candidates,
        chosen=set(chosen),
        errors=errors or {},
        today=clock.today_local(),
        **context(),
    )


@bp.get("/appointments/<code>")
@allow(access.LIST_RESIDENTS)
def slip(code: str):
    found = station_day.slip(current_user, code)
    return render("bookings/slip.html", s=found, a=found.appointment, **context())


@bp.get("/appointments/<code>/reschedule")
@allow(access.LIST_RESIDENTS)
def reschedule_form(code: str):
    appointment = appointments.get_appointment(current_user, code)
    return _reschedule_page(appointment)


@bp.post("/appointments/<code>/reschedule")
@allow(access.LIST_RESIDENTS)
def reschedule(code: str):
    appointment = appointments.get_appointment(current_user, code)
    try:
        with uow.command():
            appointments.reschedule(current_user, code, request.form.get("slot", type=int))
    except (Invalid, Conflict) as exc:
        errors = field_errors(exc) if exc.fields else {"slot": [message(exc.message)]}
        status = 200 if is_htmx() else (409 if isinstance(exc, Conflict) else 422)
        return _reschedule_page(appointment, status=status, errors=errors)
    flash(_("Đã đổi lịch hẹn %(code)s.", code=households.pretty_code(appointment.code)), "success")
    return see_other(url_for("bookings.slip", code=appointment.code))


def _reschedule_page(appointment, status=200, errors=None):
    when = day_arg(request.values.get("date")) if request.values.get("date") else appointment.day
    with uow.command():
        slots.prepare_day(current_user, appointment.station_id, when)
    open_slots = station_day.open_slots(current_user, appointment.station_id, when)
    return render(
        "bookings/reschedule.html",
        block="reschedule_form",
        status=status,
        a=appointment,
        station=appointment.station,
        day=when,
        slots=[s for s in open_slots if s.id != appointment.slot_id],
        holiday=slots.holiday_name(when),
        errors=errors or {},
        today=clock.today_local(),
        **context(),
    )


@bp.post("/appointments/<code>/cancel")
@allow(access.LIST_RESIDENTS)
def cancel(code: str):
    appointment = appointments.get_appointment(current_user, code)
    with uow.command():
        appointments.cancel(current_user, code)
    flash(_("Đã hủy lịch hẹn %(code)s.", code=households.pretty_code(appointment.code)), "success")
    return see_other(
        url_for("stations.day", station_id=appointment.station_id, date=appointment.day.isoformat())
    )
