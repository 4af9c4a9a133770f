from flask import jsonify, request
from sqlalchemy import select

from ...models import Case, CaseTask, db
from ...services import case_view, clock, step_data, tasks, uow
from . import ApiError, authenticated, body, bp, current_user, listing, page_args
from .cases import case_json, next_tasks


def task_json(task: CaseTask, with_form=False) -> dict:
    out = case_view.task_dict(task, task.case.code)
    if with_form:
        out["form"] = {"fields": [f.describe() for f in step_data.fields(task.step)]}
    return out


@bp.get("/tasks")
@authenticated
def task_list():
    page, per_page = page_args()
    user = current_user()
    scope = request.args.get("scope", "mine")
    if scope not in ("mine", "queue"):
        raise ApiError(422, "invalid", "scope must be mine or queue.", {"scope": ["mine or queue"]})
    query = (
        select(CaseTask).join(Case, Case.id == CaseTask.case_id).where(CaseTask.department == user.department)
    )
    if scope == "mine":
        query = query.where(CaseTask.assignee_id == user.id)
    else:
        query = query.where(CaseTask.unit_path.startswith(user.unit.path, autoescape=True))
    if request.args.get("step"):
        query = query.where(CaseTask.step == request.args["step"])
    if request.args.get("overdue") == "true":
        query = query.where(CaseTask.due_at < clock.now())
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(CaseTask.due_at, CaseTask.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return listing([task_json(t) for t in rows], page, per_page, total)


@bp.get("/tasks/<task_id>")
@authenticated
def task_get(task_id: str):
    return jsonify(task_json(tasks.get_task(current_user(), task_id), with_form=True))


@bp.post("/tasks/<task_id>/claim")
@authenticated
def task_claim(task_id: str):
    with uow.command():
        task = tasks.claim(current_user(), task_id)
        out = task_json(task)
    return jsonify(out)


@bp.post("/tasks/<task_id>/release")
@authenticated
def task_release(task_id: str):
    with uow.command():
        task = tasks.release(current_user(), task_id)
        out = task_json(task)
    return jsonify(out)


@bp.post("/tasks/<task_id>/complete")
@authenticated
def task_complete(task_id: str):
    data = body().get("data", {})
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "data must be a JSON object.", {"data": ["A JSON object."]})
    with uow.command():
        case = tasks.complete(current_user(), task_id, data)
        out = {"case": case_json(case, with_events=False), "next_tasks": next_tasks(case)}
    return jsonify(out)
