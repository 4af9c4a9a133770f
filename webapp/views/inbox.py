"""Department inboxes: my tasks and my department's queue, with filters kept in the URL."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from .. import labels
from ..services import inbox, tasks
from ..web import render

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index():
    filters = inbox.Filters.from_args(request.args)
    page = inbox.search(current_user, filters)
    return render(
        "inbox/index.html",
        block="results",
        page=page,
        f=filters,
        labels=labels,
        now=page.now,
        due_class=inbox.due_class,
        waiting_days=inbox.waiting_days,
        colleagues=tasks.colleagues(current_user),
    )
