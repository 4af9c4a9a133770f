"""Requests for VNeID level 2 by chip-card holders: start, the three steps, the unit's list,
the inbox's waiting items and the progress counts. Each command flushes; the caller commits."""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from vntime import LOCAL_TZ, add_working_days

from ...models import Resident, User, VneidRequest, db
from ...models.vneid import STEPS
from .. import access, clock, workflow_store
from ..cases.step_rules import normalise_phone
from ..due_queue import INBOX_LIMIT, Waiting, soonest_due
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound
from ..paging import PER_PAGE, Paged, QueryFilters, choice, number
from ..residents import registry
from ..scope import subtree

log = logging.getLogger(__name__)

# The step that follows each one when it succeeds (the state machine, in one place).
NEXT = {"identity_check": "phone", "phone": "activation", "activation": "activated"}
METHODS = ("face", "fingerprint", "face_fingerprint")
STATUSES = (*STEPS, "activated", "refused")
REASON_MAX = 500
DEFAULT_DAYS = 2  # when the decision table has no row

NOT_FOUND = Msg("Không tìm thấy đề nghị định danh điện tử.", "VNeID request not found.")
MAY_NOT = Msg(
    "Vai trò của bạn không tiếp nhận đề nghị định danh điện tử.",
    "Your role may not take VNeID requests.",
)


# The registry's own record of level 2 (residents.eid_state), kept by the card path too.
ALREADY_EID = {
    "activated": Msg("Công dân đã có định danh điện tử mức 2.", "The resident already has VNeID level 2."),
    "requested": Msg(
        "Công dân đã đăng ký định danh mức 2 cùng hồ sơ cấp thẻ: kích hoạt khi trả thẻ.",
        "The resident asked for level 2 with a card application: it is activated at hand-over.",
    ),
}


def can_handle(user: User) -> bool:
    """The officers who list residents and take applications take these requests too."""
    return access.can_list_residents(user)


def due_on() -> date:
    """Working days from bpmn/cooperation_due.dmn (kind vneid_level2), from the day after."""
    days = workflow_store.engine().current.decide("cooperation_due", kind="vneid_level2").get("working_days")
    days = DEFAULT_DAYS if days is None else int(days)
    return add_working_days(clock.now(), days).astimezone(LOCAL_TZ).date()


def start(actor: User, personal_id, presented: bool = False) -> VneidRequest:
    """A request in the officer's unit for a resident who holds a chip card. From the
    resident's page the resident must be in the officer's sight; at a station's desk
    (`presented`) anyone who shows their chip card may ask, wherever they are registered."""
    if not can_handle(actor):
        raise Forbidden(MAY_NOT)
    resident = registry.get(personal_id.strip()) if isinstance(personal_id, str) else None
    if resident is None or not (presented or registry.visible(actor, resident)):
        raise Invalid(
            {
                "personal_id": [
                    Msg("Không có công dân với số định danh này.", "No resident has this personal ID.")
                ]
            }
        )
    if resident.status != "alive":
        raise Invalid({"personal_id": [Msg("Công dân đã mất.", "The resident is recorded as deceased.")]})
    if resident.card_state != "chip":
        raise Invalid(
            {
                "personal_id": [
                    Msg(
                        "Công dân chưa có thẻ căn cước gắn chip: đăng ký định danh mức 2 cùng hồ sơ cấp thẻ.",
                        "The resident holds no chip card: request level 2 with the card application.",
                    )
                ]
            }
        )
    if resident.eid_state in ("activated", "requested"):
        raise Invalid({"personal_id": [ALREADY_EID[resident.eid_state]]})
    already = db.session.scalar(
        select(VneidRequest.id).where(VneidRequest.resident_id == resident.id, VneidRequest.status.in_(STEPS))
    )
    if already is not None:
        raise Conflict(
            Msg(
                f"Công dân đã có đề nghị định danh điện tử số {already} đang xử lý.",
                f"The resident already has VNeID request no. {already} in progress.",
            )
        )
    request = VneidRequest(
        resident_id=resident.id,
        unit_id=actor.unit.id,
        unit_path=actor.unit.path,
        status=STEPS[0],
        due_on=due_on(),
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(request)
    db.session.flush()
    log.info("vneid %s started for resident %s by %s", request.id, resident.id, actor.username)
    return request


def get(user: User, request_id) -> VneidRequest:
    known = isinstance(request_id, int) and 0 < request_id < 2**31
    request = db.session.get(VneidRequest, request_id) if known else None
    if request is None or not user.active or not access.in_scope(user, request.unit_path):
        raise NotFound(NOT_FOUND)
    return request


def _locked(request: VneidRequest) -> VneidRequest:
    query = select(VneidRequest).where(VneidRequest.id == request.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def complete(actor: User, request_id, step, data: dict) -> VneidRequest:
    """Complete the step waiting. `step` is the one the officer's page showed: another step
    means the page is stale (someone else moved the request on), a conflict. Every bad field
    is named and nothing changes."""
    request = get(actor, request_id)
    if not can_handle(actor):
        raise Forbidden(MAY_NOT)
    request = _locked(request)
    if request.status not in STEPS:
        raise Conflict(Msg("Đề nghị đã kết thúc.", "The request has ended."))
    if step != request.status:
        raise Conflict(
            Msg(
                "Đề nghị đã sang bước khác: tải lại trang để xem bước hiện tại.",
                "The request has moved on: reload the page to see its current step.",
            )
        )
    now = clock.now()
    refused = _STEP_RULES[step](request, data if isinstance(data, dict) else {}, actor, now)
    if refused is not None:
        request.status = "refused"
        request.refused_step, request.refused_reason = step, refused
        request.refused_by_id, request.refused_at = actor.id, now
    else:
        request.status = NEXT[step]
    db.session.flush()
    log.info("vneid %s: %s done by %s, now %s", request.id, step, actor.username, request.status)
    return request


def _reason(data: dict, errors: dict) -> str:
    text = " ".join(data.get("reason", "").split()) if isinstance(data.get("reason"), str) else ""
    if not text:
        errors["reason"] = [Msg("Hãy ghi lý do.", "Give the reason.")]
    elif len(text) > REASON_MAX:
        errors["reason"] = [Msg(f"Tối đa {REASON_MAX} ký tự.", f"At most {REASON_MAX} characters.")]
    return text


def _identity(request: VneidRequest, data: dict, actor: User, now) -> str | None:
    """The person and the chip card match (face, fingerprint on the reader, or both); a mismatch
    ends the request with its reason."""
    errors: dict[str, list[Msg]] = {}
    result = data.get("result")
    if result not in ("match", "mismatch"):
        errors["result"] = [Msg("Hãy chọn kết quả đối chiếu.", "Choose the result of the check.")]
    if result == "match" and data.get("method") not in METHODS:
        errors["method"] = [Msg("Hãy chọn cách đối chiếu.", "Choose how the identity was checked.")]
    reason = _reason(data, errors) if result == "mismatch" else None
    if errors:
        raise Invalid(errors)
    if result == "mismatch":
        return reason
    request.identity_method = data["method"]
    request.identity_by_id, request.identity_at = actor.id, now
    return None


def _phone(request: VneidRequest, data: dict, actor: User, now) -> str | None:
    """The citizen's own mobile number (the subscription registered under their personal ID,
    which level 2 requires)."""
    errors: dict[str, list[Msg]] = {}
    raw = data.get("phone")
    phone = normalise_phone(raw) if isinstance(raw, str) and raw.strip() else None
    if phone is None:
        errors["phone"] = [
            Msg(
                "Số di động phải có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (hoặc +84).",
                "A mobile number has 10 digits starting 03, 05, 07, 08 or 09 (or +84).",
            )
        ]
    if data.get("own_subscription") is not True:
        errors["own_subscription"] = [
            Msg(
                "Số thuê bao phải đứng tên chính công dân.",
                "The subscription must be registered in the citizen's own name.",
            )
        ]
    if errors:
        raise Invalid(errors)
    request.phone = phone
    request.phone_by_id, request.phone_at = actor.id, now
    return None


def _activation(request: VneidRequest, data: dict, actor: User, now) -> str | None:
    errors: dict[str, list[Msg]] = {}
    result = data.get("result")
    if result not in ("activated", "failed"):
        errors["result"] = [Msg("Hãy chọn kết quả kích hoạt.", "Choose the result of the activation.")]
    reason = _reason(data, errors) if result == "failed" else None
    if errors:
        raise Invalid(errors)
    if result == "failed":
        return reason
    request.activated_by_id, request.activated_at = actor.id, now
    # The registry records level 2 whichever way it came (a card's hand-over does the same), so
    # the progress's "ĐDĐT mức 2" column counts the person once, at their permanent unit.
    resident = request.resident
    resident.eid_state, resident.eid_phone = "activated", request.phone
    return None


_STEP_RULES = {"identity_check": _identity, "phone": _phone, "activation": _activation}


@dataclass
class Filters(QueryFilters):
    status: str | None = "open"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        status = args.get("status")
        return cls(
            status=None if status == "all" else choice(status, ("open", *STATUSES), "open"),
            page=number(args.get("page"), 1, 100_000),
        )


@dataclass
class Page(Paged):
    items: list[VneidRequest]
    total: int
    filters: Filters


def search(user: User, filters: Filters) -> Page:
    """The requests of the user's unit subtree, soonest due first."""
    if not can_handle(user):
        raise Forbidden(MAY_NOT)
    query = select(VneidRequest).where(subtree(VneidRequest.unit_path, user.unit.path))
    if filters.status == "open":
        query = query.where(VneidRequest.status.in_(STEPS))
    elif filters.status:
        query = query.where(VneidRequest.status == filters.status)
    total = db.session.scalar(query.with_only_columns(func.count())) or 0
    items = db.session.scalars(
        query.options(joinedload(VneidRequest.resident))  # each row shows the resident
        .order_by(VneidRequest.due_on, VneidRequest.id)
        .limit(PER_PAGE)
        .offset((filters.page - 1) * PER_PAGE)
    )
    return Page(list(items), total, filters)


def for_inbox(user: User, limit: int = INBOX_LIMIT) -> Waiting[VneidRequest]:
    """Open requests of the user's unit subtree for the inbox (on ix_vneid_unit); nothing for a
    role that does not take them."""
    if not can_handle(user):
        return Waiting()
    return soonest_due(
        VneidRequest,
        subtree(VneidRequest.unit_path, user.unit.path),
        VneidRequest.status.in_(STEPS),
        options=(joinedload(VneidRequest.resident),),
        limit=limit,
    )


def for_resident(user: User, resident: Resident) -> list[VneidRequest]:
    """A resident's requests taken in the user's subtree, newest first (the resident's page)."""
    return list(
        db.session.scalars(
            select(VneidRequest)
            .where(VneidRequest.resident_id == resident.id, subtree(VneidRequest.unit_path, user.unit.path))
            .order_by(VneidRequest.id.desc())
        )
    )


COUNTS = ("requested", "activated", "refused", "open")  # the progress line's figures


def counts(unit_path: str) -> dict[str, int]:
    """The progress line of a unit's subtree: requested, activated, refused and still open,
    counted by the unit that took the request, as progress counts cases. One grouped query on
    ix_vneid_unit."""
    query = select(VneidRequest.status, func.count()).where(subtree(VneidRequest.unit_path, unit_path))
    return _line(dict(db.session.execute(query.group_by(VneidRequest.status)).all()))


def counts_by_child(unit_path: str) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """counts() of the subtree and of each child unit (by code) at once, for the progress file
    and the daily report: one query grouped by unit path and status (index only, on
    ix_vneid_unit), rolled up to the child whose code is the path's next segment, as progress
    rolls up cases. A request taken by the unit itself is in the total only; a child without
    requests is not in the dict."""
    query = select(VneidRequest.unit_path, VneidRequest.status, func.count()).where(
        subtree(VneidRequest.unit_path, unit_path)
    )
    total: dict[str, int] = {}
    children: dict[str, dict[str, int]] = {}
    for path, status, n in db.session.execute(query.group_by(VneidRequest.unit_path, VneidRequest.status)):
        total[status] = total.get(status, 0) + n
        child = path[len(unit_path) :].split("/", 1)[0]
        if child:
            found = children.setdefault(child, {})
            found[status] = found.get(status, 0) + n
    return _line(total), {code: _line(found) for code, found in children.items()}


def _line(found: dict[str, int]) -> dict[str, int]:
    """Requests per status as the progress line's figures."""
    return {
        "requested": sum(found.values()),
        "activated": found.get("activated", 0),
        "refused": found.get("refused", 0),
        "open": sum(found.get(s, 0) for s in STEPS),
    }
