"""Door-to-door listing: per commune, the residents who must apply, where each one stands
(not visited, booked, away, needs a home visit, deceased, record wrong) and whether they applied.

Who must apply comes from services/residents/eligibility.py (the decision table as SQL); the listing shows
the residents the campaign counts, plus those the listing itself marked deceased."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from ...models import Case, CooperationRequest, Resident, Unit, User, db
from .. import access, clock, name_search
from ..accounts import unit_picker, units
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound
from ..paging import PER_PAGE, Paged, QueryFilters, choice, number, trimmed
from ..scope import subtree
from . import eligibility

log = logging.getLogger(__name__)

STATUSES = ("not_visited", "booked", "away", "home_visit", "deceased", "record_wrong")
# "booked" follows from an appointment (stations); the listing sets the others.
SETTABLE = ("not_visited", "away", "home_visit", "deceased", "record_wrong")
APPLIED_FILTERS = ("yes", "no")
NOTE_MAX = 300

NO_UNIT = Msg("Không có đơn vị này trong phạm vi của bạn.", "No such unit in your scope.")
NO_RESIDENT = Msg("Không tìm thấy công dân.", "Resident not found.")
NO_HOUSEHOLD = Msg("Không tìm thấy hộ này trong đơn vị.", "No such household in this unit.")
MAY_NOT_LIST = Msg("Vai trò của bạn không được rà soát dân cư.", "Your role may not do the listing.")
STALE = Msg(
    "Cán bộ khác vừa cập nhật công dân này; hãy tải lại dòng và thử lại.",
    "Another officer has just updated this resident; reload the row and try again.",
)


@dataclass
class Filters(QueryFilters):
    unit: str | None = None
    status: str | None = None
    applied: str | None = None
    household: str | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(
            unit=trimmed(args.get("unit"), 20) or None,
            status=choice(args.get("status"), STATUSES),
            applied=choice(args.get("applied"), APPLIED_FILTERS),
            household=trimmed(args.get("household"), 30) or None,
            q=trimmed(args.get("q"), 100),
            page=number(args.get("page"), 1, 100_000),
        )


@dataclass
class Row:
    resident: Resident
    reason: str | None  # why the table says they must apply; None once they applied
    case_code: str | None  # their open, failed or issued case
    away_unit: Unit | None
    listed_by: User | None
    age: int
    # The latest request to another unit about them (services/cooperation/), with its answer.
    request: CooperationRequest | None = None
    # The unit that holds their case: a walk-in elsewhere, or a request's answer, counts here
    # as applied (the coverage rule in docs/cooperation.md) while the case is that unit's.
    case_unit: str | None = None


@dataclass
class Page(Paged):
    unit: Unit
    rows: list[Row]
    total: int
    filters: Filters
    counts: dict[str, int] = field(default_factory=dict)  # listing status -> residents
    applied: int = 0  # of `total`, how many applied
    # A unit above the communes (a province): the listing is per commune, choose one first.
    choose_commune: bool = False


def listing_unit(user: User, code: str | None) -> Unit:
    """The unit whose listing the officer opens: their own by default, else one in scope."""
    if not access.can_list_residents(user):
        raise Forbidden(MAY_NOT_LIST)
    unit = user.unit if not code else units.by_code(code)
    if unit is None or not access.in_scope(user, unit.path):
        raise NotFound(NO_UNIT)
    return unit


def scope_units(user: User) -> list[Unit]:
    """Communes the officer may open, for the unit picker (the listing is per commune)."""
    parents = select(Unit.parent_id).where(Unit.parent_id.is_not(None))
    return list(
        db.session.scalars(
            select(Unit)
            .where(subtree(Unit.path, user.unit.path), Unit.id.not_in(parents))
            .order_by(Unit.code)
        )
    )


def _listed(unit: Unit, today: date):
    """The residents a unit's listing shows: the campaign's target, living or marked deceased
    by the listing (so that the officer can still see and correct that mark)."""
    return select(Resident).where(
        Resident.permanent_unit_id.in_(units.subtree_ids(unit)),
        or_(Resident.status == "alive", Resident.listing_status == "deceased"),
        eligibility.in_target(eligibility.current_rule(), today),
    )


def _matching(query, q: str):
    if not q:
        return query
    digits = name_search.digits_only(q)
    if digits is not None:
        return query.where(or_(Resident.personal_id.startswith(digits), Resident.household_id == q))
    return query.where(or_(name_search.name_contains(q), Resident.household_id == q))


ORDER = (Resident.household_id.is_(None), Resident.household_id, Resident.birth_date, Resident.id)


def _is_commune(unit: Unit) -> bool:
    return db.session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1)) is None


def _filtered(unit: Unit, filters: Filters, today: date):
    """The list's query without the status filter (the counts per status are taken over it)."""
    base = _matching(_listed(unit, today), filters.q)
    if filters.household:
        base = base.where(Resident.household_id == filters.household)
    if filters.applied:
        applied = eligibility.has_applied()
        base = base.where(applied if filters.applied == "yes" else ~applied)
    return base


def search(user: User, filters: Filters) -> Page:
    """Counts per listing status over the filtered list, then one page of 50 with each
    resident's reason, case, and the officer who listed them."""
    unit = listing_unit(user, filters.unit)
    if not _is_commune(unit):
        return Page(unit, [], 0, filters, choose_commune=True)
    today = clock.today_local()
    base = _filtered(unit, filters, today)
    grouped = base.with_only_columns(Resident.listing_status, func.count()).group_by(Resident.listing_status)
    counts = dict(db.session.execute(grouped).all())
    if filters.status:
        base = base.where(Resident.listing_status == filters.status)
    total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    residents = list(
        db.session.scalars(base.order_by(*ORDER).limit(PER_PAGE).offset((filters.page - 1) * PER_PAGE))
    )
    applied_total = db.session.scalar(base.where(eligibility.has_applied()).with_only_columns(func.count()))
    return Page(unit, rows(residents, today), total, filters, counts, applied_total or 0)


def all_rows(user: User, filters: Filters, batch: int = 500) -> Iterator[Row]:
    """Every row of a commune's filtered list (all pages) in its order, for a file; nothing for
    a unit above communes (the page asks to choose a commune)."""
    unit = listing_unit(user, filters.unit)
    if not _is_commune(unit):
        return
    today = clock.today_local()
    base = _filtered(unit, filters, today)
    if filters.status:
        base = base.where(Resident.listing_status == filters.status)
    result = db.session.execute(base.order_by(*ORDER).execution_options(yield_per=batch)).scalars()
    for chunk in result.partitions():
        yield from rows(list(chunk), today)


def rows(residents: list[Resident], today: date | None = None) -> list[Row]:
    """Listing rows for residents already loaded: a few grouped reads, no table evaluation."""
    today = today or clock.today_local()
    rule = eligibility.current_rule()
    ids = [r.id for r in residents]
    cases, taken_at = {}, {}
    if ids:
        for resident_id, code, unit_name in db.session.execute(
            select(Case.resident_id, Case.code, Unit.name)
            .join(Unit, Unit.id == Case.unit_id)
            .where(Case.resident_id.in_(ids), Case.status.in_(eligibility.APPLIED_STATUSES))
            .order_by(Case.id)
        ):
            cases[resident_id] = code  # the latest one wins
            taken_at[resident_id] = unit_name
    unit_ids = {r.away_unit_id for r in residents if r.away_unit_id}
    user_ids = {r.listed_by_id for r in residents if r.listed_by_id}
    away = (
        {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    )
    who = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    asked = {}
    if ids:
        for request in db.session.scalars(
            select(CooperationRequest)
            .where(CooperationRequest.resident_id.in_(ids), CooperationRequest.kind != "transfer")
            .order_by(CooperationRequest.id)
        ):
            asked[request.resident_id] = request  # the latest one wins
    return [
        Row(
            r,
            eligibility.reason(rule, r, today),
            cases.get(r.id),
            away.get(r.away_unit_id),
            who.get(r.listed_by_id),
            eligibility.age_on(r.birth_date, today),
            asked.get(r.id),
            taken_at.get(r.id),
        )
        for r in residents
    ]


def resident_in_scope(user: User, resident_id: int) -> Resident:
    if not access.can_list_residents(user):
        raise Forbidden(MAY_NOT_LIST)
    resident = db.session.get(Resident, resident_id)
    if resident is None or not access.in_scope(user, resident.permanent_unit.path):
        raise NotFound(NO_RESIDENT)
    return resident


@dataclass
class Change:
    """One listing change as the officer filled it in; `check` names every bad field."""

    status: str
    note: str = ""
    away_unit: str = ""
    confirm: bool = False

    def check(
        self, resident: Resident | None = None, household: bool = False
    ) -> tuple[str | None, Unit | None]:
        errors: dict[str, list[Msg]] = {}
        away = None
        if self.status not in SETTABLE:
            text = (
                Msg(
                    "“Đã đặt lịch” do lịch hẹn tự ghi; hãy đặt lịch ở Điểm tiếp nhận.",
                    "“Booked” is set by an appointment; book one at a station.",
                )
                if self.status == "booked"
                else Msg("Hãy chọn một tình trạng trong danh sách.", "Choose a status from the list.")
            )
            errors["status"] = [text]
        elif household and self.status == "deceased":
            errors["status"] = [
                Msg(
                    "Không thể ghi cả hộ là đã chết; hãy cập nhật từng người.",
                    "A whole household cannot be marked deceased; update each person.",
                )
            ]
        note = " ".join(self.note.split())
        if len(note) > NOTE_MAX:
            errors["note"] = [
                Msg(f"Ghi chú tối đa {NOTE_MAX} ký tự.", f"The note may have at most {NOTE_MAX} characters.")
            ]
        elif self.status == "record_wrong" and not note:
            errors["note"] = [
                Msg(
                    "Hãy ghi thông tin nào sai trong hồ sơ dân cư.",
                    "Say what is wrong in the population record.",
                )
            ]
        code = self.away_unit.strip()
        if code and self.status != "away":
            errors["away_unit"] = [
                Msg(
                    "Chỉ ghi nơi ở hiện tại khi công dân đi vắng.",
                    "Record where they live now only for a resident who is away.",
                )
            ]
        elif code:
            away = unit_picker.pick(code)
            if away is None:
                errors["away_unit"] = [
                    Msg(
                        f"Không tìm thấy đơn vị “{code[:60]}”: chọn trong danh sách hoặc gõ mã.",
                        f"No unit “{code[:60]}”: choose one from the list or type its code.",
                    )
                ]
            elif resident is not None and away.id == resident.permanent_unit_id:
                errors["away_unit"] = [
                    Msg(
                        "Nơi ở hiện tại phải khác đơn vị thường trú.",
                        "Where they live now must differ from their permanent unit.",
                    )
                ]
        leaving_deceased = resident is not None and resident.listing_status == "deceased"
        if (
            self.status == "deceased" or (leaving_deceased and self.status != "deceased")
        ) and not self.confirm:
            errors["confirm"] = [
                Msg(
                    "Hãy đánh dấu xác nhận: thay đổi này đổi cả tình trạng sống/chết trong hồ sơ dân cư.",
                    "Tick the confirmation: this also changes whether the record says the person is alive.",
                )
            ]
        if errors:
            raise Invalid(errors)
        return note or None, away


def set_status(user: User, resident_id: int, change: Change, expected: str | None = None) -> Resident:
    """Set one resident's listing status. `expected` is the listed_at the officer saw ("" for
    never): if someone changed the row since, nothing is saved and a conflict is raised."""
    resident = resident_in_scope(user, resident_id)
    note, away = change.check(resident)
    seen = resident.listed_at.isoformat() if resident.listed_at else ""
    if expected is not None and expected != seen:
        raise Conflict(STALE)
    _apply(user, resident, change.status, note, away)
    db.session.flush()
    log.info("listing: resident %s -> %s by %s", resident.id, change.status, user.username)
    return resident


def set_household_status(user: User, unit_code: str | None, household_id: str, change: Change) -> int:
    """Set the listing status of every listed member of a household in the unit, except those
    with a booked appointment. Returns how many were changed."""
    unit = listing_unit(user, unit_code)
    household_id = (household_id or "").strip()
    note, away = change.check(household=True)
    if not household_id:
        raise Invalid({"household": [Msg("Hãy chọn một hộ.", "Choose a household.")]})
    listed = _listed(unit, clock.today_local())
    members = list(
        db.session.scalars(listed.where(Resident.household_id == household_id, Resident.status == "alive"))
    )
    if not members:
        raise NotFound(NO_HOUSEHOLD)
    changed = 0
    for resident in members:
        if resident.listing_status == "booked" or (
            away is not None and away.id == resident.permanent_unit_id
        ):
            continue
        _apply(user, resident, change.status, note, away)
        changed += 1
    db.session.flush()
    log.info("listing: household %s (%s) -> %s by %s", household_id, changed, change.status, user.username)
    return changed


def _apply(user: User, resident: Resident, status: str, note: str | None, away: Unit | None) -> None:
    if status == "deceased":
        resident.status = "deceased"
    elif resident.listing_status == "deceased":
        resident.status = "alive"  # the listing's own mark is being corrected
    resident.listing_status = status
    resident.listing_note = note
    resident.away_unit_id = away.id if away is not None and status == "away" else None
    resident.listed_at = clock.now()
    resident.listed_by_id = user.id
