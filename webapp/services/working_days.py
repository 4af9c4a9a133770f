"""Working days as cutoff timestamps: "idle for N working days" or "N working days late"
becomes one moment, so SQL compares an indexed column with a constant. Counted exactly as due
dates are (workflows/calendar.py: Vietnamese public holidays excluded)."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from workflows import LOCAL_TZ, add_working_days
from workflows.calendar import working_days_between

from ..models import StepTarget, db


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def idle_cutoff(now: datetime, days: int) -> datetime:
    """A task last touched before this moment has been idle more than `days` working days: its
    `days`-th working day after the last action (as add_working_days counts) ended before now."""
    day = now.astimezone(LOCAL_TZ).date()
    while add_working_days(_midnight(day), days) >= now:
        day -= timedelta(days=1)
    return _midnight(day + timedelta(days=1))


def late_cutoff(now: datetime, days: int) -> datetime:
    """Something due before this moment is at least `days` working days late."""
    day = now.astimezone(LOCAL_TZ).date()
    while working_days_between(_midnight(day), now) < days:
        day -= timedelta(days=1)
    return _midnight(day + timedelta(days=1))


def idle_cutoffs(now: datetime) -> dict[str, datetime]:
    """Per step with an idle threshold: the moment before which its tasks count as idle."""
    targets = db.session.execute(select(StepTarget.step, StepTarget.idle_days)).all()
    return {step: idle_cutoff(now, days) for step, days in targets if days is not None}


def target_cutoffs(now: datetime) -> dict[str, datetime]:
    """Per step with a target: the moment before which a task that became ready has been at the
    step longer than its target (counted like the idle threshold, from ready_at)."""
    targets = db.session.execute(select(StepTarget.step, StepTarget.target_days)).all()
    return {step: idle_cutoff(now, days) for step, days in targets if days is not None}
