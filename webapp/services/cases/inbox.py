"""Inbox queries: "my tasks" and "my department's queue" in the officer's unit subtree. They
read the task projection with the case and resident rows, never the workflow state."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, String, cast, func, null, select, union_all
from sqlalchemy.orm import aliased, defer

from vntime import LOCAL_TZ

from ...models import Case, CaseTask, Resident, User, db
from .. import clock
from ..name_search import matches_name_or_code
from ..paging import PER_PAGE, Paged, QueryFilters, choice, flag, number, trimmed
from ..scope import subtree

# Each sort: the columns it orders by, and whether descending.
SORT_KEYS = {
    "due": ((CaseTask.due_at, False), (CaseTask.id, False)),
    "-due": ((CaseTask.due_at, True), (CaseTask.id, False)),
    "ready": ((CaseTask.ready_at, False), (CaseTask.id, False)),
    "-ready": ((CaseTask.ready_at, True), (CaseTask.id, False)),
    "code": ((Case.code, False),),
}
SORTS = {name: tuple(c.desc() if down else c.asc() for c, down in keys) for name, keys in SORT_KEYS.items()}
SCOPES = ("mine", "queue")


@dataclass
class Filters(QueryFilters):
    KEEP = ("scope", "sort")
    scope: str = "mine"
    step: str | None = None
    overdue: bool = False
    priority: str | None = None
    q: str = ""
    sort: str = "due"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(
            scope=choice(args.get("scope"), SCOPES, "mine"),
            step=args.get("step") or None,
            overdue=flag(args.get("overdue")),
            priority=args.get("priority") or None,
            q=trimmed(args.get("q"), 100),
            sort=choice(args.get("sort"), SORTS, "due"),
            page=number(args.get("page"), 1, 10_000),
        )


@dataclass
class Row:
    task: CaseTask
    case: Case
    resident: Resident
    assignee: User | None


@dataclass
class Page(Paged):
    rows: list[Row]
    total: int
    filters: Filters
    counts: dict[str, int] = field(default_factory=dict)
    now: datetime | None = None


def _scoped(user: User, scope: str):
    """Tasks of the user's department in their unit subtree; `mine`: those assigned to them. The
    subtree holds for `mine` too: a task the officer may no longer act on (their unit changed)
    is not theirs to see."""
    query = select(CaseTask).where(
        CaseTask.department == user.department, subtree(CaseTask.unit_path, user.unit.path)
    )
    if scope == "mine":
        return query.where(CaseTask.assignee_id == user.id)
    return query


def _filtered(user: User, filters: Filters, now: datetime):
    """The list's query without the step filter (the counts per step are taken over it)."""
    base = _scoped(user, filters.scope)
    if filters.priority:
        base = base.where(CaseTask.priority == filters.priority)
    if filters.overdue:
        base = base.where(CaseTask.due_at < now)
    if filters.q or filters.sort == "code":
        base = base.join(Case, Case.id == CaseTask.case_id)
    if filters.q:
        base = base.join(Resident, Resident.id == Case.resident_id)
        base = base.where(matches_name_or_code(filters.q, code_contains_digits=True))
    return base


def search(user: User, filters: Filters) -> Page:
    """Counts per step over the filtered queue, then the page: 50 task ids chosen from the
    projection alone, joined to their case, resident and assignee afterwards."""
    now = clock.now()
    base = _filtered(user, filters, now)
    counts, ids = (_counts_and_page if filters.q else _counts_then_page)(base, filters)
    total = counts.get(filters.step, 0) if filters.step else sum(counts.values())
    found = _rows(ids)
    return Page([found[i] for i in ids if i in found], total, filters, counts, now)


def _counts_then_page(base, filters: Filters) -> tuple[dict[str, int], list[str]]:
    """Without a search the queue is read from its index twice, cheaply: counts, then the page."""
    counts_query = base.with_only_columns(CaseTask.step, func.count()).group_by(CaseTask.step)
    counts = {step: n for step, n in db.session.execute(counts_query)}
    if filters.step:
        base = base.where(CaseTask.step == filters.step)
    ids = db.session.scalars(
        base.with_only_columns(CaseTask.id)
        .order_by(*SORTS[filters.sort])
        .limit(PER_PAGE)
        .offset((filters.page - 1) * PER_PAGE)
    )
    return counts, list(ids)


def _counts_and_page(base, filters: Filters) -> tuple[dict[str, int], list[str]]:
    """With a search, reading the queue means joining each of its tasks to its case and
    resident (on PostgreSQL, or reading the residents' trigram index first): that is paid once.
    The filtered tasks' ids, steps and sort keys are materialized, then one UNION ALL returns
    the count per step over them all and the page's ids, numbered in the list's order (within
    the chosen step, when there is one)."""
    keys = SORT_KEYS[filters.sort]
    matched = (
        base.with_only_columns(
            CaseTask.id.label("id"),
            CaseTask.step.label("step"),
            *(column.label(f"k{i}") for i, (column, _) in enumerate(keys)),
        )
        .cte("matched")
        .prefix_with("MATERIALIZED")  # PostgreSQL 12+ and SQLite 3.35+: computed once
    )
    order = [
        matched.c[f"k{i}"].desc() if down else matched.c[f"k{i}"].asc() for i, (_, down) in enumerate(keys)
    ]
    no_number, no_id = cast(null(), BigInteger), cast(null(), String)  # typed: PostgreSQL's UNION
    counts = select(matched.c.step, func.count(), no_id, no_number).group_by(matched.c.step)
    page = select(matched.c.step, no_number, matched.c.id, func.row_number().over(order_by=order))
    if filters.step:
        page = page.where(matched.c.step == filters.step)
    page = page.order_by(*order).limit(PER_PAGE).offset((filters.page - 1) * PER_PAGE).subquery("page")
    counted: dict[str, int] = {}
    ranked: list[tuple[int, str]] = []
    for step, n, task_id, pos in db.session.execute(union_all(counts, select(*page.c))):
        if task_id is None:
            counted[step] = n
        else:
            ranked.append((pos, task_id))
    return counted, [task_id for _, task_id in sorted(ranked)]


def _rows(ids: list[str]) -> dict[str, Row]:
    if not ids:
        return {}
    assignee = aliased(User)
    found = db.session.execute(
        select(CaseTask, Case, Resident, assignee)
        .join(Case, Case.id == CaseTask.case_id)
        .join(Resident, Resident.id == Case.resident_id)
        .outerjoin(assignee, assignee.id == CaseTask.assignee_id)
        .where(CaseTask.id.in_(ids))
        .options(defer(Case.state))  # the workflow state is the bulk of a case row
    )
    return {r[0].id: Row(*r) for r in found}


def all_rows(user: User, filters: Filters, batch: int = 500) -> Iterator[Row]:
    """Every row of the filtered list (all pages) in its order, for a file: ids streamed from
    the database, rows loaded `batch` at a time."""
    base = _filtered(user, filters, clock.now())
    if filters.step:
        base = base.where(CaseTask.step == filters.step)
    ordered = base.with_only_columns(CaseTask.id).order_by(*SORTS[filters.sort])
    for chunk in db.session.execute(ordered.execution_options(yield_per=batch)).scalars().partitions():
        found = _rows(list(chunk))
        yield from (found[i] for i in chunk if i in found)


def due_class(due: datetime | None, now: datetime) -> str:
    """ "overdue" (red), "due-today" (amber) or "" for the due column."""
    if due is None:
        return ""
    if due < now:
        return "overdue"
    local_now = now.astimezone(LOCAL_TZ)
    return "due-today" if due.astimezone(LOCAL_TZ).date() == local_now.date() else ""


def waiting_days(since: datetime, now: datetime) -> int:
    return max(0, (now - since) // timedelta(days=1))


def row(task_id: str) -> Row | None:
    """One inbox row, to redraw it after a claim or release."""
    assignee = aliased(User)
    found = db.session.execute(
        select(CaseTask, Case, Resident, assignee)
        .join(Case, Case.id == CaseTask.case_id)
        .join(Resident, Resident.id == Case.resident_id)
        .outerjoin(assignee, assignee.id == CaseTask.assignee_id)
        .where(CaseTask.id == task_id)
    ).first()
    return Row(*found) if found else None


def task_page(
    user: User, scope: str, step: str | None, overdue: bool, page: int, per_page: int
) -> tuple[list[CaseTask], int]:
    """The API's task list: tasks of the user's department in their unit subtree (`mine`: those
    assigned to them), soonest due first; with the total."""
    query = _scoped(user, scope)
    if step:
        query = query.where(CaseTask.step == step)
    if overdue:
        query = query.where(CaseTask.due_at < clock.now())
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(CaseTask.due_at.is_(None), CaseTask.due_at, CaseTask.ready_at, CaseTask.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total
