from flask import jsonify, request

from ...services import stats
from . import authenticated, bp, current_user


@bp.get("/stats/progress")
@authenticated
def progress():
    return jsonify(stats.progress(current_user(), request.args.get("unit") or None))
