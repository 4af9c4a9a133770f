"""The population registry mirror: create or update a resident, with full ID validation."""

from sqlalchemy import select

from ..models import Resident, Unit, User, db
from . import access, clock, personal_id
from .errors import Forbidden, Invalid, Msg, NotFound
from .text import name_key, parse_iso_date

PRECISIONS = ("day", "month", "year")
SEXES = ("male", "female")
STATUSES = ("alive", "deceased")
REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")


def get(pid: str) -> Resident | None:
    return (
        db.session.scalar(select(Resident).where(Resident.personal_id == pid))
        if isinstance(pid, str)
        else None
    )


def upsert(actor: User | None, pid: str, data: dict) -> tuple[Resident, bool]:
    """Create or update by personal ID; returns (resident, created). Nothing is written unless
    every field is valid. `actor` None is the system (imports, demo data)."""
    if actor is not None and not access.can_edit_residents(actor):
        raise Forbidden(
            Msg("Vai trò của bạn không sửa được dữ liệu dân cư.", "Your role may not edit residents.")
        )
    clean, errors = _validate(pid, data)
    if errors:
        raise Invalid(errors)
    resident = get(pid)
    created = resident is None
    if created:
        resident = Resident(personal_id=pid)
        db.session.add(resident)
    for key, value in clean.items():
        setattr(resident, key, value)
    resident.name_key = name_key(resident.full_name)
    db.session.flush()
    return resident, created


def _validate(pid, data) -> tuple[dict, dict]:
    errors: dict[str, list[Msg]] = {}
    clean: dict = {}

    def bad(field, vi, en):
        errors.setdefault(field, []).append(Msg(vi, en))

    if not isinstance(data, dict):
        return {}, {"data": [Msg("Dữ liệu phải là một đối tượng JSON.", "Data must be a JSON object.")]}
    name = data.get("full_name")
    if not isinstance(name, str) or not name.strip():
        errors["full_name"] = [REQUIRED]
    elif len(name) > 200:
        bad("full_name", "Tối đa 200 ký tự.", "At most 200 characters.")
    else:
        clean["full_name"] = " ".join(name.split())
    precision = data.get("birth_date_precision", "day")
    if precision not in PRECISIONS:
        bad("birth_date_precision", "Phải là day, month hoặc year.", "Must be day, month or year.")
    birth = parse_iso_date(data.get("birth_date"))
    if birth is None:
        bad("birth_date", "Ngày sinh không hợp lệ (YYYY-MM-DD).", "Invalid birth date (YYYY-MM-DD).")
    elif birth > clock.today_local():
        bad("birth_date", "Ngày sinh không được ở tương lai.", "The birth date cannot be in the future.")
    elif birth.year < 1900:
        bad("birth_date", "Năm sinh phải từ 1900.", "The birth year must be 1900 or later.")
    else:
        clean["birth_date"] = birth
        if precision in PRECISIONS:
            clean["birth_date_precision"] = precision
    sex = data.get("sex")
    if sex not in SEXES:
        bad("sex", "Giới tính phải là male hoặc female.", "Sex must be male or female.")
    else:
        clean["sex"] = sex
    for problem in personal_id.problems(pid, birth.year if birth else None, sex if sex in SEXES else None):
        errors.setdefault("personal_id", []).append(Msg(problem.message_vi, problem.message_en))
    # PUT semantics: the record is replaced, so an optional field left out or empty is cleared.
    old = data.get("old_id_number")
    clean["old_id_number"] = None
    if old not in (None, ""):
        if not (isinstance(old, str) and old.isascii() and old.isdigit() and len(old) in (9, 12)):
            bad("old_id_number", "Số CMND cũ gồm 9 hoặc 12 chữ số.", "The old ID number has 9 or 12 digits.")
        else:
            clean["old_id_number"] = old
    for field, limit in (("ethnicity", 50), ("household_id", 30)):
        value = data.get(field)
        clean[field] = None
        if value not in (None, ""):
            if not isinstance(value, str) or len(value) > limit:
                bad(field, f"Chuỗi tối đa {limit} ký tự.", f"Text of at most {limit} characters.")
            else:
                clean[field] = value.strip()
    for field, required in (("permanent_unit", True), ("temporary_unit", False)):
        code = data.get(field)
        if code in (None, ""):
            if required:
                errors[field] = [REQUIRED]
            else:
                clean[f"{field}_id"] = None
            continue
        unit = db.session.scalar(select(Unit).where(Unit.code == code)) if isinstance(code, str) else None
        if unit is None:
            bad(field, "Không có đơn vị với mã này.", "No unit has this code.")
        else:
            clean[f"{field}_id"] = unit.id
    status = data.get("status", "alive")
    if status not in STATUSES:
        bad("status", "Phải là alive hoặc deceased.", "Must be alive or deceased.")
    else:
        clean["status"] = status
    return clean, errors


def visible(user, resident: Resident) -> bool:
    """A resident is visible to users whose subtree holds their permanent or temporary unit."""
    units = (resident.permanent_unit, resident.temporary_unit)
    return user.active and any(u is not None and access.in_scope(user, u.path) for u in units)


OUT_OF_REACH = Msg(
    "Đơn vị thường trú hoặc tạm trú phải thuộc phạm vi của bạn.",
    "The permanent or temporary unit must be in your scope.",
)


def upsert_in_scope(actor: User, pid, data: dict) -> tuple[Resident, bool]:
    """upsert() for an officer: a role that may not edit residents is Forbidden; an existing
    resident outside the officer's scope is NotFound (its existence is not revealed); the record
    written must stay in their scope (Invalid otherwise; the caller's rollback undoes it)."""
    if not access.can_edit_residents(actor):
        raise Forbidden(
            Msg("Vai trò của bạn không sửa được dữ liệu dân cư.", "Your role may not edit residents.")
        )
    well_formed = isinstance(pid, str) and not personal_id.problems(pid)
    existing = get(pid) if well_formed else None
    if existing is not None and not visible(actor, existing):
        raise NotFound(Msg("Không có công dân này.", "No such resident."))
    resident, created = upsert(actor, pid, data)
    db.session.expire(resident, ["permanent_unit", "temporary_unit"])  # loaded before the new ids
    if not visible(actor, resident):
        raise Invalid({"permanent_unit": [OUT_OF_REACH]})
    return resident, created
