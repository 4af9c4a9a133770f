"""The SQL of the stuck-cases list: one UNION ALL of small parts, each with its own ORDER BY and
LIMIT so that it is planned alone and reads its index in order (PostgreSQL cannot push the outer
ORDER BY into UNION ALL parts that have WHERE clauses); the page is the first rows of the union.

Indexes (migration 0011_stuck): ix_case_tasks_step_due (step, due_at, case_id) for a province
by due date, ix_case_tasks_queue (department, unit_path, due_at) for a commune or by unit, the
case id index for the oldest first; partial indexes on cases for the production wait and errors.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import String, and_, cast, func, literal_column, or_, select, union_all

from vntime import add_working_days

from ...models import Case, CaseEvent, CaseTask, ProcessSpec, db
from .. import workflow_store
from ..scope import subtree
from . import stuck_rows
from .cutoffs import late_cutoff

REASONS = ("overdue", "target", "idle", "error", "production")
DEPARTMENTS = ("police", "justice", "approval", "production")
PRODUCTION_STEP = "await_card_production"
COUNT_CAP = 1000  # counts stop here: "1000+" is enough to say where work piles up


@dataclass
class StuckQuery:
    path: str
    f: object  # stuck.Filters
    now: datetime
    cutoffs: dict[str, datetime]
    steps: list[str]  # steps that have ready tasks
    leaf: bool  # the unit has no units below it (a commune)
    targets: dict[str, datetime] = field(default_factory=dict)  # per step: ready before this = past target
    limits: dict[str, int | None] = field(default_factory=dict)  # longest_limit per step, once a request

    def in_scope(self, column):
        """The unit-subtree filter. Over a province on SQLite, written so that no index serves it:
        it covers most rows anyway, and as an index range it would lead SQLite's planner away
        from the indexes that give the list's order."""
        if not self.leaf and db.session.get_bind().dialect.name == "sqlite":
            return func.substr(column, 1, len(self.path)) == self.path
        return subtree(column, self.path)

    def wants(self, reason: str) -> bool:
        return self.f.reason in (None, reason)

    def task_select(self, *where):
        late = self.f.min_days and late_cutoff(self.now, self.f.min_days)
        query = select(
            literal_column(str(stuck_rows.TASK)).label("kind"),
            CaseTask.id.label("ref"),
            CaseTask.case_id.label("case_id"),
            CaseTask.unit_path.label("unit_path"),
            CaseTask.due_at.label("since"),
        ).where(self.in_scope(CaseTask.unit_path), *where)
        if self.f.step:
            query = query.where(CaseTask.step == self.f.step)
        if self.f.department:
            query = query.where(CaseTask.department == self.f.department)
        if late:
            query = query.where(CaseTask.due_at < late)
        return query

    def idle(self, step: str):
        """Ready before the cutoff, and no action on the task since: its last event, found by an
        index probe per task (a task moved back keeps its id, so older events are ignored by the
        ready_at test). Written as a comparison, not NOT EXISTS: PostgreSQL then estimates it
        sensibly and reads the step's index in order instead of probing every task of the step."""
        cutoff = self.cutoffs[step]
        last = select(func.max(CaseEvent.at)).where(CaseEvent.task_id == CaseTask.id).scalar_subquery()
        return and_(
            CaseTask.step == step, CaseTask.ready_at < cutoff, func.coalesce(last, CaseTask.ready_at) < cutoff
        )

    def stuck_task(self, steps: list[str]):
        """The condition for tasks at these steps, with a due_at bound the index can use: due_at
        grows with ready_at for a step, so a task ready before the idle cutoff is due by then."""
        parts, bounds = [], [self.now]
        if self.wants("overdue"):
            parts.append(CaseTask.due_at < self.now)
        for reason, cutoffs in (("idle", self.cutoffs), ("target", self.targets)):
            if not self.wants(reason):
                continue
            for step in steps:
                if step not in cutoffs:
                    continue
                if reason == "idle":
                    parts.append(self.idle(step))
                else:  # at the step longer than its target, whatever was done meanwhile
                    parts.append(and_(CaseTask.step == step, CaseTask.ready_at < cutoffs[step]))
                if step not in self.limits:  # the same dict in every replace()d copy of the query
                    self.limits[step] = longest_limit(step)
                limit = self.limits[step]
                bounds.append(add_working_days(cutoffs[step], limit) if limit is not None else None)
        if not parts:
            return None
        condition = or_(*parts)
        if None not in bounds:
            condition = and_(CaseTask.due_at <= max(bounds), condition)
        return condition

    def steps_of_department(self) -> list[str]:
        """Steps with ready tasks, without those the department filter rules out (a step of an
        older diagram whose lane is unknown stays)."""
        if not self.f.department:
            return self.steps
        lanes = {s.id: s.lane for s in workflow_store.engine().current.steps.values()}
        return [s for s in self.steps if lanes.get(s, self.f.department) == self.f.department]

    def tasks(self) -> list:
        """The task parts, laid out for the index that reads them in the list's order: one per
        step on ix_case_tasks_step_due over a province, one per department on ix_case_tasks_queue
        for a commune (its few rows are sorted) or by unit, one on the case id for the oldest."""
        task_reasons = ("overdue", "target", "idle")
        if not any(self.wants(r) for r in task_reasons) or self.f.step == PRODUCTION_STEP:
            return []
        if self.f.sort == "overdue" and not self.leaf:
            out = []
            for step in [self.f.step] if self.f.step else self.steps_of_department():
                condition = self.stuck_task([step])
                if condition is not None:
                    out.append(self.task_select(CaseTask.step == step, condition))
            return out
        steps = [self.f.step] if self.f.step else [*self.steps, *self.cutoffs, *self.targets]
        condition = self.stuck_task(list(dict.fromkeys(steps)))
        if condition is None:
            return []
        if self.leaf or self.f.sort == "unit":
            departments = [self.f.department] if self.f.department else DEPARTMENTS
            return [self.task_select(CaseTask.department == d, condition) for d in departments]
        return [self.task_select(condition)]

    def case_select(self, since, *where):
        late = self.f.min_days and late_cutoff(self.now, self.f.min_days)
        query = select(
            literal_column(str(stuck_rows.CASE)).label("kind"),
            cast(Case.id, String(36)).label("ref"),
            Case.id.label("case_id"),
            Case.unit_path.label("unit_path"),
            since.label("since"),
        ).where(self.in_scope(Case.unit_path), *where)
        if late:
            query = query.where(since < late)
        return query

    def cases(self) -> list:
        out = []
        if self.wants("error") and not self.f.department and not self.f.step:
            out.append(self.case_select(Case.updated_at, Case.status == _const("error")))
        production = self.f.step in (None, PRODUCTION_STEP) and self.f.department in (None, "production")
        if self.wants("production") and production:
            # The boundary timer's time while it is pending; once it has fired (next_timer_at is
            # cleared) the case's last change, which is when it fired. Partial expression index
            # ix_cases_production_late (migration 0011).
            since = production_since()
            out.append(
                self.case_select(
                    since,
                    Case.status == _const("open"),
                    Case.current_steps == _const(PRODUCTION_STEP),
                    since <= self.now,
                )
            )
        return out

    def parts(self) -> list:
        return [*self.tasks(), *self.cases()]

    def union(self, limit: int | None = None, ordered: bool = True):
        """Every part, or (with `limit`) the first `limit` rows of each in the list's order: a
        part with its own ORDER BY and LIMIT is planned alone and reads its index in order, and
        the page is the first rows of their union."""
        parts = self.parts()
        if not parts:
            return None
        if limit is not None:
            parts = [self.first(part, limit, ordered) for part in parts]
            if db.session.get_bind().dialect.name != "postgresql":
                # SQLite takes no ORDER BY or LIMIT in a UNION member, only in a subquery.
                parts = [select(part.subquery()) for part in parts]
        return union_all(*parts).subquery("stuck")

    def first(self, part, limit: int, ordered: bool):
        if not ordered:
            return part.limit(limit)
        c = part.selected_columns
        keys = {
            "overdue": (c.since, c.case_id, c.ref),
            "oldest": (c.case_id, c.ref),
            "unit": (_by_path(c.unit_path, "unit_path"), c.since, c.case_id, c.ref),
        }[self.f.sort]
        return part.order_by(*keys).limit(limit)


def longest_limit(step: str) -> int | None:
    """A step's time limit in working days, the longest over every stored diagram version (a
    case keeps the due date of the version it started on), None if any version has none. The
    due_at bound of the idle and target parts must hold for every in-flight task."""
    limits = [
        workflow_store.bundle_for(version).time_limit(step)
        for version in db.session.scalars(select(ProcessSpec.version))
    ] or [workflow_store.engine().current.time_limit(step)]
    return None if None in limits else max(limits)


def _const(value: str):
    """A constant written into the SQL, not bound: the planner (SQLite's in particular) then sees
    that the partial indexes' conditions hold."""
    return literal_column(f"'{value}'")


def production_since():
    return func.coalesce(Case.next_timer_at, Case.updated_at)


def task_steps() -> list[str]:
    """Steps that have ready tasks: a loose index scan of ix_case_tasks_step_due (one probe per
    distinct step), so a step of an older diagram version is not forgotten."""
    steps = select(func.min(CaseTask.step).label("step")).cte("steps", recursive=True)
    following = select(func.min(CaseTask.step)).where(CaseTask.step > steps.c.step).scalar_subquery()
    steps = steps.union_all(select(following).where(steps.c.step.is_not(None)))
    return [s for s in db.session.scalars(select(steps.c.step)) if s is not None]


def _by_path(column, name: str):
    """Unit paths in byte order, the order of the varchar_pattern_ops indexes on PostgreSQL (a
    language collation would not let the planner read them in order; SQLite compares bytes)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return literal_column(f"{name} USING ~<~")
    return column


ORDER = {
    "overdue": lambda u: (u.c.since, u.c.kind, u.c.case_id, u.c.ref),
    "oldest": lambda u: (u.c.case_id, u.c.kind, u.c.ref),
    "unit": lambda u: (_by_path(u.c.unit_path, "stuck.unit_path"), u.c.since, u.c.kind, u.c.case_id, u.c.ref),
}


def _capped(q: "StuckQuery"):
    """How many rows, stopping at COUNT_CAP + 1: the parts run one after the other under one
    LIMIT, so a long first part ends the count early."""
    union = q.union(COUNT_CAP + 1, ordered=False)
    if union is None:
        return literal_column("0")
    limited = select(union.c.ref).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(limited).scalar_subquery()


def counts(q: "StuckQuery") -> tuple[int, dict[str, int]]:
    """The list's total and the rows per reason under the other filters, each capped, in one
    statement."""
    # Counted in the layout of the default sort (by due date), whatever the page's sort: it reads
    # each step's index from its start, so it stops soonest.
    by_due = replace(q, f=replace(q.f, sort="overdue"))
    per_reason = {reason: _capped(replace(by_due, f=replace(by_due.f, reason=reason))) for reason in REASONS}
    total = per_reason[q.f.reason] if q.f.reason else _capped(by_due)
    row = db.session.execute(select(total.label("total"), *(c.label(r) for r, c in per_reason.items()))).one()
    return row.total, {reason: getattr(row, reason) for reason in REASONS}
