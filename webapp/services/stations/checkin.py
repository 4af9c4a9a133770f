"""Check-in at a station: by the booking code (typed, or sent by a barcode/QR scanner as the
slip's QR text followed by Enter), walk-ins without a booking, and the no-shows of past days.

Checking in starts one case per person through the ordinary case service, with the registry
record the case page already shows; a person who cannot start (an open case, not eligible) is
reported beside the others, whose cases start all the same."""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select, update

from vntime import LOCAL_TZ

from ...models import Appointment, AppointmentPerson, Case, Resident, Slot, Station, Unit, User, db
from .. import access, clock
from ..cases import case_reasons, commands
from ..errors import Conflict, Invalid, Msg, ServiceError
from ..scope import subtree
from . import appointments, households, setup

log = logging.getLogger(__name__)

# The case priority a station's kind implies (labels in services/cases/commands.py PRIORITIES).
PRIORITY = {"home_visit": "home_visit", "school": "student"}
BATCH = 500


@dataclass
class CheckIn:
    appointment: Appointment
    started: list[tuple[Resident, Case]] = field(default_factory=list)
    failed: list[tuple[Resident, Msg]] = field(default_factory=list)


def check_in(actor: User, station_id, raw_code, law: str | None = None, choice: str | None = None) -> CheckIn:
    """Check in the appointment with this code at this station, today. `choice`: the kind or
    reason the officer chose for everyone of the appointment (case_reasons.CHOICES); None or ""
    takes each person's default from their record."""
    _check_choice(choice)
    station = setup.get_station(actor, station_id)
    setup.require_booker(actor)
    code = appointments.normalize_code(raw_code)
    if code is None:
        raise Invalid(
            {
                "code": [
                    Msg(
                        "Mã lịch hẹn gồm 8 ký tự chữ và số (không có 0, O, 1, I).",
                        "A booking code has 8 letters and digits (no 0, O, 1 or I).",
                    )
                ]
            }
        )
    appointment = db.session.scalar(select(Appointment).where(Appointment.code == code))
    if appointment is None or not access.in_scope(actor, appointment.station.unit.path):
        shown = households.pretty_code(code)
        raise Invalid(
            {"code": [Msg(f"Không có lịch hẹn mã {shown}.", f"No appointment has the code {shown}.")]}
        )
    if appointment.station_id != station.id:
        where = appointment.station.name
        raise Conflict(
            Msg(f"Lịch hẹn này đăng ký tại {where}.", f"This appointment is booked at {where}."),
        )
    if appointment.status == "checked_in":
        at = appointment.checked_in_at
        raise Conflict(
            Msg(
                f"Lịch hẹn đã được tiếp nhận lúc {_local(at)}.",
                f"This appointment was already checked in at {_local(at)}.",
            )
        )
    appointments.check_open(appointment)
    today = clock.today_local()
    if appointment.day != today:
        raise Conflict(
            Msg(
                f"Lịch hẹn của ngày {appointment.day:%d/%m/%Y}, không phải hôm nay: đổi lịch, "
                "hoặc tiếp nhận như khách đến trực tiếp sau khi hủy lịch.",
                f"The appointment is for {appointment.day:%d/%m/%Y}, not today: reschedule it, or "
                "cancel it and take the people as a walk-in.",
            )
        )
    return _admit(actor, appointment, station, law, choice)


def walk_in(
    actor: User,
    station_id,
    personal_ids,
    check_in_now: bool = True,
    law: str | None = None,
    choice: str | None = None,
) -> CheckIn:
    """People who come without a booking: an appointment without a slot for today (no place is
    taken), checked in at once unless told otherwise. `choice` as for check_in."""
    _check_choice(choice)
    station = setup.get_station(actor, station_id)
    setup.require_booker(actor)
    if not station.active:
        raise Invalid(
            {"station": [Msg("Điểm tiếp nhận đang tạm ngừng.", "The station is not taking people in.")]}
        )
    # Whoever shows their ID at the desk may apply here, wherever they are registered: the
    # case belongs to this station's unit, their home unit's coverage counts them as applied.
    people = households.resolve(actor, personal_ids, presented=True)
    households.lock(people)
    appointment = appointments.new_appointment(actor, station, clock.today_local(), people)
    log.info("walk-in %s at station %s by %s", appointment.code, station.id, actor.username)
    if not check_in_now:
        return CheckIn(appointment)
    return _admit(actor, appointment, station, law, choice)


def _check_choice(choice: str | None) -> None:
    if choice not in (None, "", case_reasons.AUTO, *case_reasons.CHOICES):
        raise Invalid(
            {
                "reason": [
                    Msg(
                        f"Loại hồ sơ / lý do phải là một trong: auto, {', '.join(case_reasons.CHOICES)}.",
                        f"The kind or reason must be one of: auto, {', '.join(case_reasons.CHOICES)}.",
                    )
                ]
            }
        )


def _admit(
    actor: User, appointment: Appointment, station: Station, law: str | None, choice: str | None = None
) -> CheckIn:
    appointments.claim(appointment, status="checked_in", checked_in_at=clock.now())
    result = CheckIn(appointment)
    for person in appointment.people:
        resident = person.resident
        chosen = choice if choice in case_reasons.CHOICES else case_reasons.default_for(resident)
        kind = case_reasons.kind_of(chosen)
        try:
            # A savepoint per person: one who cannot start leaves the others' cases standing.
            with db.session.begin_nested():
                case = commands.start_case(
                    actor,
                    resident.personal_id,
                    kind,
                    PRIORITY.get(station.kind),
                    unit=station.unit,
                    law=law,
                    presented=True,
                    reason=None if chosen == case_reasons.NEW else chosen,
                )
                person.case_id = case.id
                db.session.flush()
        except ServiceError as exc:
            result.failed.append((resident, reason(exc)))
        else:
            result.started.append((resident, case))
    log.info(
        "appointment %s checked in by %s: %d case(s) started, %d not",
        appointment.code,
        actor.username,
        len(result.started),
        len(result.failed),
    )
    return result


def reason(exc: ServiceError) -> Msg:
    """One sentence for a person who could not start: the field problems of an Invalid, else
    the message (e.g. the open case's code)."""
    if isinstance(exc, Invalid) and exc.fields:
        problems = [p for ps in exc.fields.values() for p in ps]
        return Msg(" ".join(p.vi for p in problems), " ".join(p.en for p in problems))
    return exc.message


def _local(at) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y") if at else ""


def mark_no_shows(actor: User | None = None, station_id: int | None = None, day: date | None = None) -> int:
    """Mark appointments of past days still "booked" as no-shows: every station (the nightly
    command, actor None), the stations in an officer's scope, or one station (and one day).
    Their residents go back to "not visited" in the listing. Returns how many were marked."""
    today = clock.today_local()
    # Yesterday's night-shift slots after midnight are this morning's: not missed yet.
    tonight = and_(Appointment.day == today - timedelta(days=1), Slot.after_midnight.is_(True))
    query = (
        select(Appointment.id)
        .outerjoin(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.status == "booked", Appointment.day < today, ~func.coalesce(tonight, False))
    )
    if actor is not None and station_id is not None:
        query = query.where(Appointment.station_id == setup.get_station(actor, station_id).id)
    elif station_id is not None:
        query = query.where(Appointment.station_id == station_id)
    elif actor is not None:
        query = query.join(Station).join(Unit).where(subtree(Unit.path, actor.unit.path))
    if actor is not None:
        setup.require_booker(actor)
    if day is not None:
        query = query.where(Appointment.day == day)
    ids = list(db.session.scalars(query.order_by(Appointment.id)))
    marked = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marked += db.session.execute(
            update(appointments.APPOINTMENTS)
            .where(appointments.APPOINTMENTS.c.id.in_(chunk), appointments.APPOINTMENTS.c.status == "booked")
            .values(status="no_show")
        ).rowcount
        people = db.session.scalars(
            select(AppointmentPerson.resident_id).where(AppointmentPerson.appointment_id.in_(chunk))
        )
        appointments.release_listing(list(people))
    db.session.expire_all()
    if marked:
        log.info("%d appointment(s) marked no-show by %s", marked, actor.username if actor else "system")
    return marked
