"""Demo data for the supervisors' pages: a past for the throughput chart and the forecast, step
targets, and production batches at every stage (sent, partly answered, a parcel to receive)."""

import random
from datetime import timedelta

from sqlalchemy import func, select

from ...models import Case, CaseEvent, CaseTask, Resident, StepTarget, Unit, User, db
from .. import clock
from ..cases import legal_due
from ..production import batches, delivery
from ..supervision import stage_counts
from ..uow import command

QUOTA_SHARE = 80  # % of a unit's residents: the campaign's quota in the demo
# Per step: (target days, idle days). The steering committee's goals, tighter than the law's.
TARGETS = {
    "verify_application": (1, 2),
    "capture_biometrics": (2, 2),
    "approve_application": (2, 3),
    "hand_over_card": (5, None),
}


def spread_history(rng: random.Random) -> None:
    """The demo's cases are made in a minute; move each one's events (and its waiting tasks) back
    by its own number of days, so that the daily throughput covers the last three weeks. Cases
    still in the police's or the justice office's hands move back less, so not every task is
    overdue. Then the daily counts are rebuilt from the audit trail."""
    with command():
        open_tasks: dict[int, list[CaseTask]] = {}
        for task in db.session.scalars(select(CaseTask)):
            open_tasks.setdefault(task.case_id, []).append(task)
        events: dict[int, list[CaseEvent]] = {}
        for event in db.session.scalars(select(CaseEvent)):
            events.setdefault(event.case_id, []).append(event)
        for case in db.session.scalars(select(Case)):
            back = timedelta(days=rng.randint(0, 2) if case.id in open_tasks else rng.randint(0, 20))
            back += timedelta(minutes=rng.randint(0, 600))
            for event in events.get(case.id, []):
                event.at -= back
            for task in open_tasks.get(case.id, []):
                task.ready_at -= back
                task.due_at = task.due_at - back if task.due_at else None
            case.created_at -= back
            case.updated_at -= back
            if case.legal_due_on is not None:  # the statutory date follows the application date
                case.legal_due_on = legal_due.due_on(
                    case.created_at, case.law, case.kind, legal_due.area_of(case.unit), case.spec_version
                )
    with command():
        stage_counts.rebuild()


def set_targets() -> None:
    """Step targets, and quotas: the province's and each commune's with residents, so that the
    progress page shows the share of the quota and the date it is reached at the current rate."""
    with command():
        for step, (target, idle) in TARGETS.items():
            db.session.add(StepTarget(step=step, target_days=target, idle_days=idle, updated_at=clock.now()))
        counts = dict(
            db.session.execute(
                select(Resident.permanent_unit_id, func.count()).group_by(Resident.permanent_unit_id)
            ).all()
        )
        for unit in db.session.scalars(select(Unit)):
            if unit.parent_id is None:
                unit.quota = QUOTA_SHARE * sum(counts.values()) // 100
            elif counts.get(unit.id):
                unit.quota = QUOTA_SHARE * counts[unit.id] // 100


def batch_production() -> int:
    """Approved cases go out in one dispatch batch per commune; the centre answers the first
    batch with half of its cards, which then wait in the commune's parcel of the day."""
    made = batches.dispatch_all(send_now=True)
    if made:
        centre = db.session.scalar(select(User).where(User.role == "production").order_by(User.id))
        first = batches.get_batch(centre, made[0])
        members = batches.members(first)
        cards = [
            delivery.Card(m.case_code, f"C{n:09d}", clock.today_local())
            for n, m in enumerate(members[: len(members) // 2], start=900_000_000)
        ]
        if cards:
            delivery.record_cards(centre, first.code, cards)
    return len(made)
