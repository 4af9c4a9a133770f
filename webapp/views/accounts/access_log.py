"""The access log page: who read or exported personal data in the viewer's unit subtree,
filtered in the URL, paged, downloadable. Supervisors and administrators."""

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...services import access
from ...services.accounts import access_log
from ...web import allow, render, send_table

bp = Blueprint("access_log", __name__, url_prefix="/access-log")

ACTIONS = {
    "case_viewed": _l("Đã xem hồ sơ"),
    "resident_viewed": _l("Đã xem thông tin dân cư"),
    "portrait_viewed": _l("Đã xem ảnh chân dung"),
    "exported": _l("Đã tải danh sách"),
}


@bp.get("/")
@allow(access.READ_ACCESS_LOG)
def index():
    filters = access_log.Filters.from_args(request.args)
    fmt = request.args.get("format")
    if fmt:
        return send_table("nhat-ky-truy-cap", fmt, _columns(), access_log.export_rows(current_user, filters))
    page = access_log.search(current_user, filters)
    return render("access_log/index.html", block="results", page=page, f=filters, actions=ACTIONS)


def _columns():
    return [
        (_("Thời gian"), lambda r: r[0].at),
        (_("Cán bộ"), lambda r: r[1]),
        (_("Thao tác"), lambda r: str(ACTIONS.get(r[0].action, r[0].action))),
        (_("Mã hồ sơ"), lambda r: r[0].case_code),
        (_("Số định danh"), lambda r: r[0].personal_id),
        (_("Danh sách"), lambda r: r[0].what),
        (_("Số dòng"), lambda r: r[0].rows),
    ]
