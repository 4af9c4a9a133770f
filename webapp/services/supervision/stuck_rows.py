"""The rows of the stuck list: the page's few task and case ids joined to their case, resident,
unit and assignee, with the reasons each is stuck."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, defer

from vntime import working_days_between

from ...models import Case, CaseEvent, CaseTask, Resident, Unit, User, db

TASK, CASE = 0, 1  # the `kind` column of the stuck query: a task row or a case row


@dataclass
class Row:
    case: Case
    resident: Resident
    unit: Unit
    since: datetime | None  # due (tasks), failure (error), production deadline
    task: CaseTask | None = None
    assignee: User | None = None
    last_action: datetime | None = None  # ready or last action on the task
    reasons: list[str] = field(default_factory=list)
    late_days: int = 0  # working days past `since`

    @property
    def step(self) -> str | None:
        if self.task is not None:
            return self.task.step
        return self.case.error_step if self.case.status == "error" else self.case.current_steps

    @property
    def department(self) -> str | None:
        if self.task is not None:
            return self.task.department
        return "production" if self.case.status == "open" else None

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""


def load(
    refs: list, now: datetime, cutoffs: dict[str, datetime], targets: dict[str, datetime] | None = None
) -> list[Row]:
    """Rows for (kind, ref) pairs from the stuck query, in the same order; `cutoffs` and
    `targets` per step: the idle and the target cutoff moments."""
    targets = targets or {}
    task_ids = [ref for kind, ref in refs if kind == TASK]
    case_ids = [int(ref) for kind, ref in refs if kind == CASE]
    found: dict[tuple[str, str], Row] = {}
    if task_ids:
        assignee = aliased(User)
        rows = db.session.execute(
            select(CaseTask, Case, Resident, Unit, assignee)
            .join(Case, Case.id == CaseTask.case_id)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Unit, Unit.id == Case.unit_id)
            .outerjoin(assignee, assignee.id == CaseTask.assignee_id)
            .where(CaseTask.id.in_(task_ids))
            .options(defer(Case.state))  # the workflow state is the bulk of a case row
        )
        touched = dict(
            db.session.execute(
                select(CaseEvent.task_id, func.max(CaseEvent.at))
                .where(CaseEvent.task_id.in_(task_ids))
                .group_by(CaseEvent.task_id)
            ).all()
        )
        for task, case, resident, unit, holder in rows:
            last = max(filter(None, (task.ready_at, touched.get(task.id))))
            row = Row(case, resident, unit, task.due_at, task, holder, last)
            if task.due_at is not None and task.due_at < now:
                row.reasons.append("overdue")
            if task.step in targets and task.ready_at < targets[task.step]:
                row.reasons.append("target")
            if task.step in cutoffs and last < cutoffs[task.step]:
                row.reasons.append("idle")
            found[TASK, task.id] = row
    if case_ids:
        rows = db.session.execute(
            select(Case, Resident, Unit)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Unit, Unit.id == Case.unit_id)
            .where(Case.id.in_(case_ids))
            .options(defer(Case.state))
        )
        for case, resident, unit in rows:
            since = case.updated_at if case.status == "error" else case.next_timer_at or case.updated_at
            reason = "error" if case.status == "error" else "production"
            found[CASE, str(case.id)] = Row(case, resident, unit, since, reasons=[reason])
    out = [found[kind, ref] for kind, ref in refs if (kind, ref) in found]
    for row in out:
        if row.since is not None and row.since < now:
            row.late_days = working_days_between(row.since, now)
    return out
