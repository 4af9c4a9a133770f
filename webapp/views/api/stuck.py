"""GET /api/v1/stuck: the stuck-cases list of the web page, for reporting systems."""

from flask import Blueprint, jsonify, request

from ...services import access
from ...services.errors import Forbidden
from ...services.supervision import stuck
from ...services.supervision.actions import NOT_SUPERVISOR
from .support import allow, choice, current_user, invalid, page_args

bp = Blueprint("stuck", __name__)


def _filters(page: int) -> stuck.Filters:
    raw_days = request.args.get("min_days", "0")
    if not raw_days.isascii() or not raw_days.isdigit() or int(raw_days) > stuck.MAX_DAYS:
        raise invalid("min_days", f"A whole number of working days from 0 to {stuck.MAX_DAYS}.")
    return stuck.Filters(
        unit=request.args.get("unit") or None,
        step=choice("step", stuck.known_steps()),
        department=choice("department", stuck.DEPARTMENTS),
        reason=choice("reason", stuck.REASONS),
        min_days=int(raw_days),
        sort=choice("sort", stuck.SORTS) or "overdue",
        page=page,
    )


def _item(row: stuck.Row) -> dict:
    return {
        "case_code": row.case.code,
        "status": row.case.status,
        "task_id": row.task.id if row.task else None,
        "step": row.step,
        "department": row.department,
        "unit": row.unit.code,
        "assignee": row.assignee.username if row.assignee else None,
        "ready_at": row.task.ready_at.isoformat() if row.task else None,
        "last_action_at": row.last_action.isoformat() if row.last_action else None,
        "since": row.since.isoformat() if row.since else None,
        "late_days": row.late_days,
        "reasons": row.reasons,
    }


@bp.get("/stuck")
@allow(access.SUPERVISE)
def stuck_list():
    user = current_user()
    if not access.can_supervise_cases(user):
        raise Forbidden(NOT_SUPERVISOR)
    page_number, per_page = page_args()
    found = stuck.page(user, _filters(page_number), per_page)
    return jsonify(
        items=[_item(r) for r in found.rows],
        page=page_number,
        per_page=per_page,
        total=found.total,
        capped=found.capped,
        counts=found.counts,
    )
