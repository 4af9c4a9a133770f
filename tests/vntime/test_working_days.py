"""Working days and deadlines in Vietnam (workflows.calendar).

Expected values are worked out by hand from the 2026 calendar: 1 Jan 2026 is a Thursday; Tết is
Mon 16 - Fri 20 Feb; 30 Apr and 1 May are Thu/Fri; National Day is 2 Sep (Wed) with 31 Aug and
1 Sep also off; Vietnam is UTC+7 all year, so 23:59:59 local is 16:59:59 UTC of the same date.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from vntime import LOCAL_TZ, add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.no_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def deadline(y, m, d) -> datetime:
    """23:59:59 in Vietnam on that date, written in UTC."""
    return datetime(y, m, d, 16, 59, 59, tzinfo=UTC)


def test_deadline_is_end_of_local_day_in_utc():
    due = add_working_days(local(2026, 10, 7, 8), 0)  # Wednesday
    assert due == datetime(2026, 10, 7, 16, 59, 59, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0) and due.tzinfo is UTC
    shown = due.astimezone(LOCAL_TZ)
    assert (shown.date(), shown.hour, shown.minute, shown.second) == (date(2026, 10, 7), 23, 59, 59)


@pytest.mark.parametrize(
    "start, days, due",
    [
        (local(2026, 10, 5), 4, deadline(2026, 10, 9)),  # Mon + 4 = Fri
        (local(2026, 10, 5), 5, deadline(2026, 10, 12)),  # Mon + 5 = next Mon
        (local(2026, 10, 9), 1, deadline(2026, 10, 12)),  # Fri + 1 = Mon
        (local(2026, 10, 8), 2, deadline(2026, 10, 12)),  # Thu + 2 = Mon
        (local(2026, 10, 9), 6, deadline(2026, 10, 19)),  # Fri + 6 = Mon after next
        (local(2026, 10, 5), 15, deadline(2026, 10, 26)),  # three whole weeks
    ],
)
def test_weekends_are_skipped(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    "start, days, due",
    [
        (local(2026, 2, 13), 1, deadline(2026, 2, 23)),  # Fri before Tết + 1 = Mon after it
        (local(2026, 2, 12), 2, deadline(2026, 2, 23)),  # Thu + 2: Fri 13, then Mon 23
        (local(2026, 2, 11), 5, deadline(2026, 2, 25)),  # Wed + 5: 12, 13, 23, 24, 25
        (local(2026, 2, 18), 0, deadline(2026, 2, 23)),  # inside Tết, 0 days: first day after
        (local(2026, 2, 18), 1, deadline(2026, 2, 24)),
        (local(2026, 8, 28), 1, deadline(2026, 9, 3)),  # Fri + 1: 31 Aug, 1 and 2 Sep are off
        (local(2026, 9, 2), 0, deadline(2026, 9, 3)),  # National Day itself
        (local(2026, 4, 29), 1, deadline(2026, 5, 4)),  # Wed + 1: 30 Apr, 1 May, weekend
        (local(2026, 4, 24), 1, deadline(2026, 4, 28)),  # Hùng Kings, observed Mon 27 Apr
        (local(2025, 12, 31), 1, deadline(2026, 1, 2)),  # across the year: 1 Jan is off
        (local(2025, 8, 29), 1, deadline(2025, 9, 3)),  # 2025: Mon 1 and Tue 2 Sep off
    ],
)
def test_public_holidays_are_skipped(start, days, due):
    assert add_working_days(start, days) == due


def test_holidays_and_weekends_are_not_working_days():
    off = [date(2026, 2, d) for d in range(14, 23)] + [date(2026, 9, 2), date(2026, 9, 1), date(2026, 1, 1)]
    assert [d for d in off if is_working_day(d)] == []
    on = [date(2026, 2, 13), date(2026, 2, 23), date(2026, 9, 3), date(2026, 1, 2), date(2026, 10, 7)]
    assert [d for d in on if not is_working_day(d)] == []
    assert not is_working_day(date(2026, 10, 10)) and not is_working_day(date(2026, 10, 11))


@pytest.mark.parametrize(
    "start, days, due",
    [
        (local(2026, 10, 10), 0, deadline(2026, 10, 12)),  # Sat, 0 days: end of Monday
        (local(2026, 10, 10), 1, deadline(2026, 10, 13)),  # Sat + 1 = Tue, not Mon
        (local(2026, 10, 11, 23, 30), 1, deadline(2026, 10, 13)),  # late Sunday
        (local(2026, 10, 11), 5, deadline(2026, 10, 19)),  # Sun + 5 = next Mon
        (local(2026, 2, 15), 1, deadline(2026, 2, 24)),  # Sunday before Tết
        (local(2026, 4, 30), 0, deadline(2026, 5, 4)),  # 30 Apr: 1 May off, then a weekend
        (local(2026, 4, 30), 1, deadline(2026, 5, 5)),
    ],
)
def test_a_start_on_a_day_off_counts_from_the_next_working_day(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    "start, days, due",
    [
        (local(2026, 10, 7, 0, 0), 0, deadline(2026, 10, 7)),
        (local(2026, 10, 7, 23, 59), 0, deadline(2026, 10, 7)),
        (local(2026, 10, 9, 18, 0), 0, deadline(2026, 10, 9)),  # Friday evening: still Friday
        (deadline(2026, 10, 7), 0, deadline(2026, 10, 7)),  # the deadline itself
    ],
)
def test_zero_days_is_the_end_of_the_same_working_day(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    "start, days, due",
    [
        # 18:00 UTC Thu 26 Nov is 01:00 Fri 27 Nov in Vietnam.
        (datetime(2026, 11, 26, 18, 0, tzinfo=UTC), 0, deadline(2026, 11, 27)),
        (datetime(2026, 11, 26, 18, 0, tzinfo=UTC), 1, deadline(2026, 11, 30)),
        # 16:59:59 UTC is still Thursday locally, 17:00 UTC is already Friday.
        (datetime(2026, 11, 26, 16, 59, 59, tzinfo=UTC), 1, deadline(2026, 11, 27)),
        (datetime(2026, 11, 26, 17, 0, 0, tzinfo=UTC), 1, deadline(2026, 11, 30)),
        # 23:00 Fri UTC is 06:00 Sat in Vietnam: a day off, so 0 days reaches Monday.
        (datetime(2026, 10, 9, 23, 0, tzinfo=UTC), 0, deadline(2026, 10, 12)),
        # 01:00 Sat in Tokyo is 23:00 Fri in Vietnam.
        (datetime(2026, 10, 10, 1, 0, tzinfo=ZoneInfo("Asia/Tokyo")), 0, deadline(2026, 10, 9)),
        # 20:00 Sun in New York (UTC-4 in October) is 07:00 Mon in Vietnam.
        (datetime(2026, 10, 11, 20, 0, tzinfo=timezone(timedelta(hours=-4))), 0, deadline(2026, 10, 12)),
    ],
)
def test_the_local_day_decides_not_the_utc_day(start, days, due):
    assert add_working_days(start, days) == due


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 10, 7, 9, 0), 1)


@pytest.mark.parametrize(
    "start, end, count",
    [
        (local(2026, 10, 7), local(2026, 10, 7, 23), 0),  # same local day
        (local(2026, 10, 7), local(2026, 10, 8), 1),
        (local(2026, 10, 9), local(2026, 10, 12), 1),  # Fri -> Mon: Mon only
        (local(2026, 10, 9), local(2026, 10, 11), 0),  # Fri -> Sun
        (local(2026, 10, 5), local(2026, 10, 12), 5),  # a whole week
        (local(2026, 10, 10), local(2026, 10, 12), 1),  # Sat -> Mon
        (local(2026, 10, 12), local(2026, 10, 9), 0),  # end before start
        (local(2026, 2, 13), local(2026, 2, 23), 1),  # over Tết
        (local(2026, 2, 12), local(2026, 2, 27), 6),  # 13, 23, 24, 25, 26, 27
        (local(2026, 8, 28), local(2026, 9, 4), 2),  # 3 and 4 Sep
        (local(2025, 12, 31), local(2026, 1, 5), 2),  # 2 and 5 Jan
        (local(2026, 1, 1), local(2026, 12, 31), 249),  # 2026 after 1 Jan; Sat 22 Aug is worked
        # Local days, not UTC days: 18:00 UTC Thu is Fri locally, 03:00 UTC Mon is Mon.
        (datetime(2026, 11, 26, 18, 0, tzinfo=UTC), datetime(2026, 11, 30, 3, 0, tzinfo=UTC), 1),
        (datetime(2026, 11, 26, 16, 0, tzinfo=UTC), datetime(2026, 11, 30, 3, 0, tzinfo=UTC), 2),
        (datetime(2026, 10, 8, 10, 0, tzinfo=UTC), datetime(2026, 10, 8, 17, 0, tzinfo=UTC), 1),
    ],
)
def test_working_days_between(start, end, count):
    assert working_days_between(start, end) == count


@pytest.mark.parametrize("days", [0, 1, 3, 5, 10, 25])
def test_between_undoes_add_for_a_working_day_start(days):
    start = local(2026, 2, 10, 14)  # Tuesday before Tết
    assert working_days_between(start, add_working_days(start, days)) == days


def test_a_saturday_worked_in_exchange_for_a_bridge_day_counts():
    # 31 Aug 2026 is a day off, paid back by working Saturday 22 Aug.
    friday = datetime(2026, 8, 21, 9, tzinfo=VN)
    assert add_working_days(friday, 1) == datetime(2026, 8, 22, 16, 59, 59, tzinfo=UTC)


def test_working_days_between_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        working_days_between(datetime(2026, 11, 26, 18), datetime(2026, 11, 27, 1))
