from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/residents/imports")


@bp.get("/")
def index():  # replaced by the feature's views
    return "", 404
