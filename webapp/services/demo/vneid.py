"""Demo VNeID level 2 requests of chip-card holders (the 2023 drive): some waiting at each step,
some activated, one refused, so the desk's list, the inbox and the progress line have something
to show."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from ...models import Case, Resident, User, db
from ..cases import case_view
from ..residents import registry, rows
from ..uow import command
from ..vneid import requests

# How far each demo request goes: the step it waits at, or how it ended.
PLAN = ("identity_check", "identity_check", "phone", "activation", "activated", "activated", "refused")


def seed(rng: random.Random, wards: int = 3) -> int:
    made = 0
    for ward in range(1, wards + 1):
        officer = db.session.scalar(select(User).where(User.username == f"congan{ward}"))
        with command():
            holders = _card_holders(officer, len(PLAN), rng)
        for resident, goal in zip(holders, rng.sample(PLAN, len(PLAN)), strict=False):
            with command():
                if not registry.visible(officer, resident):
                    continue
                request = requests.start(officer, resident.personal_id)
                _advance(officer, request.id, goal, rng)
            made += 1
    return made


def _card_holders(officer: User, n: int, rng: random.Random) -> list[Resident]:
    """Residents of the officer's commune who got their chip card in the 2021 campaign (adults
    with no case in this system): the demo marks a few so, as the 2023 drive found them."""
    cases = select(Case.resident_id)
    people = db.session.scalars(
        select(Resident)
        .where(
            Resident.permanent_unit_id == officer.unit.id,
            Resident.status == "alive",
            Resident.eid_state.is_(None),
            Resident.birth_date <= date(2004, 1, 1),
            Resident.id.not_in(cases),
        )
        .order_by(Resident.id)
        .limit(n)
    ).all()
    for person in people:
        # Through the registry's rules, as an import of the 2021 cards would: a chip card
        # carries its issue date (the exchange ages are counted from it).
        issued = date(2021, 3, 1) + timedelta(days=rng.randrange(270))
        registry.upsert(
            None,
            person.personal_id,
            _record(person) | {"card_state": "chip", "card_issued_on": issued.isoformat()},
        )
    return people


def _record(person: Resident) -> dict:
    """The resident's registry record (registry.upsert replaces it whole): the API's resident
    as it reads, without what the registry does not take."""
    return {k: v for k, v in case_view.resident_dict(person).items() if k in rows.FIELDS}


def _advance(officer: User, request_id: int, goal: str, rng: random.Random) -> None:
    if goal == "identity_check":
        return
    if goal == "refused":
        requests.complete(officer, request_id, "identity_check", {"result": "mismatch", "reason": _MISMATCH})
        return
    method = rng.choice(requests.METHODS)
    requests.complete(officer, request_id, "identity_check", {"result": "match", "method": method})
    if goal == "phone":
        return
    phone = "09" + "".join(rng.choice("0123456789") for _ in range(8))
    requests.complete(officer, request_id, "phone", {"phone": phone, "own_subscription": True})
    if goal == "activated":
        requests.complete(officer, request_id, "activation", {"result": "activated"})


_MISMATCH = "Ảnh trên thẻ không khớp khuôn mặt; hẹn công dân cấp đổi thẻ trước."
