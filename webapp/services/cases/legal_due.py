"""The statutory return date of a case (the date the CC02 appointment slip prints).

Working days from the day after the application, as many as `bpmn/legal_time_limits.dmn` gives
for the law in force on the application date (services/laws.py), the case's kind and the area
class of its unit (a unit without one takes its parent's; a tree without any is "rural", the
middle 2014 figure). These are the law's limits, apart from the internal step targets
(step_time_limits.dmn, "chỉ tiêu nội bộ"), which are tighter.
"""

from datetime import date, datetime

from vntime import LOCAL_TZ, add_working_days

from ...models import Unit
from .. import workflow_store
from ..laws import LAWS

__all__ = ["AREA_CLASSES", "LAWS", "area_of", "due_on"]

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
