from flask import Blueprint, jsonify, request

from ...services import access
from ...services.supervision import coverage
from .support import allow, current_user

bp = Blueprint("stats", __name__)


@bp.get("/stats/progress")
@allow(access.SEE_PROGRESS)
def progress():
    return jsonify(coverage.progress(current_user(), request.args.get("unit") or None))
