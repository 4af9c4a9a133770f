"""Stuck cases: where work piles up, computed in SQL over the task projection and the case table
(never the workflow state), so the first page stays fast at a million cases.

A row is stuck for one or more reasons:
- `overdue`: a ready task past its legal time limit (case_tasks.due_at, working days from
  bpmn/step_time_limits.dmn, Vietnamese holidays excluded);
- `target`: a ready task at its step longer than the step's target (StepTarget.target_days
  working days since it became ready), a supervisor's goal, usually tighter than the law's;
- `idle`: a ready task with no action (claim, release, assignment...) for more than its step's
  idle threshold (StepTarget.idle_days working days) since it became ready;
- `error`: the case stopped on a failing script or expression (status `error`);
- `production`: the case waits for the card production centre past the production limit (the
  boundary timer is due or has fired and escalated).

Working days become cutoff timestamps in Python (services/supervision/cutoffs.py), so the SQL compares
an indexed column with a constant; the SQL itself is in services/supervision/stuck_query.py.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, text

from ...models import Unit, User, db
from .. import access, clock, workflow_store
from ..errors import Invalid, Msg, NotFound
from ..paging import PER_PAGE, QueryFilters, choice, number, trimmed
from ..scope import subtree
from . import stuck_query, stuck_rows
from .cutoffs import idle_cutoff, idle_cutoffs, late_cutoff, target_cutoffs  # noqa: F401 (part of this API)
from .stuck_query import DEPARTMENTS, ORDER, PRODUCTION_STEP, REASONS, StuckQuery

SORTS = ("overdue", "oldest", "unit")
MAX_DEPTH = 10_000  # rows a page may reach: each part reads this far in its index
MAX_DAYS = 365  # working days late: about a year and a half; more says nothing new
NO_UNIT = Msg("Không có đơn vị này trong phạm vi của bạn.", "No such unit in your scope.")
Row = stuck_rows.Row


@dataclass(frozen=True)
class Filters(QueryFilters):
    unit: str | None = None  # a unit code in the user's subtree (default: the user's own unit)
    step: str | None = None
    department: str | None = None
    reason: str | None = None
    min_days: int = 0  # at least this many working days late
    sort: str = "overdue"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(
            unit=trimmed(args.get("unit"), 20) or None,
            step=choice(args.get("step"), known_steps()),
            department=choice(args.get("department"), DEPARTMENTS),
            reason=choice(args.get("reason"), REASONS),
            min_days=number(args.get("min_days"), 0, MAX_DAYS),
            sort=choice(args.get("sort"), SORTS, "overdue"),
            page=number(args.get("page"), 1, MAX_DEPTH // PER_PAGE),
        )


def known_steps() -> list[str]:
    """User steps of the current diagram, then the production wait."""
    return [*workflow_store.engine().current.steps, PRODUCTION_STEP]


@dataclass
class Page:
    rows: list[Row]
    total: int
    filters: Filters
    unit: Unit
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)  # per reason, capped like total
    per_page: int = PER_PAGE

    @property
    def capped(self) -> bool:
        return self.total > stuck_query.COUNT_CAP

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, stuck_query.COUNT_CAP) // self.per_page))


def scope_unit(user: User, code: str | None) -> Unit:
    """The unit the list covers: the user's own, or one below it (else NotFound)."""
    if not code:
        return user.unit
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or not access.in_scope(user, unit.path):
        raise NotFound(NO_UNIT)
    return unit


def unit_choices(user: User, unit: Unit) -> list[Unit]:
    """Units for the filter: the user's own and those below it, down to the children of the unit
    shown (a province's communes; a commune's own)."""
    query = select(Unit).where(subtree(Unit.path, user.unit.path))
    query = query.where(
        (Unit.id == user.unit.id) | (Unit.parent_id.in_([user.unit.id, unit.id, unit.parent_id or 0]))
    )
    return list(db.session.scalars(query.order_by(Unit.path)))


def _query(user: User, filters: Filters) -> tuple[StuckQuery, Unit]:
    now = clock.now()
    unit = scope_unit(user, filters.unit)
    if db.session.get_bind().dialect.name == "postgresql":
        # These statements take milliseconds, but the planner's cost for the per-task event probe
        # is high enough to switch on JIT compilation, which alone takes seconds. This transaction
        # only.
        db.session.execute(text("SET LOCAL jit = off"))
    leaf = not db.session.scalar(select(exists().where(Unit.parent_id == unit.id)))
    cutoffs, targets = idle_cutoffs(now), target_cutoffs(now)
    return StuckQuery(unit.path, filters, now, cutoffs, stuck_query.task_steps(), leaf, targets), unit


def page(user: User, filters: Filters, per_page: int | None = None) -> Page:
    """The stuck rows of the user's subtree (or of a unit in it) for one page, with capped counts
    per reason. The caller checks access.can_supervise_cases first. Pages reach MAX_DEPTH rows
    deep: past that, narrow the filters or take the file."""
    per_page = per_page or PER_PAGE
    if filters.page * per_page > MAX_DEPTH:
        raise Invalid(
            {
                "page": [
                    Msg(
                        f"Chỉ xem được {MAX_DEPTH} dòng đầu; hãy lọc thêm.",
                        f"Only the first {MAX_DEPTH} rows; filter more.",
                    )
                ]
            }
        )
    q, unit = _query(user, filters)
    total, counts = stuck_query.counts(q)
    refs = []
    if total:
        union = q.union(filters.page * per_page)
        ordered = select(union.c.kind, union.c.ref).order_by(*ORDER[filters.sort](union))
        refs = db.session.execute(ordered.limit(per_page).offset((filters.page - 1) * per_page)).all()
    return Page(
        stuck_rows.load(refs, q.now, q.cutoffs, q.targets), total, filters, unit, q.now, counts, per_page
    )


def all_rows(user: User, filters: Filters, batch: int = 500) -> Iterator[Row]:
    """Every stuck row in the list's order, for a file: streamed from the database in batches."""
    q, _unit = _query(user, filters)
    union = q.union()
    if union is None:
        return
    ordered = select(union.c.kind, union.c.ref).order_by(*ORDER[filters.sort](union))
    result = db.session.execute(ordered.execution_options(yield_per=batch))
    for chunk in result.partitions():
        yield from stuck_rows.load(list(chunk), q.now, q.cutoffs, q.targets)
