"""Progress figures: per unit and per child unit, how many residents must apply, how many
applied, where the applications stand, against the unit's quota.

Cases come from their counts per unit, status and current steps (case_counts, kept by
triggers); residents from the day's counts per unit (daily counts); both are rolled up to the
child units here by unit path, so the cost grows with the number of units, not of cases."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import delete, exists, func, insert, select

from ...models import Case, Resident, StageCount, Unit, User, db
from ...models.progress import CaseCount
from .. import access, clock
from ..accounts import units
from ..errors import Forbidden, Msg, NotFound
from ..residents import eligibility
from ..scope import subtree
from . import stage_counts

APPLIED_STATUSES = ("open", "error", "issued")
JUSTICE_STEPS = frozenset(("triage_correction", "await_citizen_documents", "record_correction"))
APPROVED_STEPS = frozenset(("await_card_production", "receive_card", "hand_over_card"))
PRODUCED_STEPS = frozenset(("receive_card", "hand_over_card"))
NO_UNIT = Msg("Không có đơn vị này trong phạm vi của bạn.", "No such unit in your scope.")
NOT_ALLOWED = Msg("Vai trò của bạn không xem được tiến độ.", "Your role may not see the progress figures.")


@dataclass(frozen=True)
class Ratio:
    """A share shown with its parts: 315.913 / 498.794 = 63,3%."""

    num: int
    den: int | None

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None


@dataclass
class Figures:
    """One unit's figures over its subtree."""

    unit: Unit
    eligible: int = 0
    applied: int = 0
    with_justice: int = 0  # at a justice office step now
    approved: int = 0  # approved and not withdrawn: waiting for the card, or further
    produced: int = 0
    issued: int = 0
    eid_activated: int = 0  # level-2 electronic identities activated (residents)
    errors: int = 0  # cases stopped by a workflow error
    # VNeID level 2 asked by chip-card holders (vneid.counts: no card, so none of the above),
    # by the unit that took the request; progress.page() and report() fill it in.
    vneid: dict[str, int] = field(default_factory=dict)

    @property
    def quota(self) -> int | None:
        return self.unit.quota

    @property
    def of_quota(self) -> Ratio:
        return Ratio(self.applied, self.quota)

    @property
    def of_eligible(self) -> Ratio:
        return Ratio(self.applied, self.eligible)

    def of_applied(self, name: str) -> Ratio:
        return Ratio(getattr(self, name), self.applied)

    def add(self, values: list[int]) -> None:
        """Add a vector of figures in FIGURES order."""
        for name, value in zip(FIGURES, values, strict=True):
            if value:
                setattr(self, name, getattr(self, name) + value)


FIGURES = ("eligible", "applied", "with_justice", "approved", "produced", "issued", "eid_activated", "errors")


@dataclass
class Breakdown:
    """A unit's figures, its children's, the way down from the viewer's unit, and the open
    cases per step (for the backlog and the diagram)."""

    total: Figures
    children: list[Figures] = field(default_factory=list)
    trail: list[Unit] = field(default_factory=list)
    at_step: Counter = field(default_factory=Counter)
    residents_on: date | None = None  # the day the resident figures were counted


def check_reader(user: User) -> None:
    if not access.can_see_progress(user):
        raise Forbidden(NOT_ALLOWED)


def unit_in_scope(user: User, unit_code: str | None) -> Unit:
    """The unit asked for (the user's own by default); outside the user's subtree: not found."""
    unit = user.unit if not unit_code else units.by_code(unit_code)
    if unit is None or not access.in_scope(user, unit.path):
        raise NotFound(NO_UNIT)
    return unit


def children_of(unit: Unit) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)))


def trail(user: User, unit: Unit) -> list[Unit]:
    """The units from the viewer's own unit down to `unit`, for the breadcrumb."""
    codes = [c for c in unit.path.strip("/").split("/") if c]
    found = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return [found[c] for c in codes if c in found and access.in_scope(user, found[c].path)]


def subtree_paths(unit: Unit) -> dict[int, str]:
    """Unit id -> path for the unit and every unit below it."""
    return dict(db.session.execute(select(Unit.id, Unit.path).where(subtree(Unit.path, unit.path))).all())


def breakdown(user: User, unit: Unit, recount: bool = False) -> Breakdown:
    """The unit's figures and each child's: the case counts (kept by triggers) and the day's
    resident figures, summed per unit as plain vectors, then rolled up to the children by unit
    path."""
    kids = children_of(unit)
    by_code = {k.code: Figures(k) for k in kids}
    paths = subtree_paths(unit)
    per_unit: dict[int, list[int]] = {}
    at_step: Counter = Counter()

    def vector(unit_id: int) -> list[int]:
        found = per_unit.get(unit_id)
        if found is None:
            found = per_unit[unit_id] = [0] * len(FIGURES)
        return found

    for unit_id, status, steps, n in _case_groups(unit):
        values, standing = _classify(status, steps)
        target = vector(unit_id)
        for i, value in values:
            target[i] += value * n
        for step in standing:
            at_step[step] += n
    residents, counted_on = resident_figures(paths, unit, recount)
    for unit_id, (eligible, activated, _applied) in residents.items():
        target = vector(unit_id)
        target[ELIGIBLE_AT] += eligible
        target[EID_AT] += activated
    total = Figures(unit)
    for unit_id, values in per_unit.items():
        total.add(values)
        child = by_code.get(paths.get(unit_id, unit.path)[len(unit.path) :].split("/", 1)[0])
        if child is not None:
            child.add(values)
    return Breakdown(total, list(by_code.values()), trail(user, unit), at_step, counted_on)


def _case_groups(unit: Unit):
    """(unit id, status, current steps, count) of the subtree's applications, from the counts
    the triggers on `cases` keep (models/progress.py): a few rows per unit, not a row per case."""
    return db.session.execute(
        select(CaseCount.unit_id, CaseCount.status, CaseCount.steps, CaseCount.count)
        .join(Unit, Unit.id == CaseCount.unit_id)
        .where(CaseCount.status.in_(APPLIED_STATUSES), CaseCount.count > 0, subtree(Unit.path, unit.path))
    ).all()


ELIGIBLE_AT, EID_AT = FIGURES.index("eligible"), FIGURES.index("eid_activated")


@lru_cache(maxsize=1024)
def _classify(status: str, current_steps: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """Which figures one case with this status and these current steps counts in (as (index
    in FIGURES, 1) pairs), and the steps it stands at. A handful of combinations: cached."""
    names = ["applied"]
    steps = frozenset(s for s in current_steps.split(",") if s)
    if status == "issued":
        names += ["approved", "produced", "issued"]
        steps = frozenset()
    else:
        if status == "error":
            names.append("errors")
        if steps & JUSTICE_STEPS:
            names.append("with_justice")
        if steps & APPROVED_STEPS:
            names.append("approved")
        if steps & PRODUCED_STEPS:
            names.append("produced")
    return tuple((FIGURES.index(name), 1) for name in names), tuple(sorted(steps))


# -- the day's resident figures -----------------------------------------------------------------
# Who must apply and whose eID is active need the resident registry: a scan of a province's
# million residents (seconds; minutes for Hà Nội). They change slowly, so they are counted once
# a day per unit and kept in the daily counts beside the throughput, a row per unit and figure:
# by `flask stats rebuild-daily` early in the morning, with "recount", or inline when a commune
# (small) or a unit never counted is viewed. A larger unit counted on an earlier day shows
# that day's figures and says so, rather than make a web request wait minutes.
ELIGIBLE, EID, APPLIED = "eligible", "eid_total", "applied_res"  # applied: residents, by residence
SNAPSHOT = (ELIGIBLE, EID, APPLIED)
# The unit's own row of this stage marks a whole count of its subtree that day; the newest stage,
# so that counts made before it existed are taken as missing and made again.
COUNTED = APPLIED


def resident_figures(
    paths: dict[int, str], unit: Unit, recount: bool = False, own_transaction: bool = True
) -> tuple[dict[int, tuple[int, int, int]], date]:
    """Per unit id of the subtree (`paths`): (eligible, eID activated, residents who applied),
    and the day they were counted. A row for `unit` itself on a day means its whole subtree was
    counted that day: rows are written a subtree at a time."""
    today = clock.today_local()
    # Today's row is one primary-key probe; the last earlier day is looked for only without it.
    last = db.session.scalar(
        select(StageCount.day).where(
            StageCount.day == today, StageCount.unit_id == unit.id, StageCount.stage == COUNTED
        )
    ) or db.session.scalar(
        select(func.max(StageCount.day)).where(
            StageCount.unit_id == unit.id, StageCount.stage == COUNTED, StageCount.day < today
        )
    )
    small = len(paths) == 1
    if not recount and last is not None and (last == today or not small):
        rows = db.session.execute(
            select(StageCount.unit_id, StageCount.stage, StageCount.count)
            .join(Unit, Unit.id == StageCount.unit_id)
            .where(StageCount.day == last, StageCount.stage.in_(SNAPSHOT), subtree(Unit.path, unit.path))
        )
        found: dict[int, list[int]] = {}
        for unit_id, stage, n in rows:
            found.setdefault(unit_id, [0, 0, 0])[SNAPSHOT.index(stage)] = n
        return {unit_id: tuple(values) for unit_id, values in found.items()}, last
    figures = count_residents(list(paths))
    rows = {key: n for unit_id in paths for key, n in _snapshot_rows(today, unit_id, figures).items()}
    if not own_transaction:
        stage_counts.add(rows, replace=True)
        return figures, today
    # Stored in a transaction of its own: the count is kept even though the page that made it
    # writes nothing else (and so commits nothing), and the page's objects stay loaded.
    with db.engine.begin() as connection:
        stage_counts.add(rows, replace=True, connection=connection)
    return figures, today


def _snapshot_rows(day, unit_id: int, figures: dict) -> dict:
    values = figures.get(unit_id, (0, 0, 0))
    return {(day, unit_id, stage): n for stage, n in zip(SNAPSHOT, values, strict=True)}


def count_residents(unit_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per permanent unit id: (eligible, eID activated, applied). Eligible and applied are the
    coverage figures (eligibility.counts): the living residents the decision table says must
    apply plus those who applied, and those who applied."""
    if not unit_ids:
        return {}
    counts: dict[int, list[int]] = {
        unit_id: [eligible, 0, applied]
        for unit_id, (eligible, applied) in eligibility.counts(eligibility.current_rule(), unit_ids).items()
    }
    activated = (
        select(Resident.permanent_unit_id, func.count())
        .where(Resident.permanent_unit_id.in_(unit_ids), Resident.eid_state == "activated")
        .group_by(Resident.permanent_unit_id)
    )
    for unit_id, n in db.session.execute(activated):
        counts.setdefault(unit_id, [0, 0, 0])[1] = n
    return {unit_id: tuple(values) for unit_id, values in counts.items()}


def rebuild_case_counts() -> int:
    """Recount case_counts from the cases table (after a repair, or to check the triggers).
    Returns the number of cases counted."""
    db.session.execute(delete(CaseCount))
    db.session.execute(
        insert(CaseCount).from_select(
            ["unit_id", "status", "steps", "count"],
            select(Case.unit_id, Case.status, Case.current_steps, func.count()).group_by(
                Case.unit_id, Case.status, Case.current_steps
            ),
        )
    )
    return db.session.scalar(select(func.coalesce(func.sum(CaseCount.count), 0)))


def recount_residents() -> int:
    """Count today's resident figures again for every unit tree, in the caller's transaction.
    Returns the units counted."""
    roots = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
    done = 0
    for root in roots:
        paths = subtree_paths(root)
        resident_figures(paths, root, recount=True, own_transaction=False)
        done += len(paths)
    return done


def counted_today() -> bool:
    """Today's resident figures are there for every unit tree (the worker's daily recount)."""
    today = clock.today_local()
    missing = select(Unit.id).where(
        Unit.parent_id.is_(None),
        ~exists().where(StageCount.day == today, StageCount.unit_id == Unit.id, StageCount.stage == COUNTED),
    )
    return not db.session.scalar(select(exists(missing)))
