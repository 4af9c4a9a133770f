from flask import jsonify

from ...services import case_view, residents, uow
from ...services.errors import Msg, NotFound
from . import authenticated, body, bp, current_user


@bp.put("/residents/<personal_id>")
@authenticated
def resident_put(personal_id: str):
    data = body()
    with uow.command():
        resident, created = residents.upsert(current_user(), personal_id, data)
        out = case_view.resident_dict(resident)
    return jsonify(out), 201 if created else 200


@bp.get("/residents/<personal_id>")
@authenticated
def resident_get(personal_id: str):
    resident = residents.get(personal_id)
    if resident is None or not residents.visible(current_user(), resident):
        raise NotFound(Msg("Không có công dân này.", "No such resident."))
    return jsonify(case_view.resident_dict(resident))
