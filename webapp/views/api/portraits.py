from flask import Blueprint, jsonify, request

from ...services import access, uow
from ...services.cases import commands, portraits
from .support import allow, current_user

bp = Blueprint("portraits", __name__)


@bp.put("/cases/<code>/portrait")
@allow(access.START_CASES)
def portrait_put(code: str):
    """The case's portrait as the raw body (Content-Type image/jpeg or image/png): 201 stored,
    200 when it already was the case's portrait; 415 another type, 413 too large, 422 content
    that is not the declared image."""
    user = current_user()
    case = commands.get_case(user, code)
    data = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: werkzeug's 413
    with uow.command():
        attachment, created = portraits.upload(user, case, data, request.mimetype)
        out = {"sha256": attachment.sha256, "content_type": attachment.content_type, "size": attachment.size}
    return jsonify(out), 201 if created else 200
