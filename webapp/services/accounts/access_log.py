"""Who read or exported personal data: a case page, a resident record, a portrait, any list as a
file. One row a read, added in the transaction of the request that showed the data (no row, no
page); the application never updates or deletes one (models/audit.py refuses it, and on
PostgreSQL a trigger does too). Supervisors and administrators read the rows of their unit
subtree: the unit a row belongs to is the data's (a case's, a resident's) or, for a file, the
exporter's."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from vntime import LOCAL_TZ

from ...models import AccessLogEntry, Case, Resident, User, db
from .. import access, clock
from ..paging import Paged, QueryFilters, number, trimmed
from ..scope import subtree

ACTIONS = ("case_viewed", "resident_viewed", "portrait_viewed", "exported")
MAX_PAGE = 10_000
PER_PAGE = 50


def can_read(user: User) -> bool:
    return user.active and user.role in access.ACCESS_LOG_READERS


# --- writing: one INSERT a read ------------------------------------------------------------------


def _add(user: User, action: str, unit_path: str, at: datetime | None = None, **what) -> None:
    assert action in ACTIONS, action
    entry = AccessLogEntry(at=at or clock.now(), user_id=user.id, action=action, unit_path=unit_path, **what)
    db.session.add(entry)


def case_read(user: User, case: Case, action: str = "case_viewed") -> None:
    """The case page or the case's portrait (the resident is loaded with the case already)."""
    _add(user, action, case.unit_path, case_code=case.code, personal_id=case.resident.personal_id)


def resident_read(user: User, resident: Resident) -> None:
    _add(user, "resident_viewed", resident.permanent_unit.path, personal_id=resident.personal_id)


def exported(user: User, what: str, rows: int, at: datetime | None = None) -> None:
    """A list as a file: which list (its file name), how many rows it held; `at`, for a streamed
    file, when it started (the row is written after the last one left)."""
    _add(user, "exported", user.unit.path, at=at, what=what[:60], rows=rows)


# --- reading: the supervisors' and administrators' page and API ----------------------------------


def local_start(day: date) -> datetime:
    """The first instant of a Vietnamese day."""
    return datetime.combine(day, time.min, LOCAL_TZ)


@dataclass
class Filters(QueryFilters):
    user: str = ""  # a username
    case: str = ""  # a case code
    personal_id: str = ""
    since: date | None = None  # local days, both included
    until: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(
            user=trimmed(args.get("user"), 60),
            case=trimmed(args.get("case"), 24),
            personal_id=trimmed(args.get("personal_id"), 12),
            since=_day(args.get("since")),
            until=_day(args.get("until")),
            page=number(args.get("page"), 1, MAX_PAGE),
        )

    @property
    def any(self) -> bool:
        return bool(self.user or self.case or self.personal_id or self.since or self.until)


def _day(raw) -> date | None:
    """A `YYYY-MM-DD` day, or None for anything else (a hand-edited address never fails)."""
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


@dataclass
class Page(Paged):
    rows: list[tuple[AccessLogEntry, str]]  # the entry and the reader's username
    total: int
    per_page: int = PER_PAGE


def _query(viewer: User, f: Filters, from_at: datetime | None = None):
    # The unit-subtree rule on the indexed (unit_path, at) columns.
    query = (
        select(AccessLogEntry, User.username)
        .join(User, User.id == AccessLogEntry.user_id)
        .where(subtree(AccessLogEntry.unit_path, viewer.unit.path))
    )
    if f.user:
        query = query.where(User.username == f.user)
    if f.case:
        query = query.where(AccessLogEntry.case_code == f.case)
    if f.personal_id:
        query = query.where(AccessLogEntry.personal_id == f.personal_id)
    start = from_at or (local_start(f.since) if f.since else None)
    if start is not None:
        query = query.where(AccessLogEntry.at >= start)
    if f.until:
        query = query.where(AccessLogEntry.at < local_start(f.until + timedelta(days=1)))
    return query


def search(viewer: User, f: Filters, per_page: int = PER_PAGE, from_at: datetime | None = None) -> Page:
    """One page, newest first. Someone who may not read the log sees nothing."""
    if not can_read(viewer):
        return Page([], 0, per_page)
    query = _query(viewer, f, from_at)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .offset((f.page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page([(entry, username) for entry, username in rows], total, per_page)


def export_rows(viewer: User, f: Filters):
    """Every entry under the filters, newest first, for a CSV or XLSX file (read lazily)."""
    if not can_read(viewer):
        return iter(())
    query = _query(viewer, f).order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())

    def rows():
        yield from db.session.execute(query.execution_options(yield_per=500))

    return rows()
