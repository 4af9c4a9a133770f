"""Progress over a unit's subtree: eligible residents, applications and where they stand; and
coverage, applied / eligible per unit and per child unit (the "100% of eligible residents")."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..models import Case, Unit, User, db
from . import access, clock, eligibility, units
from .errors import Forbidden, Msg, NotFound
from .scope import subtree

JUSTICE_STEPS = ("triage_correction", "await_citizen_documents", "record_correction")
APPROVED_STEPS = ("await_card_production", "receive_card", "hand_over_card")
PRODUCED_STEPS = ("receive_card", "hand_over_card")
NO_UNIT = Msg("Không có đơn vị này trong phạm vi của bạn.", "No such unit in your scope.")


def unit_in_scope(user: User, unit_code: str | None) -> Unit:
    unit = user.unit if not unit_code else db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None or not access.in_scope(user, unit.path):
        raise NotFound(NO_UNIT)
    return unit


def _per_unit(unit: Unit) -> list[tuple[int, int, int]]:
    """(permanent unit id, eligible, applied) over the subtree (eligibility.counts)."""
    found = eligibility.counts(eligibility.current_rule(), units.subtree_ids(unit))
    return [(unit_id, eligible, applied) for unit_id, (eligible, applied) in found.items()]


def progress(user: User, unit_code: str | None) -> dict:
    unit = unit_in_scope(user, unit_code)
    in_unit = subtree(Case.unit_path, unit.path)

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(Case).where(in_unit, *conditions))

    def at(steps) -> list:
        return [Case.current_steps.contains(s) for s in steps]

    issued = count(Case.status == "issued")
    applied = count(Case.status.in_(("open", "error", "issued")))
    produced = count(Case.status == "open", db.or_(*at(PRODUCED_STEPS))) + issued
    approved = count(Case.status == "open", db.or_(*at(APPROVED_STEPS))) + issued
    eligible = sum(n for _unit, n, _applied in _per_unit(unit))
    quota = unit.quota
    return {
        "unit": unit.code,
        "eligible": eligible,
        "applied": applied,
        "with_justice": count(Case.status == "open", db.or_(*at(JUSTICE_STEPS))),
        "approved": approved,
        "produced": produced,
        "issued": issued,
        "quota": quota,
        "percent_of_quota": round(100 * applied / quota, 1) if quota else None,
    }


@dataclass
class Figure:
    unit: Unit
    eligible: int = 0
    applied: int = 0

    @property
    def ratio(self) -> float | None:
        return self.applied / self.eligible if self.eligible else None


@dataclass
class Coverage:
    """A unit's figure, its children's, and the way down from the viewer's own unit."""

    total: Figure
    children: list[Figure] = field(default_factory=list)
    trail: list[Unit] = field(default_factory=list)
    today: object = None


def coverage(user: User, unit_code: str | None) -> Coverage:
    """Applied / eligible for the unit and each child unit, by the residents' permanent unit:
    one grouped query over the subtree, rolled up to the children here."""
    if not access.can_see_coverage(user):
        raise Forbidden(Msg("Vai trò của bạn không xem được độ phủ.", "Your role may not see coverage."))
    unit = unit_in_scope(user, unit_code)
    paths = dict(db.session.execute(select(Unit.id, Unit.path).where(subtree(Unit.path, unit.path))).all())
    kids = list(db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)))
    by_code = {k.code: Figure(k) for k in kids}
    total = Figure(unit)
    for unit_id, eligible, done in _per_unit(unit):
        total.eligible += eligible
        total.applied += done
        rest = paths.get(unit_id, unit.path)[len(unit.path) :]
        child = by_code.get(rest.split("/", 1)[0])
        if child is not None:
            child.eligible += eligible
            child.applied += done
    return Coverage(total, list(by_code.values()), _trail(user, unit), clock.today_local())


def _trail(user: User, unit: Unit) -> list[Unit]:
    """The units from the viewer's own unit down to `unit`, for the breadcrumb."""
    codes = [c for c in unit.path.strip("/").split("/") if c]
    found = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return [found[c] for c in codes if c in found and access.in_scope(user, found[c].path)]
