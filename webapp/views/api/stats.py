from flask import Blueprint, jsonify, request

from ...services.supervision import coverage
from .support import authenticated, current_user

bp = Blueprint("stats", __name__)


@bp.get("/stats/progress")
@authenticated
def progress():
    return jsonify(coverage.progress(current_user(), request.args.get("unit") or None))
