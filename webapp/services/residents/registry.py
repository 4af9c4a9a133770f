"""The population registry mirror: create or update a resident, with full ID validation."""

from sqlalchemy import select

from ...models import CooperationRequest, Resident, Unit, UnitCrosswalk, User, db
from ...models.cooperation import OPEN
from .. import access, clock
from ..errors import Forbidden, Invalid, Msg, NotFound
from ..scope import subtree
from . import personal_id, rows

# The rules live in rows.py (shared with the file import); these names stay importable here.
PRECISIONS, SEXES, STATUSES, CARD_STATES = (
    rows.PRECISIONS,
    rows.SEXES,
    rows.STATUSES,
    rows.CARD_STATES,
)


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
    db.session.flush()
    return resident, created


def _validate(pid, data) -> tuple[dict, dict]:
    return rows.check(pid, data, unit_id, clock.today_local())


def unit_id(code: str) -> int | None:
    """The unit a code names: today's code, else an older code the crosswalk maps to today's unit."""
    found = db.session.scalar(select(Unit.id).where(Unit.code == code))
    if found is None:
        found = db.session.scalar(select(UnitCrosswalk.unit_id).where(UnitCrosswalk.old_code == code))
    return found


def visible(user, resident: Resident) -> bool:
    """A resident is visible to users whose subtree holds their permanent or temporary unit,
    and to a unit another unit asked for help with them, while that request is open."""
    units = (resident.permanent_unit, resident.temporary_unit)
    if not user.active:
        return False
    if any(u is not None and access.in_scope(user, u.path) for u in units):
        return True
    return asked_to_help(user, resident.id)


def asked_to_help(user, resident_id: int) -> bool:
    """The scope rule of cooperation (services/cooperation/): an open request about this
    resident to a unit in the user's subtree. Closed, declined or cancelled requests give no
    sight of the resident."""
    found = db.session.scalar(
        select(CooperationRequest.id)
        .where(
            CooperationRequest.resident_id == resident_id,
            CooperationRequest.status == OPEN,
            subtree(CooperationRequest.to_unit_path, user.unit.path),
        )
        .limit(1)
    )
    return found is not None


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
