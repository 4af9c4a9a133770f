from flask import Blueprint, jsonify, request

from ...services import access, uow
from ...services.accounts import access_log
from ...services.cases import case_view, commands, search, step_fields
from ...services.errors import Forbidden
from .support import allow, body, choice, current_user, flag, listing, page_args, read

bp = Blueprint("cases", __name__)

STATUSES = ("open", "issued", "refused", "withdrawn", "error")
WAITING_STEP = "await_card_production"  # the step waiting for the production centre's message
STEPS = (*step_fields.STEP_FIELDS, WAITING_STEP)


def case_json(case, with_events=True) -> dict:
    return case_view.case_dict(case, with_events)


@bp.post("/cases")
@allow(access.START_CASES)
def case_start():
    user = current_user()
    if not access.can_start_case(user, user.unit):
        raise Forbidden(commands.NOT_YOURS)
    data = body()
    personal_id, kind, priority = read(data, ("personal_id", "kind"), ("priority",))
    # A resident outside the caller's scope is refused by start_case as if unknown.
    with uow.command():
        case = commands.start_case(user, personal_id, kind, priority)
        out = case_json(case, with_events=False)
    return jsonify(out), 201


@bp.get("/cases/<code>")
@allow(access.READ_CASES)
def case_get(code: str):
    case = commands.get_case(current_user(), code)
    out = case_json(case)
    with uow.command():
        access_log.case_read(current_user(), case)
    return jsonify(out)


@bp.get("/cases")
@allow(access.READ_CASES)
def case_list():
    page, per_page = page_args()
    rows, total = search.search(
        current_user(),
        status=choice("status", STATUSES),
        step=choice("step", STEPS),
        unit=request.args.get("unit") or None,
        q=(request.args.get("q") or "").strip()[:100] or None,
        overdue=flag("overdue"),
        page=page,
        per_page=per_page,
    )
    return listing([case_json(c, with_events=False) for c in rows], page, per_page, total)
