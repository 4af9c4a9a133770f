"""The outbox page: notifications and hand-offs waiting, sent or failed, filtered in the URL,
downloadable, and "send again" for failed ones. Supervisors (their scope) and administrators."""

from flask import Blueprint, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import labels
from ...services import access, exports, uow
from ...services.messaging import outbox
from ...web import allow, is_htmx, render, send_table

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

STATUSES = {"pending": _l("Đang chờ gửi"), "sent": _l("Đã gửi"), "failed": _l("Gửi lỗi")}
KINDS = {
    "reminder": _l("Nhắc việc"),
    "escalation": _l("Báo cáo vượt cấp"),
    "population_sync": _l("Đồng bộ CSDL dân cư"),
}
CHANNELS = {
    "log": _l("Nhật ký"),
    "file": _l("Tệp nhật ký (JSON)"),
    "email": _l("Thư điện tử"),
    "sms": _l("Tin nhắn SMS"),
    "population_sync": _l("CSDL dân cư"),
}


@bp.get("/")
@allow(access.READ_OUTBOX)
def index():
    filters = outbox.Filters.from_args(request.args)
    fmt = request.args.get("format")
    if fmt:
        if fmt not in exports.FORMATS:
            abort(404)
        rows = stream_with_context(outbox.export_rows(current_user, filters))
        return send_table("outbox", fmt, _columns(), rows)
    return _page(filters)


@bp.post("/<int:message_id>/retry")
@allow(access.READ_OUTBOX)
def retry(message_id: int):
    with uow.command():
        message = outbox.retry(current_user, message_id)
    flash(
        _("Đã xếp thông báo #%(id)s gửi lại; tiến trình nền sẽ gửi trong lượt tới.", id=message.id), "success"
    )
    filters = outbox.Filters.from_args(request.form)
    if is_htmx():
        return _page(filters)
    return redirect(url_for("outbox.index", **filters.args()), 303)


def _page(filters: outbox.Filters):
    page = outbox.search(current_user, filters)
    return render(
        "outbox/index.html",
        block="results",
        page=page,
        f=filters,
        statuses=STATUSES,
        kinds=KINDS,
        channels=CHANNELS,
        max_attempts=outbox.max_attempts(),
        labels=labels,
        body_rows=labels.outbox_rows,
    )


def _columns():
    return [
        ("#", lambda r: r[0].id),
        (_("Loại"), lambda r: str(KINDS.get(r[0].kind, r[0].kind))),
        (_("Kênh"), lambda r: str(CHANNELS.get(r[0].channel, r[0].channel))),
        (_("Người nhận"), lambda r: r[0].recipient),
        (_("Mã hồ sơ"), lambda r: r[1]),
        (_("Tiêu đề"), lambda r: r[0].subject),
        (_("Trạng thái"), lambda r: str(STATUSES.get(r[0].status, r[0].status))),
        (_("Số lần thử"), lambda r: r[0].attempts),
        (_("Tạo lúc"), lambda r: r[0].created_at),
        (_("Lần thử tới"), lambda r: r[0].next_attempt_at if r[0].status == "pending" else None),
        (_("Gửi lúc"), lambda r: r[0].sent_at),
        (_("Lỗi gần nhất"), lambda r: r[0].last_error),
    ]
