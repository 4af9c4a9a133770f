"""A household's address (hamlet, street, house number: free text within its commune) and phone,
kept by the police of the household's unit."""

import re
from dataclasses import dataclass

from sqlalchemy import select

from ...models import Household, Resident, User, db
from .. import access, clock
from ..errors import Forbidden, Invalid, Msg, NotFound

PHONE = re.compile(r"(0|\+84)[0-9]{9,10}")
LIMITS = {"hamlet": 100, "street": 150, "house_number": 30}
MAY_NOT = Msg("Vai trò của bạn không sửa được thông tin hộ.", "Your role may not edit households.")
NO_HOUSEHOLD = Msg("Không tìm thấy hộ này trong phạm vi của bạn.", "No such household in your scope.")


@dataclass
class Address:
    hamlet: str = ""
    street: str = ""
    house_number: str = ""
    phone: str = ""


def members(user: User, household_id: str) -> list[Resident]:
    """The household's residents the user sees (by their permanent unit); NotFound if none."""
    if not isinstance(household_id, str) or not household_id.strip():
        raise NotFound(NO_HOUSEHOLD)
    found = [
        r
        for r in db.session.scalars(
            select(Resident)
            .where(Resident.household_id == household_id.strip())
            .order_by(Resident.birth_date)
        )
        if access.in_scope(user, r.permanent_unit.path)
    ]
    if not found:
        raise NotFound(NO_HOUSEHOLD)
    return found


def get(household_id: str) -> Household | None:
    return db.session.scalar(select(Household).where(Household.household_id == household_id))


def save(actor: User, household_id: str, data: Address) -> Household:
    """Create or update a household's address and phone; every bad field is named."""
    if not access.can_list_residents(actor):
        raise Forbidden(MAY_NOT)
    people = members(actor, household_id)
    errors: dict[str, list[Msg]] = {}
    clean = {}
    for name, limit in LIMITS.items():
        value = " ".join(str(getattr(data, name) or "").split())
        if len(value) > limit:
            errors[name] = [Msg(f"Tối đa {limit} ký tự.", f"At most {limit} characters.")]
        clean[name] = value or None
    phone = "".join(str(data.phone or "").split()).replace(".", "").replace("-", "")
    if phone and not PHONE.fullmatch(phone):
        errors["phone"] = [
            Msg(
                "Số điện thoại bắt đầu bằng 0 hoặc +84, theo sau 9–10 chữ số.",
                "A phone number starts with 0 or +84 followed by 9 to 10 digits.",
            )
        ]
    if errors:
        raise Invalid(errors)
    household = get(household_id.strip())
    if household is None:
        household = Household(household_id=household_id.strip(), unit_id=people[0].permanent_unit_id)
        db.session.add(household)
    for name, value in clean.items():
        setattr(household, name, value)
    household.phone = phone or None
    household.updated_at, household.updated_by_id = clock.now(), actor.id
    db.session.flush()
    return household


def by_ids(household_ids: set[str]) -> dict[str, Household]:
    ids = {h for h in household_ids if h}
    if not ids:
        return {}
    return {
        h.household_id: h
        for h in db.session.scalars(select(Household).where(Household.household_id.in_(ids)))
    }
