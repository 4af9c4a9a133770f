"""VNeID level 2 for chip-card holders (docs/api.md, services/vneid): start a request, read it,
complete its current step. The same service as the pages at /vneid/."""

from flask import Blueprint, jsonify

from ...services import access, uow
from ...services.vneid import requests
from .support import allow, body, current_user, read

bp = Blueprint("vneid", __name__)


def item(r) -> dict:
    return {
        "id": r.id,
        "personal_id": r.resident.personal_id,
        "resident_name": r.resident.full_name,
        "unit": r.unit.code,
        "status": r.status,
        "due_on": r.due_on.isoformat(),
        "created_at": r.created_at.isoformat(),
        "created_by": r.created_by.username,
        "identity_method": r.identity_method,
        "phone": r.phone,
        "activated_at": r.activated_at.isoformat() if r.activated_at else None,
        "refused_step": r.refused_step,
        "refused_reason": r.refused_reason,
    }


@bp.post("/vneid-requests")
@allow(access.VNEID)
def vneid_start():
    data = body()
    (personal_id,) = read(data, ("personal_id",))
    (presented,) = read(data, optional=("presented",), kind=bool)
    with uow.command():
        answer = item(requests.start(current_user(), personal_id, presented=bool(presented)))
    return jsonify(answer), 201


@bp.get("/vneid-requests/<int:request_id>")
@allow(access.VNEID)
def vneid_get(request_id: int):
    return jsonify(item(requests.get(current_user(), request_id)))


@bp.post("/vneid-requests/<int:request_id>/steps")
@allow(access.VNEID)
def vneid_step(request_id: int):
    data = body()
    (step,) = read(data, ("step",))
    (fields,) = read(data, optional=("data",), kind=dict)
    with uow.command():
        answer = item(requests.complete(current_user(), request_id, step, fields or {}))
    return jsonify(answer)
