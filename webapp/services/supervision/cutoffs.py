"""Working days as cutoff timestamps: "idle for N working days" or "N working days late"
becomes one moment, so SQL compares an indexed column with a constant. Counted exactly as due
dates are (workflows/calendar.py: Vietnamese public holidays excluded)."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import select

from vntime import LOCAL_TZ, add_working_days, working_days_between

from ...models import StepTarget, db


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def _last_day(today: date, days: int, holds) -> date:
    """The latest day on or before `today` for which `holds(day)` is true, where holds is true
    for every day before some point and false after it: a binary search, so that a cutoff many
    working days back costs a few calendar walks, not one per day (2n + 60 calendar days always
    hold n working days, Tết included)."""
    low, high = today - timedelta(days=2 * days + 60), today
    if holds(high):
        return high
    while high - low > timedelta(days=1):  # holds(low), not holds(high)
        middle = low + (high - low) // 2
        if holds(middle):
            low = middle
        else:
            high = middle
    return low


@lru_cache(maxsize=256)
def idle_cutoff(now: datetime, days: int) -> datetime:
    """A task last touched before this moment has been idle more than `days` working days: its
    `days`-th working day after the last action (as add_working_days counts) ended before now."""
    today = now.astimezone(LOCAL_TZ).date()
    day = _last_day(today, days, lambda d: add_working_days(_midnight(d), days) < now)
    return _midnight(day + timedelta(days=1))


@lru_cache(maxsize=256)
def late_cutoff(now: datetime, days: int) -> datetime:
    """Something due before this moment is at least `days` working days late."""
    today = now.astimezone(LOCAL_TZ).date()
    day = _last_day(today, days, lambda d: working_days_between(_midnight(d), now) >= days)
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
