"""Stations (fixed offices and mobile teams) and their weekly shifts: who may see, book at and
manage them, and saving a station. The bookable slots the shifts give are in slots.py. Each
command flushes; the caller commits."""

import logging
import re
from datetime import time

from sqlalchemy import delete, exists, func, select

from ...models import Appointment, Slot, Station, StationShift, Unit, User, db
from .. import access, clock
from ..errors import Forbidden, Invalid, Msg, NotFound
from ..scope import subtree

log = logging.getLogger(__name__)

KINDS = {
    "office": Msg("Trụ sở Công an", "Police office"),
    "school": Msg("Trường học", "School"),
    "hospital": Msg("Bệnh viện", "Hospital"),
    "factory": Msg("Doanh nghiệp, nhà máy", "Factory"),
    "home_visit": Msg("Đến tận nhà", "Home visits"),
}
WEEKDAYS = [
    Msg("Thứ Hai", "Monday"),
    Msg("Thứ Ba", "Tuesday"),
    Msg("Thứ Tư", "Wednesday"),
    Msg("Thứ Năm", "Thursday"),
    Msg("Thứ Sáu", "Friday"),
    Msg("Thứ Bảy", "Saturday"),
    Msg("Chủ Nhật", "Sunday"),
]
SLOT_MINUTES = (5, 240)
CAPACITY = (1, 500)
MAX_SHIFTS = 50
HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
DAY, WEEK = 24 * 60, 7 * 24 * 60  # minutes
SHIFT_FIELDS = ("weekday", "starts", "ends", "slot_minutes", "capacity")

NOT_FOUND_STATION = Msg("Không tìm thấy điểm tiếp nhận.", "Station not found.")
MAY_NOT_MANAGE = Msg(
    "Chỉ lãnh đạo Công an xã và quản trị được sửa điểm tiếp nhận.",
    "Only police leads and administrators may edit stations.",
)
MAY_NOT_BOOK = Msg(
    "Vai trò của bạn không đặt lịch hay tiếp nhận công dân.",
    "Your role may not book appointments or check people in.",
)
REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")


# --- access ------------------------------------------------------------------------------


def require_booker(user: User) -> None:
    if not access.can_list_residents(user):
        raise Forbidden(MAY_NOT_BOOK)


def require_manager(user: User) -> None:
    if not access.can_manage_stations(user):
        raise Forbidden(MAY_NOT_MANAGE)


def get_station(user: User, station_id, manage: bool = False) -> Station:
    """A station in the user's unit subtree (else NotFound), for a role that may book there,
    or with `manage` edit it (else Forbidden)."""
    station = db.session.get(Station, station_id) if isinstance(station_id, int) else None
    if station is None or not access.in_scope(user, station.unit.path) or not user.active:
        raise NotFound(NOT_FOUND_STATION)
    if manage and not access.can_manage_stations(user):
        raise Forbidden(MAY_NOT_MANAGE)
    if not manage and not (access.can_list_residents(user) or access.can_manage_stations(user)):
        raise Forbidden(MAY_NOT_BOOK)
    return station


def list_stations(user: User, page: int = 1, per_page: int = 50) -> tuple[list[Station], int]:
    if not (access.can_list_residents(user) or access.can_manage_stations(user)):
        raise Forbidden(MAY_NOT_BOOK)
    where = subtree(Unit.path, user.unit.path)
    total = db.session.scalar(select(func.count()).select_from(Station).join(Unit).where(where))
    rows = db.session.scalars(
        select(Station)
        .join(Unit)
        .where(where)
        .order_by(Station.active.desc(), Unit.code, Station.name, Station.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total or 0


# --- create and edit ---------------------------------------------------------------------


def save_station(actor: User, station_id: int | None, data: dict) -> Station:
    """Create (station_id None) or edit a station and replace its weekly shifts.

    `data`: name, kind, address, unit (code), active, shifts: a list of {weekday, starts, ends,
    slot_minutes, capacity}. Nothing is written unless every field is valid; errors are keyed
    by field, a shift's fields as "shift-<index>-<field>"."""
    require_manager(actor)
    station = get_station(actor, station_id, manage=True) if station_id is not None else None
    clean, errors = _validate(actor, data)
    if errors:
        raise Invalid(errors)
    if station is None:
        station = Station(created_at=clock.now())
        db.session.add(station)
    station.name, station.kind, station.address = clean["name"], clean["kind"], clean["address"]
    station.unit_id, station.active = clean["unit"].id, clean["active"]
    station.shifts = [StationShift(**shift) for shift in clean["shifts"]]
    db.session.flush()
    _drop_unused_slots(station)
    log.info("station %s (%s) saved by %s", station.id, station.name, actor.username)
    return station


def _validate(actor: User, data) -> tuple[dict, dict[str, list[Msg]]]:
    errors: dict[str, list[Msg]] = {}
    clean: dict = {}

    def bad(name: str, vi: str, en: str) -> None:
        errors.setdefault(name, []).append(Msg(vi, en))

    if not isinstance(data, dict):
        return {}, {"data": [Msg("Dữ liệu phải là một đối tượng.", "Data must be an object.")]}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = [REQUIRED]
    elif len(name.strip()) > 200:
        bad("name", "Tên tối đa 200 ký tự.", "The name has at most 200 characters.")
    else:
        clean["name"] = " ".join(name.split())
    kind = data.get("kind")
    if kind not in KINDS:
        bad(
            "kind",
            f"Loại điểm phải là một trong: {', '.join(KINDS)}.",
            f"Kind must be one of: {', '.join(KINDS)}.",
        )
    clean["kind"] = kind
    address = data.get("address") or ""
    if not isinstance(address, str) or len(address.strip()) > 300:
        bad("address", "Địa chỉ tối đa 300 ký tự.", "The address has at most 300 characters.")
    else:
        clean["address"] = " ".join(address.split()) or None
    code = data.get("unit") or actor.unit.code
    unit = db.session.scalar(select(Unit).where(Unit.code == code)) if isinstance(code, str) else None
    if unit is None or not access.in_scope(actor, unit.path):
        bad(
            "unit",
            "Đơn vị phải là mã một đơn vị thuộc phạm vi của bạn.",
            "The unit must be the code of a unit in your scope.",
        )
    clean["unit"] = unit
    clean["active"] = data.get("active", True) in (True, "1", "on", "true", "y")
    clean["shifts"] = _validate_shifts(data.get("shifts", []), bad)
    return clean, errors


def _validate_shifts(rows, bad) -> list[dict]:
    if not isinstance(rows, list) or len(rows) > MAX_SHIFTS:
        bad("shifts", f"Tối đa {MAX_SHIFTS} ca làm việc.", f"At most {MAX_SHIFTS} shifts.")
        return []
    shifts = []
    for i, row in enumerate(rows):
        key = f"shift-{i}-"
        if not isinstance(row, dict):
            bad(f"{key}weekday", "Ca làm việc không hợp lệ.", "Invalid shift.")
            continue
        weekday = _int(row.get("weekday"))
        if weekday is None or not 0 <= weekday <= 6:
            bad(
                f"{key}weekday",
                "Thứ phải từ 0 (Thứ Hai) đến 6 (Chủ Nhật).",
                "Weekday must be 0 (Monday) to 6 (Sunday).",
            )
        starts, ends = _time(row.get("starts")), _time(row.get("ends"))
        for field, value in (("starts", starts), ("ends", ends)):
            if value is None:
                bad(f"{key}{field}", "Giờ phải dạng HH:MM, ví dụ 07:30.", "Time must be HH:MM, e.g. 07:30.")
        minutes = _int(row.get("slot_minutes"))
        low, high = SLOT_MINUTES
        if minutes is None or not low <= minutes <= high:
            bad(
                f"{key}slot_minutes",
                f"Mỗi lượt từ {low} đến {high} phút.",
                f"A slot lasts {low} to {high} minutes.",
            )
        capacity = _int(row.get("capacity"))
        low, high = CAPACITY
        if capacity is None or not low <= capacity <= high:
            bad(
                f"{key}capacity",
                f"Số người mỗi lượt từ {low} đến {high}.",
                f"Capacity per slot must be {low} to {high}.",
            )
        if starts is None or ends is None:
            continue
        # An end earlier than the start runs past midnight (18:00–02:00), counted on the day
        # the shift starts; an end equal to the start is no shift.
        length = (_minutes(ends) - _minutes(starts)) % DAY
        if length == 0:
            bad(
                f"{key}ends",
                "Giờ kết thúc phải khác giờ bắt đầu (ca qua nửa đêm: ví dụ 18:00–02:00).",
                "The end must differ from the start (a shift past midnight: e.g. 18:00–02:00).",
            )
            continue
        if minutes is not None and SLOT_MINUTES[0] <= minutes and length % minutes:
            bad(
                f"{key}slot_minutes",
                f"Ca dài {length} phút không chia hết cho lượt {minutes} phút.",
                f"A {length}-minute shift does not divide into {minutes}-minute slots.",
            )
            continue
        if weekday is None or not 0 <= weekday <= 6:
            continue
        for other in shifts:
            if _overlap(weekday, starts, length, other):
                span, row = f"{other['starts']:%H:%M}–{other['ends']:%H:%M}", other["row"] + 1
                bad(
                    f"{key}starts",
                    f"Trùng giờ với ca {span} cùng ngày (dòng {row}).",
                    f"Overlaps the shift {span} on the same day (row {row}).",
                )
                break
        else:
            shifts.append(
                {
                    "row": i,
                    "weekday": weekday,
                    "starts": starts,
                    "ends": ends,
                    "slot_minutes": minutes,
                    "capacity": capacity,
                    "length": length,
                }
            )
    return [{k: v for k, v in s.items() if k not in ("row", "length")} for s in shifts]


def _overlap(weekday: int, starts, length: int, other: dict) -> bool:
    """Two shifts overlap in the week (a Sunday-night shift runs into Monday), or two shifts
    starting the same day share a clock time (the hours after midnight of one and the early
    hours of the other: their slots would have the same day and time)."""
    a = weekday * DAY + _minutes(starts)
    b = other["weekday"] * DAY + _minutes(other["starts"])
    for shift in (-WEEK, 0, WEEK):
        if a < b + shift + other["length"] and b + shift < a + length:
            return True
    if weekday != other["weekday"]:
        return False
    x, y = _minutes(starts), _minutes(other["starts"])
    return any(x < y + shift + other["length"] and y + shift < x + length for shift in (-DAY, DAY))


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _time(value) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and HH_MM.fullmatch(value.strip()):
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    return None


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _drop_unused_slots(station: Station) -> None:
    """After the shifts change, forget the generated slots of today and later that nobody ever
    booked, so the next look at those days follows the new shifts. Slots holding appointments
    stay as they are: the people booked there keep their time."""
    used = exists().where(Appointment.slot_id == Slot.id)
    db.session.execute(
        delete(Slot).where(Slot.station_id == station.id, Slot.day >= clock.today_local(), ~used),
        execution_options={"synchronize_session": False},
    )
