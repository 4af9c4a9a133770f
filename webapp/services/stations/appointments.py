"""Appointments: book a household into a slot, reschedule, cancel; the booking code.

Places are taken and given back only by guarded UPDATEs on the slot row (booked + n <= capacity),
so simultaneous bookings never overbook a slot, on SQLite and PostgreSQL alike. Locks are taken
in one order everywhere (appointment, then residents, then slots by id), so two commands never
wait on each other in a cycle. Each command flushes; the caller commits."""

import logging
import re
import secrets
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...models import Appointment, AppointmentPerson, Resident, Slot, Station, User, db
from .. import access, clock
from ..errors import Conflict, Invalid, Msg, NotFound
from . import households as bookable
from . import setup, slots

log = logging.getLogger(__name__)

# No 0/O, 1/I: a code read aloud or typed from paper has one spelling.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
QR_PREFIX = "CCCD"
STATUSES = {
    "booked": Msg("Đã đặt lịch", "Booked"),
    "checked_in": Msg("Đã đến", "Checked in"),
    "cancelled": Msg("Đã hủy", "Cancelled"),
    "no_show": Msg("Vắng mặt", "No-show"),
}
APPOINTMENTS, SLOTS, RESIDENTS = Appointment.__table__, Slot.__table__, Resident.__table__

NOT_FOUND_APPOINTMENT = Msg("Không tìm thấy lịch hẹn.", "Appointment not found.")
NOT_FOUND_SLOT = Msg("Không tìm thấy khung giờ.", "Slot not found.")
CHANGED = Msg(
    "Lịch hẹn vừa được người khác thay đổi; hãy tải lại trang.",
    "Someone else has just changed this appointment; reload the page.",
)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw) -> str | None:
    """The booking code from what a person typed or a scanner sent (the slip's QR text, or the
    printed code with its space or hyphen, any case); None when it cannot be a code."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text.upper().startswith(QR_PREFIX + "|"):
        parts = text.split("|")
        text = parts[1] if len(parts) > 1 else ""
    text = re.sub(r"[\s\-]", "", text)
    # ASCII only: upper() turns some letters into ASCII ones ("ﬀ" -> "FF").
    return text.upper() if text.isascii() and CODE.fullmatch(text.upper()) else None


# --- loading -----------------------------------------------------------------------------


def get_appointment(user: User, code) -> Appointment:
    """An appointment whose station is in the user's subtree (else NotFound)."""
    clean = normalize_code(code)
    appointment = db.session.scalar(select(Appointment).where(Appointment.code == clean)) if clean else None
    if appointment is None or not access.in_scope(user, appointment.station.unit.path):
        raise NotFound(NOT_FOUND_APPOINTMENT)
    setup.require_booker(user)
    return appointment


def _slot_in_scope(user: User, slot_id) -> Slot:
    slot = db.session.get(Slot, slot_id) if isinstance(slot_id, int) else None
    if slot is None or not access.in_scope(user, slot.station.unit.path):
        raise NotFound(NOT_FOUND_SLOT)
    return slot


def _check_bookable(slot: Slot) -> None:
    if not slot.station.active:
        raise Invalid(
            {"slot": [Msg("Điểm tiếp nhận đang tạm ngừng.", "The station is not taking bookings.")]}
        )
    if slot.day < clock.today_local() or slots.slot_started(slot):
        raise Invalid(
            {
                "slot": [
                    Msg("Khung giờ này đã qua; chọn khung giờ khác.", "This slot has passed; choose another.")
                ]
            }
        )


# --- places ------------------------------------------------------------------------------


def _take(slot_id: int, n: int) -> None:
    """Take n places with one guarded statement; a slot without n places left is a conflict."""
    taken = db.session.execute(
        update(SLOTS)
        .where(SLOTS.c.id == slot_id, SLOTS.c.booked + n <= SLOTS.c.capacity)
        .values(booked=SLOTS.c.booked + n)
    ).rowcount
    if taken == 1:
        return
    row = db.session.execute(
        select(SLOTS.c.starts, SLOTS.c.ends, SLOTS.c.day, SLOTS.c.capacity, SLOTS.c.booked).where(
            SLOTS.c.id == slot_id
        )
    ).one_or_none()
    if row is None:
        raise Conflict(
            Msg("Khung giờ này không còn; hãy chọn lại.", "This slot no longer exists; choose again.")
        )
    left = max(row.capacity - row.booked, 0)
    span = f"{row.starts:%H:%M}–{row.ends:%H:%M} {row.day:%d/%m/%Y}"
    problem = Msg(
        f"Khung giờ {span} chỉ còn {left} chỗ, cần {n} chỗ.",
        f"The slot {span} has only {left} place(s) left; {n} needed.",
    )
    raise Conflict(problem, {"slot": [problem]})


def _release(slot_id: int, n: int) -> None:
    db.session.execute(
        update(SLOTS).where(SLOTS.c.id == slot_id, SLOTS.c.booked >= n).values(booked=SLOTS.c.booked - n)
    )


def _expire_slots(*ids: int | None) -> None:
    for slot_id in ids:
        slot = db.session.get(Slot, slot_id) if slot_id else None
        if slot is not None:
            db.session.expire(slot, ["booked"])


# --- commands ----------------------------------------------------------------------------


def book(actor: User, slot_id, personal_ids) -> Appointment:
    """Book a household (one or more residents) into a slot."""
    setup.require_booker(actor)
    slot = _slot_in_scope(actor, slot_id)
    people = bookable.resolve(actor, personal_ids)
    _check_bookable(slot)
    bookable.lock(people)
    _take(slot.id, len(people))
    appointment = new_appointment(actor, slot.station, slot.day, people, slot=slot)
    _expire_slots(slot.id)
    log.info(
        "appointment %s booked at slot %s for %d by %s",
        appointment.code,
        slot.id,
        len(people),
        actor.username,
    )
    return appointment


def new_appointment(
    actor: User, station: Station, day: date, people: list[Resident], slot: Slot | None = None
) -> Appointment:
    households = [p.household_id for p in people if p.household_id]
    for _attempt in range(5):
        appointment = Appointment(
            code=new_code(),
            station_id=station.id,
            slot_id=slot.id if slot else None,
            day=day,
            household_id=households[0] if households else None,
            status="booked",
            walk_in=slot is None,
            created_by_id=actor.id,
            created_at=clock.now(),
        )
        appointment.people = [AppointmentPerson(resident_id=p.id) for p in people]
        try:
            with db.session.begin_nested():  # a code drawn twice: draw again
                db.session.add(appointment)
                db.session.flush()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(
            Msg("Không tạo được mã lịch hẹn; hãy thử lại.", "Could not draw a booking code; try again.")
        )
    bookable.mark_booked(people)
    db.session.flush()
    return appointment


def claim(appointment: Appointment, **values) -> None:
    """Change a still-booked appointment with a guarded UPDATE: a concurrent cancel, check-in or
    reschedule of the same appointment makes this one a conflict."""
    changed = db.session.execute(
        update(APPOINTMENTS)
        .where(
            APPOINTMENTS.c.id == appointment.id,
            APPOINTMENTS.c.status == "booked",
            APPOINTMENTS.c.slot_id.is_(None)
            if appointment.slot_id is None
            else APPOINTMENTS.c.slot_id == appointment.slot_id,
        )
        .values(**values)
    ).rowcount
    if changed != 1:
        raise Conflict(CHANGED)
    db.session.expire(appointment)


def check_open(appointment: Appointment) -> None:
    if appointment.status != "booked":
        status = STATUSES.get(appointment.status)
        raise Conflict(
            Msg(
                f"Lịch hẹn không còn ở trạng thái đặt lịch ({status.vi.lower()}).",
                f"The appointment is no longer booked ({status.en.lower()}).",
            )
        )
    if appointment.day < clock.today_local():
        raise Conflict(
            Msg(
                "Lịch hẹn của ngày đã qua được tính là vắng mặt.",
                "An appointment of a past day counts as a no-show.",
            )
        )


def reschedule(actor: User, code, slot_id) -> Appointment:
    """Move a booking to another slot (any station in scope): the old places are given back and
    the new ones taken in the same transaction."""
    appointment = get_appointment(actor, code)
    slot = _slot_in_scope(actor, slot_id)
    check_open(appointment)
    if appointment.slot_id is None:
        raise Conflict(
            Msg("Khách đến trực tiếp không có khung giờ để đổi.", "A walk-in has no slot to move.")
        )
    if slot.id == appointment.slot_id:
        raise Invalid({"slot": [Msg("Đây là khung giờ hiện tại.", "This is the current slot.")]})
    _check_bookable(slot)
    old, n = appointment.slot_id, len(appointment.people)
    claim(appointment, slot_id=slot.id, day=slot.day, station_id=slot.station_id)
    # Slots in id order: two reschedules crossing the same two slots cannot deadlock.
    if old < slot.id:
        _release(old, n)
        _take(slot.id, n)
    else:
        _take(slot.id, n)
        _release(old, n)
    _expire_slots(old, slot.id)
    log.info("appointment %s moved to slot %s by %s", appointment.code, slot.id, actor.username)
    return appointment


def cancel(actor: User, code) -> Appointment:
    appointment = get_appointment(actor, code)
    check_open(appointment)
    slot_id, resident_ids = appointment.slot_id, [p.resident_id for p in appointment.people]
    claim(appointment, status="cancelled")
    # Residents before the slot: the lock order every command keeps.
    release_listing(resident_ids)
    if slot_id is not None:
        _release(slot_id, len(resident_ids))
    _expire_slots(slot_id)
    log.info("appointment %s cancelled by %s", appointment.code, actor.username)
    return appointment


def release_listing(resident_ids: list[int]) -> None:
    """Put residents whose listing still says "booked" back to "not visited", unless they hold
    another active booking (a status someone set since then, e.g. "away", stays)."""
    if resident_ids:
        active = (
            select(AppointmentPerson.id)
            .join(Appointment)
            .where(
                AppointmentPerson.resident_id == RESIDENTS.c.id,
                Appointment.status == "booked",
                Appointment.day >= clock.today_local(),
            )
            .exists()
        )
        db.session.execute(
            update(RESIDENTS)
            .where(RESIDENTS.c.id.in_(resident_ids), RESIDENTS.c.listing_status == "booked", ~active)
            .values(listing_status="not_visited")
        )
        for rid in resident_ids:
            resident = db.session.get(Resident, rid)
            if resident is not None:
                db.session.expire(resident, ["listing_status"])
