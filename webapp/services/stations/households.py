"""Which residents may be booked: found by household or personal ID in the officer's scope,
alive, without an open case and without another active booking; locked before the check so
that two officers booking the same person at once cannot both succeed."""

from dataclasses import dataclass

from sqlalchemy import select, update

from ...models import OPEN_STATUSES, Appointment, AppointmentPerson, Case, Resident, User, db
from .. import clock
from ..errors import Invalid, Msg
from ..residents import registry
from . import setup

MAX_PEOPLE = 20  # a household booked together
RESIDENTS = Resident.__table__


def pretty_code(code: str) -> str:
    """ABCD-EFGH: easier to read aloud; the hyphen is ignored when it is typed back."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


@dataclass
class Candidate:
    resident: Resident
    problem: Msg | None = None  # why they cannot be booked now


def find_people(user: User, q: str) -> list[Candidate]:
    """Residents the user can see, by household number, or by personal ID together with the
    rest of that person's household; each with the reason they cannot be booked, if any."""
    setup.require_booker(user)
    q = (q or "").strip()[:30]
    if not q:
        return []
    found: list[Resident] = []
    if q.isascii() and q.isdigit() and len(q) == 12:
        person = registry.get(q)
        if person is not None and registry.visible(user, person):
            found = [person]
            if person.household_id:
                found = _household(person.household_id)
    else:
        found = _household(q)
    found = [r for r in found if registry.visible(user, r)][: MAX_PEOPLE * 2]
    problems = _problems(found)
    return [Candidate(r, problems.get(r.id)) for r in found]


def _household(household_id: str) -> list[Resident]:
    return list(
        db.session.scalars(
            select(Resident)
            .where(Resident.household_id.in_({household_id, household_id.upper()}))
            .order_by(Resident.birth_date, Resident.id)
            .limit(MAX_PEOPLE * 2)
        )
    )


def _problems(people: list[Resident]) -> dict[int, Msg]:
    """resident id -> why they cannot be booked: deceased, an open case, another active booking
    of a day still to come."""
    ids = [r.id for r in people]
    out: dict[int, Msg] = {}
    if not ids:
        return out
    open_cases = db.session.execute(
        select(Case.resident_id, Case.code).where(Case.resident_id.in_(ids), Case.status.in_(OPEN_STATUSES))
    ).all()
    booked = db.session.execute(
        select(AppointmentPerson.resident_id, Appointment.code, Appointment.day)
        .join(Appointment)
        .where(
            AppointmentPerson.resident_id.in_(ids),
            Appointment.status == "booked",
            Appointment.day >= clock.today_local(),
        )
    ).all()
    for rid, code, day in booked:
        out[rid] = Msg(
            f"đã có lịch hẹn {pretty_code(code)} ngày {day:%d/%m/%Y}",
            f"already booked ({pretty_code(code)} on {day:%d/%m/%Y})",
        )
    for rid, code in open_cases:
        out[rid] = Msg(f"đã có hồ sơ đang xử lý {code}", f"already has an open case {code}")
    for r in people:
        if r.status != "alive":
            out[r.id] = Msg("đã chết", "deceased")
    return out


def resolve(user: User, personal_ids, presented: bool = False) -> list[Resident]:
    """The residents named by a list of personal IDs, every one visible to the user; with
    `presented` (walk-ins who show their ID at the desk) anyone in the registry."""
    if (
        not isinstance(personal_ids, list | tuple)
        or not personal_ids
        or not all(isinstance(p, str) for p in personal_ids)
    ):
        raise Invalid({"people": [Msg("Chọn ít nhất một công dân.", "Choose at least one resident.")]})
    pids = list(dict.fromkeys(p.strip() for p in personal_ids))
    if len(pids) > MAX_PEOPLE:
        raise Invalid(
            {
                "people": [
                    Msg(
                        f"Một lịch hẹn tối đa {MAX_PEOPLE} người.",
                        f"At most {MAX_PEOPLE} people per appointment.",
                    )
                ]
            }
        )
    people, unknown = [], []
    for pid in pids:
        person = registry.get(pid)
        if person is None or not (presented or registry.visible(user, person)):
            unknown.append(pid)
        else:
            people.append(person)
    if unknown:
        shown = ", ".join(unknown[:5])
        raise Invalid(
            {
                "people": [
                    Msg(
                        f"Không có công dân với số định danh: {shown}.",
                        f"No resident has the personal ID: {shown}.",
                    )
                ]
            }
        )
    return people


def lock(people: list[Resident]) -> None:
    """Serialise commands on the same residents, then check again that each may be booked.

    PostgreSQL: row locks in id order. SQLite: the first write of the transaction takes the
    database's write lock, so the check below reads what the last writer committed."""
    ids = sorted(r.id for r in people)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(RESIDENTS.c.id).where(RESIDENTS.c.id.in_(ids)).order_by("id").with_for_update()
        )
    else:
        db.session.execute(update(RESIDENTS).where(RESIDENTS.c.id.in_(ids)).values(id=RESIDENTS.c.id))
    problems = _problems(people)
    if problems:
        raise Invalid(
            {
                "people": [
                    Msg(
                        f"{r.full_name} ({r.personal_id}): {p.vi}.",
                        f"{r.full_name} ({r.personal_id}): {p.en}.",
                    )
                    for r in people
                    if (p := problems.get(r.id))
                ]
            }
        )


def mark_booked(people: list[Resident]) -> None:
    now = clock.now()
    for person in people:
        person.listing_status, person.listed_at = "booked", now
