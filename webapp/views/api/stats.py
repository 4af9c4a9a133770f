from flask import jsonify, request

from ...services.supervision import coverage
from . import authenticated, bp, current_user


@bp.get("/stats/progress")
@authenticated
def progress():
    return jsonify(coverage.progress(current_user(), request.args.get("unit") or None))
