"""Progress over a unit's subtree: eligible residents, applications and where they stand; and
coverage, applied / eligible per unit and per child unit (the "100% of eligible residents")."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ...models import Unit, User, db
from .. import access, clock
from ..accounts import units
from ..errors import Forbidden, Msg
from ..residents import eligibility
from ..scope import subtree
from ..vneid import requests as vneid
from .progress_figures import breakdown, resident_figures, unit_in_scope


def _per_unit(unit: Unit) -> list[tuple[int, int, int]]:
    """(permanent unit id, eligible, applied) over the subtree (eligibility.counts)."""
    found = eligibility.counts(eligibility.current_rule(), units.subtree_ids(unit))
    return [(unit_id, eligible, applied) for unit_id, (eligible, applied) in found.items()]


def progress(user: User, unit_code: str | None) -> dict:
    """The API's progress figures: case figures from the counts the triggers keep (case_counts)
    and eligible residents from the day's count per unit, as the progress page shows them, so
    the cost grows with the number of units, not of cases or residents."""
    unit = unit_in_scope(user, unit_code)
    total = breakdown(user, unit).total
    quota = unit.quota
    return {
        "unit": unit.code,
        "eligible": total.eligible,
        "applied": total.applied,
        "with_justice": total.with_justice,
        "approved": total.approved,
        "produced": total.produced,
        "issued": total.issued,
        "quota": quota,
        "percent_of_quota": round(100 * total.applied / quota, 1) if quota else None,
        # An addition: VNeID level 2 asked by chip-card holders (no new card), its own line.
        "vneid_level2": vneid.counts(unit.path),
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
    """Applied / eligible for the unit and each child unit, by the residents' permanent unit,
    rolled up to the children here. A commune is counted live (one grouped query over its few
    thousand residents); a unit above communes reads the day's count per unit that the worker
    makes early each day (progress_figures.resident_figures), since counting a province's
    million residents takes seconds."""
    if not access.can_see_coverage(user):
        raise Forbidden(Msg("Vai trò của bạn không xem được độ phủ.", "Your role may not see coverage."))
    unit = unit_in_scope(user, unit_code)
    paths = dict(db.session.execute(select(Unit.id, Unit.path).where(subtree(Unit.path, unit.path))).all())
    kids = list(db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)))
    by_code = {k.code: Figure(k) for k in kids}
    total = Figure(unit)
    counted_on = clock.today_local()
    if kids:
        figures, counted_on = resident_figures(paths, unit)
        per_unit = [(unit_id, eligible, done) for unit_id, (eligible, _eid, done) in figures.items()]
    else:
        per_unit = _per_unit(unit)
    for unit_id, eligible, done in per_unit:
        total.eligible += eligible
        total.applied += done
        rest = paths.get(unit_id, unit.path)[len(unit.path) :]
        child = by_code.get(rest.split("/", 1)[0])
        if child is not None:
            child.eligible += eligible
            child.applied += done
    return Coverage(total, list(by_code.values()), _trail(user, unit), counted_on)


def _trail(user: User, unit: Unit) -> list[Unit]:
    """The units from the viewer's own unit down to `unit`, for the breadcrumb."""
    codes = [c for c in unit.path.strip("/").split("/") if c]
    found = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return [found[c] for c in codes if c in found and access.in_scope(user, found[c].path)]
