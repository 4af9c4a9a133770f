"""Requests between units (docs/cooperation.md): list, send, read, answer, cancel; and a case's
transfer request. The same services as the pages at /cooperation/."""

from flask import Blueprint, jsonify

from ...services import access, uow
from ...services.cases import commands
from ...services.cooperation import requests, transfers
from .support import allow, body, choice, current_user, listing, page_args, read

bp = Blueprint("cooperation", __name__)


def item(r) -> dict:
    return {
        "id": r.id,
        "kind": r.kind,
        "status": r.status,
        "personal_id": r.resident.personal_id,
        "resident_name": r.resident.full_name,
        "case_code": r.case.code if r.case else None,
        "from_unit": r.from_unit.code,
        "to_unit": r.to_unit.code,
        "message": r.message,
        "due_on": r.due_on.isoformat(),
        "created_at": r.created_at.isoformat(),
        "created_by": r.created_by.username,
        "answer": r.answer,
        "answered_at": r.answered_at.isoformat() if r.answered_at else None,
        "answered_by": r.answered_by.username if r.answered_by else None,
        "result_case_code": r.result_case.code if r.result_case else None,
    }


@bp.get("/cooperation")
@allow(access.COOPERATE)
def cooperation_list():
    page, per_page = page_args()
    status = choice("status", (*requests.STATUSES, "all")) or "open"
    filters = requests.Filters(
        box=choice("box", requests.BOXES) or "incoming",
        status=None if status == "all" else status,
        kind=choice("kind", requests.ALL_KINDS),
        page=page,
    )
    found = requests.search(current_user(), filters, per_page)
    return listing([item(r) for r in found.items], page, per_page, found.total)


@bp.post("/cooperation")
@allow(access.COOPERATE)
def cooperation_send():
    kind, personal_id, unit, message = read(body(), ("kind", "personal_id", "unit", "message"))
    with uow.command():
        sent = requests.send(current_user(), kind, personal_id, unit, message)
        answer = item(sent)
    return jsonify(answer), 201


@bp.get("/cooperation/<int:request_id>")
@allow(access.COOPERATE)
def cooperation_get(request_id: int):
    return jsonify(item(requests.get(current_user(), request_id)))


@bp.post("/cooperation/<int:request_id>/answer")
@allow(access.COOPERATE)
def cooperation_answer(request_id: int):
    result, decision, note = read(body(), optional=("result", "decision", "note"))
    user = current_user()
    with uow.command():
        found = requests.get(user, request_id)
        if found.kind == "transfer":
            done = transfers.decide(user, request_id, decision, note or "")
        else:
            done = requests.answer(user, request_id, result, note or "")
        answer = item(done)
    return jsonify(answer)


@bp.post("/cooperation/<int:request_id>/cancel")
@allow(access.COOPERATE)
def cooperation_cancel(request_id: int):
    with uow.command():
        answer = item(requests.cancel(current_user(), request_id))
    return jsonify(answer)


@bp.post("/cases/<code>/transfer")
@allow(access.TRANSFER_CASES)
def case_transfer(code: str):
    unit, reason = read(body(), ("unit", "reason"))
    user = current_user()
    commands.get_case(user, code)  # 404 before anything else for a case out of scope
    with uow.command():
        answer = item(transfers.ask(user, code, unit, reason))
    return jsonify(answer), 201
