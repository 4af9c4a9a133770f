"""Department inboxes: my tasks and my department's queue, with filters kept in the URL."""

from dataclasses import replace

from flask import Blueprint, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...services import access
from ...services.cases import inbox, tasks
from ...services.cooperation import waiting
from ...services.vneid import requests as vneid
from ...web import allow, is_htmx, render, send_table

bp = Blueprint("inbox", __name__)


@bp.get("/")
@allow(access.SIGNED_IN)
def index():
    filters = inbox.Filters.from_args(request.args)
    fmt = request.args.get("format")
    if fmt:  # the whole filtered list, every page, as a file
        rows = stream_with_context(inbox.all_rows(current_user, filters))
        return send_table("hop-cong-viec", fmt, _columns(), rows)
    page = inbox.search(current_user, filters)
    if "scope" not in request.args and page.total == 0 and not filters.q:
        # An officer who holds nothing lands on the department's queue when it has work: an
        # empty "my tasks" page is a dead end at the start of a day.
        queue = inbox.search(current_user, replace(filters, scope="queue"))
        if queue.total:
            filters, page = replace(filters, scope="queue"), queue
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
        # Requests from other units are the unit's work too; an htmx filter redraws only the
        # tasks, so the requests are read for the whole page alone.
        requests=None if is_htmx() else waiting.for_inbox(current_user),
        kinds=labels.COOPERATION_KINDS,
        vneid=None if is_htmx() else vneid.for_inbox(current_user),
        can_vneid=vneid.can_handle(current_user),
        vneid_statuses=labels.VNEID_STATUSES,
    )


def _columns() -> list:
    return [
        (_("Mã hồ sơ"), lambda r: r.case.code),
        (_("Công dân"), lambda r: r.resident.full_name),
        (_("Số định danh"), lambda r: r.resident.personal_id),
        (_("Bước"), lambda r: labels.step(r.task.step)),
        (_("Chờ từ"), lambda r: r.task.ready_at),
        (_("Hạn"), lambda r: r.task.due_at),
        (_("Ưu tiên"), lambda r: r.task.priority or ""),
        (_("Người xử lý"), lambda r: r.assignee.username if r.assignee else ""),
    ]
