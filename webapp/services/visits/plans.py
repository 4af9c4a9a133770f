"""Home-visit plans: pick the residents who need a visit, assign a team and a day, print the
route list by hamlet, record each visit's result.

"Application taken" starts the resident's case in the plan's unit with priority `home_visit`
(the intake was done at home, audited with the plan's number); "deceased" needs the reference
of the death record and marks the listing (and the record) deceased; "refused" needs a note;
"not at home" leaves the resident to plan again."""

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from ...models import Resident, Unit, User, VisitPlan, VisitStop, db
from .. import access, clock
from ..cases import commands, engine
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound
from ..residents import listing
from ..scope import subtree
from . import households

log = logging.getLogger(__name__)

RESULTS = ("taken", "not_home", "refused", "deceased")
MAX_STOPS = 100
TEAM_MAX = 120
NOTE_MAX = 300
REFERENCE_MAX = 60
NOT_FOUND = Msg("Không tìm thấy kế hoạch đến nhà.", "Home-visit plan not found.")
MAY_NOT = Msg("Vai trò của bạn không lập kế hoạch đến nhà.", "Your role may not plan home visits.")
NO_HAMLET = "—"


def _require(user: User) -> None:
    if not access.can_list_residents(user):
        raise Forbidden(MAY_NOT)


def candidates(user: User, unit_code: str | None) -> tuple[Unit, list[Resident]]:
    """The unit's residents marked "needs a home visit" in the listing and not in a plan still to
    come, by household."""
    unit = listing.listing_unit(user, unit_code)
    planned = (
        select(VisitStop.resident_id)
        .join(VisitPlan, VisitPlan.id == VisitStop.plan_id)
        .where(VisitStop.result == "planned", VisitPlan.day >= clock.today_local())
    )
    found = db.session.scalars(
        select(Resident)
        .join(Unit, Unit.id == Resident.permanent_unit_id)
        .where(
            subtree(Unit.path, unit.path),
            Resident.listing_status == "home_visit",
            Resident.status == "alive",
            Resident.id.not_in(planned),
        )
        .order_by(Resident.household_id, Resident.birth_date)
        .limit(500)
    )
    return unit, list(found)


def create(actor: User, unit_code: str | None, resident_ids, team, day) -> VisitPlan:
    """A plan for a team on a day (today or later) with the chosen residents of the unit."""
    _require(actor)
    unit = listing.listing_unit(actor, unit_code)
    errors: dict[str, list[Msg]] = {}
    team = " ".join(team.split()) if isinstance(team, str) else ""
    if not team:
        errors["team"] = [Msg("Hãy ghi tổ công tác.", "Name the team.")]
    elif len(team) > TEAM_MAX:
        errors["team"] = [Msg(f"Tối đa {TEAM_MAX} ký tự.", f"At most {TEAM_MAX} characters.")]
    if not isinstance(day, date):
        errors["day"] = [Msg("Ngày phải dạng dd/mm/yyyy.", "The date must be dd/mm/yyyy.")]
    elif day < clock.today_local():
        errors["day"] = [Msg("Ngày đến nhà không được ở quá khứ.", "The visit day cannot be in the past.")]
    ids = [i for i in (resident_ids or []) if isinstance(i, int)]
    people = []
    if not ids:
        errors["residents"] = [Msg("Chọn ít nhất một công dân.", "Choose at least one resident.")]
    elif len(ids) > MAX_STOPS:
        errors["residents"] = [Msg(f"Tối đa {MAX_STOPS} người.", f"At most {MAX_STOPS} people.")]
    else:
        people = list(db.session.scalars(select(Resident).where(Resident.id.in_(ids))))
        if len(people) != len(set(ids)) or not all(
            access.in_scope(actor, p.permanent_unit.path) for p in people
        ):
            errors["residents"] = [
                Msg("Có công dân không thuộc đơn vị này.", "Some residents are not of this unit.")
            ]
    if errors:
        raise Invalid(errors)
    plan = VisitPlan(unit_id=unit.id, unit_path=unit.path, team=team, day=day, created_by_id=actor.id)
    plan.stops = [VisitStop(resident_id=p.id, result="planned") for p in people]
    db.session.add(plan)
    db.session.flush()
    log.info("visit plan %s: %d stop(s) on %s by %s", plan.id, len(people), day, actor.username)
    return plan


def get(user: User, plan_id) -> VisitPlan:
    _require(user)
    plan = db.session.get(VisitPlan, plan_id) if isinstance(plan_id, int) and 0 < plan_id < 2**31 else None
    if plan is None or not access.in_scope(user, plan.unit_path):
        raise NotFound(NOT_FOUND)
    return plan


@dataclass
class Stop:
    stop: VisitStop
    household: object  # models.Household or None


@dataclass
class Route:
    plan: VisitPlan
    hamlets: list[tuple[str, list[Stop]]]
    done: int


def route(user: User, plan_id) -> Route:
    """The plan's stops by hamlet, then street and house number, then household: the order a team
    walks; residents whose household has no address come last."""
    plan = get(user, plan_id)
    found = households.by_ids({s.resident.household_id for s in plan.stops})
    stops = [Stop(s, found.get(s.resident.household_id)) for s in plan.stops]

    def key(s: Stop):
        h = s.household
        return (
            h is None or not h.hamlet,
            (h.hamlet or "") if h else "",
            (h.street or "") if h else "",
            (h.house_number or "") if h else "",
            s.stop.resident.household_id or "",
            s.stop.resident.birth_date,
        )

    hamlets: dict[str, list[Stop]] = {}
    for s in sorted(stops, key=key):
        name = s.household.hamlet if s.household is not None and s.household.hamlet else NO_HAMLET
        hamlets.setdefault(name, []).append(s)
    done = sum(1 for s in plan.stops if s.result != "planned")
    return Route(plan, list(hamlets.items()), done)


def record(actor: User, plan_id, stop_id, result, note="", reference="") -> VisitStop:
    """Record one visit's result; a result already recorded is a conflict (nothing changes)."""
    plan = get(actor, plan_id)
    stop = next((s for s in plan.stops if s.id == stop_id), None)
    if stop is None:
        raise NotFound(NOT_FOUND)
    if stop.result != "planned":
        raise Conflict(Msg("Lần đến nhà này đã có kết quả.", "This visit already has a result."))
    errors: dict[str, list[Msg]] = {}
    note = " ".join(note.split()) if isinstance(note, str) else ""
    reference = " ".join(reference.split()) if isinstance(reference, str) else ""
    if result not in RESULTS:
        errors["result"] = [Msg("Hãy chọn kết quả.", "Choose the result.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [Msg(f"Tối đa {NOTE_MAX} ký tự.", f"At most {NOTE_MAX} characters.")]
    elif result == "refused" and not note:
        errors["note"] = [Msg("Hãy ghi lý do từ chối.", "Give the reason for the refusal.")]
    if len(reference) > REFERENCE_MAX:
        errors["reference"] = [Msg(f"Tối đa {REFERENCE_MAX} ký tự.", f"At most {REFERENCE_MAX} characters.")]
    elif result == "deceased" and not reference:
        errors["reference"] = [
            Msg(
                "Hãy ghi số trích lục khai tử hoặc giấy báo tử.",
                "Give the number of the death record or notice.",
            )
        ]
    if errors:
        raise Invalid(errors)
    resident = stop.resident
    if result == "taken":
        kind = "new" if resident.card_state == "none" else "exchange"
        law = current_app.config.get("IDENTITY_LAW", "2023")
        case = commands.start_case(
            actor, resident.personal_id, kind, "home_visit", unit=plan.unit, law=law, presented=True
        )
        text = f"Tiếp nhận tại nhà (kế hoạch đến nhà số {plan.id}, {plan.team})"
        engine.record(case, actor, "commented", None, {"text": text}, clock.now())
        stop.case_id = case.id
    elif result == "deceased":
        change = listing.Change(status="deceased", note=f"Khai tử: {reference}", confirm=True)
        listing.set_status(actor, resident.id, change)
    stop.result, stop.note, stop.reference = result, note or None, reference or None
    stop.visited_at, stop.visited_by_id = clock.now(), actor.id
    db.session.flush()
    log.info("visit plan %s, resident %s: %s by %s", plan.id, resident.id, result, actor.username)
    return stop


def list_plans(user: User, limit: int = 50) -> list[tuple[VisitPlan, int, int]]:
    """The plans of the user's subtree, latest day first, with (stops, visited) counts."""
    _require(user)
    plans = list(
        db.session.scalars(
            select(VisitPlan)
            .where(subtree(VisitPlan.unit_path, user.unit.path))
            .order_by(VisitPlan.day.desc(), VisitPlan.id.desc())
            .limit(limit)
        )
    )
    if not plans:
        return []
    counts = {
        plan_id: (total, visited or 0)
        for plan_id, total, visited in db.session.execute(
            select(
                VisitStop.plan_id,
                func.count(),
                func.sum(func.cast(VisitStop.result != "planned", db.Integer)),
            )
            .where(VisitStop.plan_id.in_([p.id for p in plans]))
            .group_by(VisitStop.plan_id)
        )
    }
    return [(p, *counts.get(p.id, (0, 0))) for p in plans]
