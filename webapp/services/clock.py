"""The current time, in one place so that tests and the worker agree on it."""

from datetime import UTC, date, datetime

from vntime import LOCAL_TZ


def now() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    return now().astimezone(LOCAL_TZ).date()
