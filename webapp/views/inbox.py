from flask import Blueprint
from flask_login import login_required

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index():
    return "inbox"
