"""The statutory return date of a case (the date the CC02 appointment slip prints).

Working days from the day after the application, as many as `bpmn/legal_time_limits.dmn` gives
for the law in force on the application date (services/laws.py), the case's kind and the area
class of its unit (a unit without one takes its parent's; a tree without any is "rural", the
middle 2014 figure). These are the law's limits, apart from the internal step targets
(step_time_limits.dmn, "chỉ tiêu nội bộ"), which are tighter.
"""

from datetime import date, datetime, time

from sqlalchemy import select

from vntime import LOCAL_TZ, add_working_days, working_days_between

from ...models import Case, CaseEvent, Unit, db
from .. import workflow_store
from ..laws import LAWS

__all__ = ["AREA_CLASSES", "LAWS", "area_of", "due_on", "extend_for_justice"]

AREA_CLASSES = ("urban", "rural", "remote")
DEFAULT_AREA = "rural"


def area_of(unit: Unit) -> str:
    """The unit's area class, else its nearest ancestor's, else the default."""
    at: Unit | None = unit
    while at is not None:
        if at.area_class in AREA_CLASSES:
            return at.area_class
        at = at.parent
    return DEFAULT_AREA


def working_days(law: str, kind: str, area: str, version: str | None = None) -> int | None:
    bundle = workflow_store.bundle_for(version) if version else workflow_store.engine().current
    days = bundle.decide("legal_time_limit", law=law, kind=kind, area=area).get("working_days")
    return None if days is None else int(days)


def due_on(applied_at: datetime, law: str, kind: str, area: str, version: str | None = None) -> date | None:
    """The last working day of the limit, counted from the day after the application."""
    days = working_days(law, kind, area, version)
    if days is None:
        return None
    start = applied_at.astimezone(LOCAL_TZ)
    # add_working_days counts from the application's own day (the next working day when it
    # falls on a holiday): the application day is day 0, so `days` lands on the last day.
    return add_working_days(start, days).astimezone(LOCAL_TZ).date()


KINDS = ("new", "exchange", "reissue")


def table() -> list[tuple[str, str, list[int | None]]]:
    """The statutory limits as the step targets page shows them apart from the internal targets:
    (law, kind, [days in each AREA_CLASSES]) from the current version's table."""
    return [
        (law, kind, [working_days(law, kind, area) for area in AREA_CLASSES])
        for law in LAWS
        for kind in KINDS
    ]


def extend_for_justice(case: Case, procedure: str | None, now: datetime) -> dict | None:
    """When the justice office records its result: move the statutory date by the working days
    the case spent there, if justice_time_limits.dmn says the procedure does (the law's period
    runs from a complete file; one whose civil-status facts had to be established first was not).
    The days run from the day the police sent the case (exclusive: the intake, or their update
    that found the record still wrong) to today (inclusive). Sets
    `case.legal_due_on` and returns what was done for the audit row; None when nothing moves."""
    if case.legal_due_on is None or not procedure:
        return None
    bundle = workflow_store.bundle_for(case.spec_version)
    if "justice_time_limit" not in bundle.decisions:
        return None
    if not bundle.decide("justice_time_limit", procedure=procedure).get("extends_legal_due"):
        return None
    # Sent by the intake, or again by the police's "not matching yet" after an earlier result:
    # each round counts its own days once.
    sent = db.session.scalar(
        select(CaseEvent.at)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.action == "completed",
            CaseEvent.step.in_(("verify_application", "update_population_record")),
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    days = working_days_between(sent, now) if sent is not None else 0
    if days <= 0:
        return None
    old = case.legal_due_on
    # The due date is a working day's end: `days` more working days after it.
    new = add_working_days(datetime.combine(old, time(12), LOCAL_TZ), days).astimezone(LOCAL_TZ).date()
    case.legal_due_on = new
    return {"old": old.isoformat(), "new": new.isoformat(), "working_days": days}
