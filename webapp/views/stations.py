from flask import Blueprint

bp = Blueprint("stations", __name__, url_prefix="/stations")


@bp.get("/")
def index():  # replaced by the feature's views
    return "", 404
