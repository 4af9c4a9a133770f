"""Vietnam's local time and working days, shared by the engine (workflows/) and the app (webapp/).

No Flask, no SQL, no SpiffWorkflow: any layer may import it. Working days are Monday to Friday,
public holidays (Tết included) excluded; deadlines are the end of the last working day, local
time, stored in UTC.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """Monday to Friday except public holidays, plus the Saturdays worked in exchange for a
    bridge day off (e.g. 22 Aug 2026 for 31 Aug), as the `holidays` package records them."""
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 local) of the `days`-th working day after `start`; 0 means the end of
    `start`'s own day if it is a working day, else of the next one."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    day = start.astimezone(LOCAL_TZ).date()
    while not is_working_day(day):
        day += timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, END_OF_DAY, LOCAL_TZ).astimezone(UTC)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days strictly after start's local day up to and including end's local day."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    a = start.astimezone(LOCAL_TZ).date()
    b = end.astimezone(LOCAL_TZ).date()
    count = 0
    while a < b:
        a += timedelta(days=1)
        count += is_working_day(a)
    return count
