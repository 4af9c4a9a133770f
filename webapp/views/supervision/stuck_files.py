"""The stuck-cases list as a file (?format=csv|xlsx), with the page's column headers."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import labels
from ...web import send_table

REASON_LABELS = {
    "overdue": _l("Quá hạn"),
    "target": _l("Quá chỉ tiêu"),
    "idle": _l("Không có thao tác"),
    "error": _l("Lỗi quy trình"),
    "production": _l("Chờ sản xuất quá hạn"),
}


def _reasons(row) -> str:
    return "; ".join(str(REASON_LABELS.get(r, r)) for r in row.reasons)


def columns() -> list:
    return [
        (_("Mã hồ sơ"), lambda r: r.case.code),
        (_("Công dân"), lambda r: r.resident.full_name),
        (_("Số định danh"), lambda r: r.resident.personal_id),
        (_("Đơn vị"), lambda r: f"{r.unit.name} ({r.unit.code})"),
        (_("Bước"), lambda r: labels.step(r.step or "")),
        (_("Bộ phận"), lambda r: str(labels.DEPARTMENTS.get(r.department, r.department or ""))),
        (_("Người xử lý"), lambda r: r.assignee.username if r.assignee else ""),
        (_("Chờ từ"), lambda r: r.task.ready_at if r.task else None),
        (_("Thao tác gần nhất"), lambda r: r.last_action),
        (_("Hạn"), lambda r: r.since),
        (_("Số ngày làm việc quá hạn"), lambda r: r.late_days),
        (_("Lý do"), _reasons),
    ]


def send(fmt: str, rows):
    return send_table("ho-so-ton-dong", fmt, columns(), rows)
