"""Requests from one unit to another: send, answer with a result, cancel, and the two lists
(the receiving unit's queue, the sender's requests). Each command flushes; the caller commits.

A request is work in the receiving unit's queue with its own due date (working days from
bpmn/cooperation_due.dmn); both sides see it; while it is open the receiving unit sees the
resident (registry.visible), and only then."""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from vntime import LOCAL_TZ, add_working_days

from ...models import Case, CooperationRequest, Resident, Unit, User, db
from ...models.cooperation import OPEN
from .. import access, clock, workflow_store
from ..accounts import unit_picker, units
from ..cases import commands
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound
from ..paging import PER_PAGE, Paged, QueryFilters, choice, number
from ..residents import eligibility, listing, registry
from ..scope import subtree

log = logging.getLogger(__name__)

# What one unit may ask of another (a transfer is asked through transfers.py).
KINDS = ("take_application", "verify", "hand_over_card")
ALL_KINDS = (*KINDS, "transfer")
# How an answered request ends.
RESULTS = ("done", "not_done")
STATUSES = ("open", "done", "not_done", "accepted", "declined", "cancelled")
BOXES = ("incoming", "outgoing")
MESSAGE_MAX = 1000
DEFAULT_DAYS = 5  # when the decision table has no row for a kind

NOT_FOUND = Msg("Không tìm thấy đề nghị phối hợp.", "Cooperation request not found.")
MAY_NOT = Msg(
    "Vai trò của bạn không gửi hoặc trả lời đề nghị phối hợp.",
    "Your role may not send or answer cooperation requests.",
)
CLOSED = Msg(
    "Đề nghị này đã được trả lời hoặc đã hủy.", "This request has already been answered or cancelled."
)


def can_cooperate(user: User) -> bool:
    """Police officers, leads and administrators send and answer requests."""
    return access.can_list_residents(user)


def require(user: User) -> None:
    if not can_cooperate(user):
        raise Forbidden(MAY_NOT)


def due_on(kind: str) -> date:
    """The day the receiving unit must answer by: working days from the decision table,
    counted from the day after it was sent."""
    days = workflow_store.engine().current.decide("cooperation_due", kind=kind).get("working_days")
    days = DEFAULT_DAYS if days is None else int(days)
    return add_working_days(clock.now(), days).astimezone(LOCAL_TZ).date()


def clean_text(value, name: str, required: bool, errors: dict) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if required and not text:
        errors[name] = [Msg("Hãy ghi nội dung.", "Write what is asked or answered.")]
    elif len(text) > MESSAGE_MAX:
        errors[name] = [Msg(f"Tối đa {MESSAGE_MAX} ký tự.", f"At most {MESSAGE_MAX} characters.")]
    return text


def check_target(raw, sender: Unit, errors: dict, transfer: bool = False) -> Unit | None:
    """The receiving unit the officer picked; a problem goes into `errors["unit"]`. A transfer
    goes only to an active commune (units.case_target_problem)."""
    unit = unit_picker.pick(raw) if isinstance(raw, str) else None
    if unit is None:
        errors["unit"] = [
            Msg(
                "Hãy chọn đơn vị nhận trong danh sách (gõ tên xã, phường hoặc mã).",
                "Choose the receiving unit from the list (type the commune's name or code).",
            )
        ]
    elif sender.path.startswith(unit.path) or unit.path.startswith(sender.path):
        errors["unit"] = [
            Msg(
                "Đơn vị nhận phải là đơn vị khác, ngoài phạm vi của đơn vị gửi.",
                "The receiving unit must be another unit, outside the sender's own.",
            )
        ]
    elif transfer and (problem := units.case_target_problem(unit)) is not None:
        errors["unit"] = [problem]
    return unit


def send(
    actor: User,
    kind,
    personal_id,
    unit,
    message,
    case: Case | None = None,
) -> CooperationRequest:
    """Ask another unit (any commune of the country) for help with a resident the sender sees.
    `unit` is what the officer picked: a code, a picker option "Name · Province (code)" or an
    exact name. Every bad field is named; nothing is written unless all are right."""
    # A transfer may be asked by whoever may transfer the case (supervisors too).
    if not (can_cooperate(actor) or (case is not None and access.can_transfer(actor))):
        raise Forbidden(MAY_NOT)
    errors: dict[str, list[Msg]] = {}
    if kind not in ALL_KINDS:
        errors["kind"] = [Msg("Hãy chọn loại đề nghị.", "Choose what is asked.")]
    if case is not None:  # a transfer: whoever sees the case may hand it on
        resident = case.resident
    else:
        resident = registry.get(personal_id) if isinstance(personal_id, str) else None
    if resident is None or (case is None and not registry.visible(actor, resident)):
        errors["personal_id"] = [
            Msg("Không có công dân với số định danh này.", "No resident has this personal ID.")
        ]
    sender = case.unit if case is not None else actor.unit
    target = check_target(unit, sender, errors, transfer=case is not None)
    text = clean_text(message, "message", True, errors)
    if errors:
        raise Invalid(errors)
    already = db.session.scalar(
        select(CooperationRequest.id).where(
            CooperationRequest.resident_id == resident.id,
            CooperationRequest.to_unit_id == target.id,
            CooperationRequest.kind == kind,
            CooperationRequest.status == OPEN,
        )
    )
    if already is not None:
        raise Conflict(
            Msg(
                f"Đã có đề nghị số {already} đang chờ đơn vị này trả lời.",
                f"Request no. {already} is already waiting for this unit's answer.",
            )
        )
    request = CooperationRequest(
        kind=kind,
        resident_id=resident.id,
        case_id=case.id if case is not None else None,
        from_unit_id=sender.id,
        from_unit_path=sender.path,
        to_unit_id=target.id,
        to_unit_path=target.path,
        status=OPEN,
        message=text,
        due_on=due_on(kind),
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(request)
    db.session.flush()
    log.info(
        "cooperation %s: %s from %s to %s by %s", request.id, kind, sender.code, target.code, actor.username
    )
    return request


def get(user: User, request_id) -> CooperationRequest:
    """A request either side may see (sender's or receiver's subtree), else NotFound."""
    known = isinstance(request_id, int) and 0 < request_id < 2**31  # an id the database can hold
    request = db.session.get(CooperationRequest, request_id) if known else None
    if (
        request is None
        or not user.active
        or not (access.in_scope(user, request.to_unit_path) or access.in_scope(user, request.from_unit_path))
    ):
        raise NotFound(NOT_FOUND)
    return request


def _lock(request: CooperationRequest) -> CooperationRequest:
    """Re-read the request under a row lock (PostgreSQL), so that two answers cannot both win."""
    query = select(CooperationRequest).where(CooperationRequest.id == request.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def receiving(user: User, request_id) -> CooperationRequest:
    """An open request the user's unit must answer, locked."""
    request = get(user, request_id)
    if not access.in_scope(user, request.to_unit_path):  # the sender's side sees it, cannot answer it
        raise Conflict(
            Msg("Chỉ đơn vị nhận trả lời được đề nghị này.", "Only the receiving unit answers this request.")
        )
    if not can_cooperate(user):
        raise Forbidden(MAY_NOT)
    request = _lock(request)
    if request.status != OPEN:
        raise Conflict(CLOSED)
    return request


def answer(actor: User, request_id, result, note, start_case: bool = True) -> CooperationRequest:
    """The receiving unit's answer. "Application taken" (take_application, done) starts the
    resident's case in the receiving unit, unless one is already open or issued, which the
    answer then names."""
    request = receiving(actor, request_id)
    if request.kind == "transfer":
        raise Conflict(
            Msg("Đề nghị chuyển hồ sơ được nhận hoặc từ chối.", "A transfer is accepted or declined.")
        )
    errors: dict[str, list[Msg]] = {}
    if result not in RESULTS:
        errors["result"] = [Msg("Hãy chọn kết quả.", "Choose the result.")]
    text = clean_text(note, "answer", result == "not_done", errors)
    if errors:
        raise Invalid(errors)
    if request.kind == "take_application" and result == "done":
        request.result_case_id = _case_for(actor, request, start_case)
    close(actor, request, result, text)
    return request


def _case_for(actor: User, request: CooperationRequest, start: bool) -> int:
    resident = request.resident
    taken = db.session.scalar(
        select(Case.id)
        .where(Case.resident_id == resident.id, Case.status.in_(eligibility.APPLIED_STATUSES))
        .order_by(Case.id.desc())
        .limit(1)
    )
    if taken is not None:
        return taken
    if not start:
        raise Invalid(
            {
                "result": [
                    Msg(
                        "Công dân chưa có hồ sơ: hãy tiếp nhận hồ sơ khi trả lời.",
                        "The resident has no case yet: take the application with the answer.",
                    )
                ]
            }
        )
    kind = "new" if resident.card_state == "none" else "exchange"
    case = commands.start_case(actor, resident.personal_id, kind, unit=request.to_unit)
    return case.id


def close(actor: User, request: CooperationRequest, status: str, text: str | None) -> None:
    request.status = status
    request.answer = text or None
    request.answered_by_id = actor.id
    request.answered_at = clock.now()
    db.session.flush()
    log.info("cooperation %s answered %s by %s", request.id, status, actor.username)


def cancel(actor: User, request_id) -> CooperationRequest:
    """The sender withdraws an open request; the receiving unit stops seeing the resident."""
    request = get(actor, request_id)
    if not can_cooperate(actor):
        raise Forbidden(MAY_NOT)
    if not access.in_scope(actor, request.from_unit_path):  # the receiving side answers instead
        raise Conflict(Msg("Chỉ đơn vị gửi hủy được đề nghị.", "Only the sending unit cancels a request."))
    request = _lock(request)
    if request.status != OPEN:
        raise Conflict(CLOSED)
    close(actor, request, "cancelled", None)
    return request


def mark_away_and_ask(
    actor: User, resident_id: int, change: listing.Change, message: str, expected: str | None = None
) -> CooperationRequest:
    """The listing's "away" in one step: record where the resident lives now and ask the
    police there to take the application."""
    resident = listing.set_status(actor, resident_id, change, expected=expected)
    if change.status != "away" or resident.away_unit_id is None:
        raise Invalid(
            {
                "away_unit": [
                    Msg(
                        "Hãy chọn nơi công dân đang ở để gửi đề nghị.",
                        "Choose where the resident lives now to send the request.",
                    )
                ]
            }
        )
    unit = db.session.get(Unit, resident.away_unit_id)
    text = message.strip() if isinstance(message, str) and message.strip() else None
    default = Msg(
        "Đề nghị tiếp nhận hồ sơ cấp thẻ căn cước cho công dân đang sinh sống tại địa bàn.",
        "Please take the identity card application of this resident, who lives in your area.",
    )
    return send(actor, "take_application", resident.personal_id, unit.code, text or default.vi)


@dataclass
class Filters(QueryFilters):
    box: str = "incoming"
    status: str | None = "open"
    kind: str | None = None
    page: int = 1
    KEEP = ("status",)

    @classmethod
    def from_args(cls, args) -> "Filters":
        status = args.get("status")
        return cls(
            box=choice(args.get("box"), BOXES, "incoming"),
            status=None if status == "all" else choice(status, STATUSES, "open"),
            kind=choice(args.get("kind"), ALL_KINDS),
            page=number(args.get("page"), 1, 100_000),
        )


@dataclass
class Page(Paged):
    items: list[CooperationRequest]
    total: int
    filters: Filters
    open_incoming: int = 0
    overdue_incoming: int = 0


def search(user: User, filters: Filters, per_page: int = PER_PAGE) -> Page:
    """The receiving unit's queue (incoming) or the sender's requests (outgoing), in the
    user's subtree, oldest due first; with the open and overdue counts of the queue."""
    if not user.active:
        raise Forbidden(MAY_NOT)
    column = (
        CooperationRequest.to_unit_path if filters.box == "incoming" else CooperationRequest.from_unit_path
    )
    query = select(CooperationRequest).where(subtree(column, user.unit.path))
    if filters.status:
        query = query.where(CooperationRequest.status == filters.status)
    if filters.kind:
        query = query.where(CooperationRequest.kind == filters.kind)
    total = db.session.scalar(query.with_only_columns(func.count())) or 0
    items = list(
        db.session.scalars(
            query.order_by(CooperationRequest.due_on, CooperationRequest.id)
            .limit(per_page)
            .offset((filters.page - 1) * per_page)
        )
    )
    open_count, overdue = queue_counts(user)
    page = Page(items, total, filters, open_count, overdue)
    page.per_page = per_page
    return page


def queue_counts(user: User) -> tuple[int, int]:
    """Open requests waiting for the user's unit subtree, and how many of them are overdue."""
    base = select(func.count()).where(
        subtree(CooperationRequest.to_unit_path, user.unit.path), CooperationRequest.status == OPEN
    )
    total = db.session.scalar(base) or 0
    late = db.session.scalar(base.where(CooperationRequest.due_on < clock.today_local())) or 0
    return total, late


def for_resident(user: User, resident: Resident) -> list[CooperationRequest]:
    """A resident's requests that the user's unit sent or received."""
    return list(
        db.session.scalars(
            select(CooperationRequest)
            .where(
                CooperationRequest.resident_id == resident.id,
                or_(
                    subtree(CooperationRequest.to_unit_path, user.unit.path),
                    subtree(CooperationRequest.from_unit_path, user.unit.path),
                ),
            )
            .order_by(CooperationRequest.id.desc())
        )
    )
