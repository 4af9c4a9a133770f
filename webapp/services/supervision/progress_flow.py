"""How work flows through a unit's subtree: daily throughput per stage (from the daily stage
counts), the date the quota is reached at the last week's pace, and the backlog per step."""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ...models import StageCount, Unit, db
from .. import workflow_store
from ..scope import subtree
from .stage_counts import STAGES

CHART_DAYS = 30
RATE_DAYS = 7  # the forecast's pace: applications per day over the last 7 days, today included
# Steps that are not user tasks of a lane: the case waits for a message from outside.
WAITING_LANES = {"await_card_production": "production"}
# Step order for the backlog table: the path a case takes.
STEP_ORDER = (
    "verify_application",
    "triage_correction",
    "await_citizen_documents",
    "record_correction",
    "update_population_record",
    "capture_biometrics",
    "approve_application",
    "await_card_production",
    "receive_card",
    "hand_over_card",
)
JUSTICE_CALL = "call_civil_status_correction"  # the main diagram's box for the justice process


@dataclass
class Throughput:
    """Cases per stage per day, oldest day first."""

    days: list[date]
    series: dict[str, list[int]]

    def total(self, stage: str, last: int | None = None) -> int:
        values = self.series.get(stage, [])
        return sum(values[-last:] if last else values)

    @property
    def empty(self) -> bool:
        return not any(any(v) for v in self.series.values())


def throughput(unit: Unit, today: date, days: int = CHART_DAYS) -> Throughput:
    """One grouped query over the subtree's daily stage counts."""
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(StageCount.day, StageCount.stage, func.sum(StageCount.count))
        .join(Unit, Unit.id == StageCount.unit_id)
        .where(
            subtree(Unit.path, unit.path),
            StageCount.day >= first,
            StageCount.day <= today,
            StageCount.stage.in_(STAGES),
        )
        .group_by(StageCount.day, StageCount.stage)
    ).all()
    span = [first + timedelta(days=n) for n in range(days)]
    index = {day: n for n, day in enumerate(span)}
    series = {stage: [0] * days for stage in STAGES}
    for day, stage, n in rows:
        if stage in series and day in index:
            series[stage][index[day]] = int(n or 0)
    return Throughput(span, series)


def changes_on(unit: Unit, day: date, last: date | None = None) -> list[tuple[str, str, int]]:
    """(unit path, stage, count) of the subtree's units on one day (or from `day` to `last`):
    what each passed in that time."""
    return [
        (path, stage, int(n or 0))
        for path, stage, n in db.session.execute(
            select(Unit.path, StageCount.stage, func.sum(StageCount.count))
            .join(Unit, Unit.id == StageCount.unit_id)
            .where(
                subtree(Unit.path, unit.path),
                StageCount.day.between(day, last or day),
                StageCount.stage.in_(STAGES),
            )
            .group_by(Unit.path, StageCount.stage)
        )
    ]


@dataclass(frozen=True)
class Forecast:
    quota: int
    applied: int
    last_days: int  # applications in the last RATE_DAYS days
    rate: float  # per day
    reached: bool
    days_left: int | None  # None: never at this pace
    on: date | None

    @property
    def unreachable(self) -> bool:
        return not self.reached and self.on is None


def forecast(quota: int | None, applied: int, last_days: int, today: date, window: int = RATE_DAYS):
    """When `applied` reaches `quota` at the pace of the last `window` days (calendar days:
    stations and mobile teams work weekends in a campaign). None without a quota."""
    if quota is None:
        return None
    rate = last_days / window
    if applied >= quota:
        return Forecast(quota, applied, last_days, rate, True, 0, today)
    if rate <= 0:
        return Forecast(quota, applied, last_days, rate, False, None, None)
    days = math.ceil((quota - applied) / rate)
    return Forecast(quota, applied, last_days, rate, False, days, today + timedelta(days=days))


@dataclass
class BacklogRow:
    step: str
    department: str
    waiting: int  # cases at the step now: its ready tasks, or the cases waiting for production


def lanes() -> dict[str, str]:
    steps = workflow_store.engine().current.steps
    return {**{s.id: s.lane for s in steps.values()}, **WAITING_LANES}


def backlog(at_step: Counter) -> list[BacklogRow]:
    """Per step, in the order a case meets them: the cases standing there now (the same figure
    as the ready tasks of the step in the task projection, read from the case counts). Which of
    them are late is the stuck-cases list's business (it filters by step)."""
    lane = lanes()
    steps = [s for s in STEP_ORDER if at_step.get(s)]
    steps += sorted(s for s in at_step if s not in STEP_ORDER and at_step[s])
    return [BacklogRow(step, lane.get(step, ""), at_step[step]) for step in steps]


def by_department(rows: list[BacklogRow]) -> list[tuple[str, int]]:
    """(department, cases waiting), busiest first."""
    waiting: Counter = Counter()
    for row in rows:
        waiting[row.department] += row.waiting
    return sorted(waiting.items(), key=lambda r: (-r[1], r[0]))


def diagram_counts(at_step: Counter, justice_steps) -> dict[str, dict[str, int]]:
    """Cases waiting at each step, per diagram: the main one (the justice steps summed on the
    call activity that stands for them) and the justice process."""
    main = {step: n for step, n in at_step.items() if step not in justice_steps and n}
    justice = {step: n for step, n in at_step.items() if step in justice_steps and n}
    if justice:
        main[JUSTICE_CALL] = sum(justice.values())
    return {"main": main, "justice": justice}
