"""Task pages: the step's form beside the case's data; claim, release and assign; at intake the
registry beside the papers with the proposed discrepancies, and the portrait."""

import logging

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_blocks
from werkzeug.exceptions import RequestEntityTooLarge

from ... import labels
from ...forms import tasks as task_forms
from ...i18n import message
from ...services import access, clock, uow
from ...services.accounts import access_log
from ...services.cases import (
    case_view,
    commands,
    inbox,
    intake,
    justice_view,
    portraits,
    step_fields,
    step_outcomes,
    step_rules,
    tasks,
)
from ...services.errors import Conflict, Invalid
from ...web import allow, back_path, form_version, invalid_status, is_htmx, render, see_other
from ..errors import title_of

log = logging.getLogger(__name__)
bp = Blueprint("tasks", __name__)
TEMPLATE = "tasks/show.html"
# Fields of verify_application whose change refreshes the proposed discrepancies.
LIVE_FIELDS = {
    "birth_certificate",
    *(step_fields.paper_field(p, f) for p in step_fields.PAPERS for f in step_fields.PAPER_FACTS),
}


def _comparison(task):
    """At intake: the registry against what the posted form says the papers say."""
    if task.step != "verify_application":
        return None
    data = task_forms.to_data(task.step, request.form)
    return intake.compare(task.case.resident, intake.papers_of(data))


def _page(task, form, status=200, portrait_errors=(), portrait_missing=(), comparison=None, confirm=False):
    case = task.case
    return render(
        TEMPLATE,
        block="task_form",
        status=status,
        task=task,
        case=case,
        form=form,
        history=case_view.completions(case, limit=10),
        labels=labels,
        step_fields=step_fields,
        comparison=comparison or _comparison(task),
        portrait=portraits.latest(case),
        portrait_errors=list(portrait_errors),
        portrait_missing=list(portrait_missing),
        max_photo_kb=portraits.max_bytes() // 1024,
        intake=intake,
        seen=case_view.last_event_id(case),
        triage=justice_view.triage(case) if task.step == "triage_correction" else None,
        value=labels.field_value,
        outcomes=step_outcomes.outcomes(task.step),
        chosen=task_forms.outcome(task.step, request.form) if confirm else None,
    )


@bp.get("/tasks/<task_id>")
@allow(access.WORK_TASKS)
def show(task_id: str):
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step)
    comparison = _comparison(task)
    if comparison is not None:  # the proposal starts ticked; the officer confirms or changes it
        form.discrepancies.data = comparison.codes
    if task.step == "triage_correction":  # the decision table's suggestion starts chosen
        form.procedure.data = justice_view.triage(task.case).suggested
    response = _page(task, form, comparison=comparison)
    # The task page shows the resident's record beside the papers: a read of the case.
    with uow.command():  # drawn first: the commit would expire what the page reads
        access_log.case_read(current_user, task.case)
    return response


@bp.post("/tasks/<task_id>/check")
@allow(access.WORK_TASKS)
def check(task_id: str):
    """Inline validation while the officer types: the form block with its errors, nothing saved.
    At intake, a paper's field also refreshes the proposal and the highlighted cells."""
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step, request.form)
    _check_rules(task, form)
    field = form._fields.get(request.args.get("field", ""))
    if field is None:
        return _page(task, form)
    if task.step == "verify_application" and field.name in LIVE_FIELDS and is_htmx():
        comparison = _comparison(task)
        form.discrepancies.data = _reticked(form.discrepancies.data or [], comparison.codes)
        body = render_blocks(
            TEMPLATE,
            ["field_errors", "intake_live"],
            field=field,
            form=form,
            task=task,
            comparison=comparison,
            step_fields=step_fields,
            intake=intake,
        )
        response = make_response(body)
        response.headers["Vary"] = "HX-Request"
        return response
    return render(TEMPLATE, block="field_errors", field=field)


def _check_rules(task, form) -> None:
    """The step's rules (step_rules, as the completion applies them) on what the form holds, each
    problem under its field; nothing is saved."""
    try:
        step_rules.validate(task.step, task_forms.to_data(task.step, request.form), clock.today_local())
    except Invalid as exc:
        task_forms.attach_errors(form, {n: p for n, p in exc.fields.items() if n in form._fields})


def _reticked(ticked: list[str], proposed: list[str]) -> list[str]:
    """The officer's ticks after the proposal changed: codes no longer proposed lose the tick the
    proposal gave them, newly proposed codes get one, and what the officer ticked or unticked
    by hand otherwise stays."""
    before = set(request.form.getlist("proposed"))
    now = set(proposed)
    keep = (set(ticked) - (before - now)) | (now - before)
    return [code for code in step_fields.DISCREPANCIES if code in keep]


@bp.post("/tasks/<task_id>")
@allow(access.WORK_TASKS)
def complete(task_id: str):
    """One read of the task and its case, one access check, one validation (the service's).
    The button pressed is the outcome; one that ends or refuses the case is confirmed first (in
    a dialog; without script the page comes back with the dialog open)."""
    department = current_user.department  # read now: the commit expires the user's row
    try:
        with uow.command():
            work = tasks.take(current_user, task_id, form_version())
            step = work.task.step
            data = task_forms.to_data(step, request.form)
            asked = task_forms.apply_outcome(step, request.form, data)
            confirmed = task_forms.confirmed(step, request.form)
            if asked or not confirmed:  # every problem at once (the dialog's and the form's) first
                problems = {**_rule_problems(step, data), **asked}
                if problems:
                    raise Invalid(problems)
                return _page(work.task, task_forms.build(step, request.form), confirm=True)
            done = tasks.complete_taken(current_user, work, data)
    except Conflict as exc:
        return _conflict(task_id, exc)
    except Invalid as exc:
        form = task_forms.build(work.task.step, request.form)
        fields = dict(exc.fields)
        portrait_missing = [message(p) for p in fields.pop("portrait", [])]
        task_forms.attach_errors(form, fields)
        return _page(
            work.task,
            form,
            status=invalid_status(),
            portrait_missing=portrait_missing,
            confirm=any(f in fields for f in task_forms.outcome(step, request.form).asks),
        )
    flash(_where_it_went(done), "success")
    return see_other(_after(done, department))


def _conflict(task_id: str, exc: Conflict):
    """Someone changed the case since the form was opened: say what (which step, which fields,
    who, when), beside the reload that keeps the officer's input (static/js/app.js)."""
    seen = request.form.get("seen", type=int)
    context = {
        "title": title_of(409),
        "text": message(exc.message),
        "code": 409,
        "changes": case_view.changes_since(current_user, task_id, seen),
        "seen_given": seen is not None,
        "labels": labels,
        "step_fields": step_fields,
        "value": labels.field_value,
    }
    if is_htmx():
        return render("tasks/_conflict.html", status=409, **context)
    return render("errors/error.html", status=409, fields={}, **context)


def _rule_problems(step: str, data: dict) -> dict:
    try:
        step_rules.validate(step, dict(data), clock.today_local())
    except Invalid as exc:
        return dict(exc.fields)
    return {}


def _after(done: tasks.Completion, department: str) -> str:
    """Back to the inbox; when the next step is again the officer's department's (the justice
    office triages then records the decision), the inbox offers "Nhận và xử lý tiếp": one click
    claims it and opens it, instead of searching the queue, claiming and opening."""
    for n in done.next_steps:
        if n.department == department and n.task_id:
            flash({"task": n.task_id, "step": n.step, "code": done.code}, "next-task")
            break
    return url_for("inbox.index")


def _where_it_went(done: tasks.Completion) -> str:
    if done.status != "open":
        return _(
            "Hồ sơ %(code)s đã kết thúc: %(status)s.", code=done.code, status=labels.STATUSES[done.status]
        )
    if not done.next_steps:
        steps = ", ".join(labels.step(s) for s in done.waiting)
        return _("Hồ sơ %(code)s đang chờ: %(steps)s.", code=done.code, steps=steps)
    parts = [
        _(
            "%(department)s %(unit)s (%(step)s)",
            department=labels.DEPARTMENTS[n.department],
            unit=n.unit_name,
            step=labels.step(n.step),
        )
        for n in done.next_steps
    ]
    return _("Đã chuyển hồ sơ %(code)s: %(where)s.", code=done.code, where="; ".join(parts))


def _redraw(task_id: str, done_message: str):
    if is_htmx():
        row = inbox.row(task_id)
        return render(
            "tasks/row.html",
            block="row",
            row=row,
            labels=labels,
            now=clock.now(),
            due_class=inbox.due_class,
            waiting_days=inbox.waiting_days,
            colleagues=tasks.colleagues(current_user),
        )
    flash(done_message, "success")
    return redirect(back_path() or url_for("inbox.index"), code=303)


@bp.post("/tasks/<task_id>/claim")
@allow(access.WORK_TASKS)
def claim(task_id: str):
    """Claim; with `open` (the "Nhận và xử lý tiếp" and the case page's buttons) go on to the
    task's page."""
    with uow.command():
        tasks.claim(current_user, task_id, form_version())
    if request.form.get("open"):
        return see_other(url_for("tasks.show", task_id=task_id))
    return _redraw(task_id, _("Đã nhận việc."))


@bp.post("/tasks/<task_id>/release")
@allow(access.WORK_TASKS)
def release(task_id: str):
    with uow.command():
        tasks.release(current_user, task_id)
    return _redraw(task_id, _("Đã trả việc về hàng chờ."))


@bp.post("/tasks/<task_id>/assign")
@allow(access.ASSIGN_TASKS)
def assign(task_id: str):
    with uow.command():
        tasks.assign(current_user, task_id, request.form.get("assignee", ""))
    return _redraw(task_id, _("Đã giao việc."))


# --- the portrait ----------------------------------------------------------------------------


@bp.post("/tasks/<task_id>/portrait")
@allow(access.WORK_TASKS)
def upload_portrait(task_id: str):
    """A multipart upload of the portrait: the panel again for htmx, else back to the task page."""
    task = tasks.workable_task(current_user, task_id)
    upload = request.files.get("portrait")
    errors = []
    if upload is None or not upload.filename:
        errors = [_("Chọn một tệp ảnh JPEG hoặc PNG.")]
    else:
        try:
            with uow.command():
                portraits.upload(current_user, task.case, upload.read())
        except (Invalid, portraits.TooLarge) as exc:
            errors = [message(p) for p in exc.fields.get("portrait", [exc.message])]
    return _portrait_answer(task, errors)


def _portrait_answer(task, errors: list[str]):
    if is_htmx():
        return render(
            TEMPLATE,
            block="portrait_panel",
            task=task,
            case=task.case,
            portrait=portraits.latest(task.case),
            portrait_errors=errors,
            max_photo_kb=portraits.max_bytes() // 1024,
        )
    if errors:
        return _page(task, task_forms.build(task.step), status=422, portrait_errors=errors)
    flash(_("Đã lưu ảnh chân dung."), "success")
    return redirect(url_for("tasks.show", task_id=task.id), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    """A photo over the request limit is refused before any of it is read: say so beside the
    file input rather than on an error page."""
    if request.endpoint != "tasks.upload_portrait":
        return render(
            "errors/error.html",
            status=413,
            title=title_of(413),
            text=_("Dữ liệu gửi lên quá lớn."),
        )
    task = tasks.workable_task(current_user, request.view_args["task_id"])
    text = _("Ảnh quá lớn: tối đa %(kb)d KB.", kb=portraits.max_bytes() // 1024)
    return _portrait_answer(task, [text])


@bp.get("/cases/<code>/portrait")
@allow(access.READ_CASES)
def portrait(code: str):
    """The case's latest portrait, for whoever may see the case; never cached."""
    case = commands.get_case(current_user, code)
    attachment = portraits.latest(case)
    if attachment is None:
        abort(404)
    try:
        data = portraits.read(attachment)
    except FileNotFoundError:
        log.warning("portrait %s of case %s is missing from the store", attachment.sha256, case.code)
        abort(404)
    with uow.command():
        access_log.case_read(current_user, case, "portrait_viewed")
    response = make_response(data)
    response.mimetype = attachment.content_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = (
        f"inline; filename=portrait-{case.code}.{portraits.EXTENSIONS[attachment.content_type]}"
    )
    return response


@bp.app_template_global("portrait_of")
def portrait_of(case):
    """The case's latest portrait (or None), for pages outside this blueprint (the case page)."""
    return portraits.latest(case)
