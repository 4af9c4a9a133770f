from flask import Blueprint

bp = Blueprint("listing", __name__, url_prefix="/listing")


@bp.get("/")
def index():  # replaced by the feature's views
    return "", 404
