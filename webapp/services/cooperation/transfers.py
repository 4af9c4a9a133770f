"""A transfer is a request the receiving unit accepts or declines (with a reason), never a
silent move: until it is accepted the case, its work and who holds it stay where they were.

Accepting runs cases.commands.move in the receiver's transaction: the case and its waiting
work go to the receiving unit, audited ("transferred", with the request's number)."""

import logging

from ...models import OPEN_STATUSES, CooperationRequest, User, db
from .. import access
from ..cases import commands, engine
from ..errors import Conflict, Forbidden, Invalid, Msg
from . import requests

log = logging.getLogger(__name__)

DECISIONS = ("accept", "decline")


def ask(actor: User, code: str, unit, reason, expected_version: int | None = None) -> CooperationRequest:
    """Ask another unit to take a case over. One open transfer per case at a time."""
    case = commands.get_case(actor, code)
    # The route's rule (access.TRANSFER_CASES) decides who asks: supervisors included.
    if not access.can_transfer(actor):
        raise Forbidden(commands.NOT_YOURS)
    engine.check_version(case, expected_version)
    if case.status not in OPEN_STATUSES:
        raise Conflict(Msg("Hồ sơ đã kết thúc.", "The case is closed."))
    pending = pending_for(case.id)
    if pending is not None:
        raise Conflict(
            Msg(
                f"Hồ sơ đang chờ {pending.to_unit.name} nhận (đề nghị số {pending.id}).",
                f"The case is waiting for {pending.to_unit.name} to accept it (request no. {pending.id}).",
            )
        )
    errors: dict[str, list[Msg]] = {}
    requests.check_target(unit, case.unit, errors, transfer=True)
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = [Msg("Ghi lý do chuyển.", "Give a reason for the transfer.")]
    else:
        requests.clean_text(reason, "reason", True, errors)
    if errors:
        raise Invalid(errors)
    return requests.send(actor, "transfer", None, unit, reason, case=case)


def pending_for(case_id: int) -> CooperationRequest | None:
    return db.session.scalars(
        db.select(CooperationRequest).where(
            CooperationRequest.case_id == case_id,
            CooperationRequest.kind == "transfer",
            CooperationRequest.status == "open",
        )
    ).first()


def decide(actor: User, request_id, decision, reason) -> CooperationRequest:
    """The receiving unit accepts (the case moves now) or declines with a reason (it stays)."""
    request = requests.receiving(actor, request_id)
    if request.kind != "transfer":
        raise Conflict(Msg("Đề nghị này không phải chuyển hồ sơ.", "This request is not a transfer."))
    errors: dict[str, list[Msg]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [Msg("Hãy chọn nhận hoặc từ chối.", "Choose accept or decline.")]
    text = requests.clean_text(reason, "answer", decision == "decline", errors)
    if errors:
        raise Invalid(errors)
    if decision == "accept":
        if not access.can_transfer(actor):
            raise Forbidden(commands.NOT_YOURS)
        case = engine.lock_case(case_id=request.case_id)
        if case.status not in OPEN_STATUSES:
            raise Conflict(Msg("Hồ sơ đã kết thúc.", "The case is closed."))
        commands.move(actor, case, request.to_unit, request.message, request_id=request.id)
        requests.close(actor, request, "accepted", text)
    else:
        requests.close(actor, request, "declined", text)
    log.info("transfer request %s %sed by %s", request.id, decision, actor.username)
    return request
