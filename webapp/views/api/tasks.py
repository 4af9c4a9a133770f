from flask import Blueprint, jsonify
from sqlalchemy import select

from ...models import Case, CaseTask, db
from ...services import clock, uow
from ...services.cases import case_view, step_fields, tasks
from .cases import case_json, next_tasks
from .support import authenticated, bad_request, body, choice, current_user, flag, listing, page_args

bp = Blueprint("tasks", __name__)

# The JSON type each form field type takes (null or absent means empty; the step's rules decide).
JSON_TYPES = {
    "string": (str, "a string"),
    "text": (str, "a string"),
    "boolean": (bool, "true or false"),
    "date": (str, "a string YYYY-MM-DD"),
    "integer": (int, "an integer"),
    "choice": (str, "a string"),
    "multi_choice": (list, "a list of strings"),
    "object": (dict, "an object"),
}


def task_json(task: CaseTask, with_form=False) -> dict:
    out = case_view.task_dict(task, task.case.code)
    if with_form:
        out["form"] = {"fields": [f.describe() for f in step_fields.fields(task.step)]}
    return out


@bp.get("/tasks")
@authenticated
def task_list():
    page, per_page = page_args()
    user = current_user()
    scope = choice("scope", ("mine", "queue")) or "mine"
    step, overdue = choice("step", tuple(step_fields.STEP_FIELDS)), flag("overdue")
    query = (
        select(CaseTask).join(Case, Case.id == CaseTask.case_id).where(CaseTask.department == user.department)
    )
    if scope == "mine":
        query = query.where(CaseTask.assignee_id == user.id)
    query = query.where(CaseTask.unit_path.startswith(user.unit.path, autoescape=True))
    if step:
        query = query.where(CaseTask.step == step)
    if overdue:
        query = query.where(CaseTask.due_at < clock.now())
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(CaseTask.due_at.is_(None), CaseTask.due_at, CaseTask.ready_at, CaseTask.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
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
    user = current_user()
    step = tasks.workable_task(user, task_id).step  # 404 out of scope, 403 another department, 409 done
    data = body().get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise bad_request("data must be a JSON object.", {"data": ["A JSON object."]})
    _check_types(step, data)
    with uow.command():
        case = tasks.complete(user, task_id, data)
        out = {"case": case_json(case, with_events=False), "next_tasks": next_tasks(case)}
    return jsonify(out)


def _check_types(step: str, data: dict) -> None:
    """A declared field of the wrong JSON type is malformed input (400 naming it); unknown
    fields and wrong values are the step's rules (422)."""
    wrong = {}
    for field in step_fields.fields(step):
        value, (kind, described) = data.get(field.name), JSON_TYPES[field.type]
        if value is None:
            continue
        if (
            not isinstance(value, kind)
            or (kind is int and isinstance(value, bool))
            or (kind is list and not all(isinstance(v, str) for v in value))
        ):
            wrong[field.name] = [f"Wrong JSON type: {described} expected."]
    if wrong:
        raise bad_request("Some fields have the wrong JSON type.", wrong)
