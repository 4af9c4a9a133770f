from flask import current_app, jsonify, request

from ...models import CaseTask, db
from ...services import case_search, case_view, cases, uow
from . import ApiError, authenticated, body, bp, current_user, expect, listing, page_args

STATUSES = ("open", "issued", "refused", "withdrawn", "error")


def case_json(case, with_events=True) -> dict:
    out = case_view.case_dict(case, with_events)
    out["unit"] = case.unit.code
    return out


@bp.post("/cases")
@authenticated
def case_start():
    data = body()
    personal_id = expect(data, "personal_id", str)
    kind = expect(data, "kind", str)
    priority = expect(data, "priority", str, required=False)
    with uow.command():
        case = cases.start_case(
            current_user(), personal_id, kind, priority, law=current_app.config["IDENTITY_LAW"]
        )
        out = case_json(case, with_events=False)
    return jsonify(out), 201


@bp.get("/cases/<code>")
@authenticated
def case_get(code: str):
    return jsonify(case_json(cases.get_case(current_user(), code)))


@bp.get("/cases")
@authenticated
def case_list():
    page, per_page = page_args()
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError(422, "invalid", "Unknown status.", {"status": [f"One of: {', '.join(STATUSES)}."]})
    rows, total = case_search.search(
        current_user(),
        status=status,
        step=request.args.get("step") or None,
        unit=request.args.get("unit") or None,
        q=(request.args.get("q") or "")[:100] or None,
        overdue=request.args.get("overdue") == "true",
        page=page,
        per_page=per_page,
    )
    return listing([case_json(c, with_events=False) for c in rows], page, per_page, total)


def next_tasks(case) -> list[dict]:
    rows = db.session.query(CaseTask).filter_by(case_id=case.id).all()
    return [case_view.task_dict(t, case.code) for t in rows]
