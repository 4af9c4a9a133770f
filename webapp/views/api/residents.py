from flask import Blueprint, jsonify

from ...services import access, uow
from ...services.accounts import access_log
from ...services.cases import case_view
from ...services.errors import Msg, NotFound
from ...services.residents import corrections, registry, rows
from ...services.residents import personal_id as id_rules
from .support import allow, body, current_user, read

bp = Blueprint("residents", __name__)
NO_SUCH_RESIDENT = Msg("Không có công dân này.", "No such resident.")


@bp.put("/residents/<personal_id>")
@allow(access.EDIT_RESIDENTS)
def resident_put(personal_id: str):
    data = body()
    read(data, optional=rows.FIELDS)  # every field is text or null; anything else is malformed (400)
    with uow.command():
        resident, created = registry.upsert_in_scope(current_user(), personal_id, data)
        out = _record(resident)
    return jsonify(out), 201 if created else 200


@bp.get("/residents/<personal_id>")
@allow(access.READ_RESIDENTS)
def resident_get(personal_id: str):
    resident = registry.get(personal_id) if not id_rules.problems(personal_id) else None
    if resident is None or not registry.visible(current_user(), resident):
        raise NotFound(NO_SUCH_RESIDENT)
    out = _record(resident)
    with uow.command():
        access_log.resident_read(current_user(), resident)
    return jsonify(out)


def _record(resident) -> dict:
    """The record as a case shows it, plus the card the resident holds today."""
    issued = resident.card_issued_on
    return {
        **case_view.resident_dict(resident),
        "card_state": resident.card_state,
        "card_issued_on": issued.isoformat() if issued else None,
    }


@bp.post("/residents/<personal_id>/corrections")
@allow(access.CORRECT_RESIDENTS)
def correction_post(personal_id: str):
    data = body()
    read(data, optional=("reason",))
    read(data, required=("changes", "basis"), kind=dict)
    with uow.command():
        correction = corrections.propose(
            current_user(), personal_id, data["changes"], data["basis"], data.get("reason")
        )
        out = {"correction": corrections.as_dict(correction), "resident": _record(correction.resident)}
    return jsonify(out), 201


@bp.post("/residents/<personal_id>/corrections/<int:correction_id>/confirm")
@allow(access.CONFIRM_CORRECTIONS)
def correction_confirm(personal_id: str, correction_id: int):
    with uow.command():
        correction = corrections.confirm(current_user(), personal_id, correction_id)
        out = {"correction": corrections.as_dict(correction), "resident": _record(correction.resident)}
    return jsonify(out)
