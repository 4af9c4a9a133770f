from flask import Blueprint, jsonify

from ...services import access, uow
from ...services.cases import case_view, inbox, step_fields, tasks
from .support import allow, bad_request, body, choice, current_user, flag, listing, page_args

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


def task_json(task, with_form=False) -> dict:
    out = case_view.task_dict(task, task.case.code)
    if with_form:
        out["form"] = {"fields": [f.describe() for f in step_fields.fields(task.step)]}
    return out


@bp.get("/tasks")
@allow(access.READ_CASES)
def task_list():
    page, per_page = page_args()
    user = current_user()
    scope = choice("scope", ("mine", "queue")) or "mine"
    step, overdue = choice("step", tuple(step_fields.STEP_FIELDS)), flag("overdue")
    rows, total = inbox.task_page(user, scope, step, overdue, page, per_page)
    return listing([task_json(t) for t in rows], page, per_page, total)


@bp.get("/tasks/<task_id>")
@allow(access.READ_CASES)
def task_get(task_id: str):
    return jsonify(task_json(tasks.get_task(current_user(), task_id), with_form=True))


@bp.post("/tasks/<task_id>/claim")
@allow(access.WORK_TASKS)
def task_claim(task_id: str):
    with uow.command():
        task = tasks.claim(current_user(), task_id)
        out = task_json(task)
    return jsonify(out)


@bp.post("/tasks/<task_id>/release")
@allow(access.WORK_TASKS)
def task_release(task_id: str):
    with uow.command():
        task = tasks.release(current_user(), task_id)
        out = task_json(task)
    return jsonify(out)


@bp.post("/tasks/<task_id>/complete")
@allow(access.WORK_TASKS)
def task_complete(task_id: str):
    user = current_user()
    with uow.command():
        work = tasks.take(user, task_id)  # 404 out of scope, 403 another department, 409 done
        data = body().get("data", {})
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise bad_request("data must be a JSON object.", {"data": ["A JSON object."]})
        _check_types(work.step, data)
        done = tasks.complete_taken(user, work, data)
        out = case_view.after_completion(work.case, done.tasks)
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
