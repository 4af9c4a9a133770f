"""Task pages: the step's form beside the case's data; claim, release and assign; at intake the
registry beside the papers with the proposed discrepancies, and the portrait."""

import logging

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_blocks
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ... import labels
from ...forms import tasks as task_forms
from ...i18n import message
from ...models import CaseEvent, CaseTask, Unit, db
from ...services import clock, uow
from ...services.cases import commands, inbox, intake, portraits, step_rules, tasks
from ...services.cases import step_fields as step_data
from ...services.errors import Invalid
from ...web import form_version, is_htmx, render

log = logging.getLogger(__name__)
bp = Blueprint("tasks", __name__)
TEMPLATE = "tasks/show.html"
# Fields of verify_application whose change refreshes the proposed discrepancies.
LIVE_FIELDS = {
    "birth_certificate",
    *(step_data.paper_field(p, f) for p in step_data.PAPERS for f in step_data.PAPER_FACTS),
}


def _comparison(task, form):
    """At intake: the registry against what the form says the papers say."""
    if task.step != "verify_application":
        return None
    data = task_forms.to_data(task.step, form)
    return intake.compare(task.case.resident, intake.papers_of(data))


def _page(task, form, status=200, portrait_errors=(), portrait_missing=(), comparison=None):
    case = task.case
    events = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == "completed")
        .order_by(CaseEvent.id.desc())
        .limit(10)
    ).all()
    return render(
        TEMPLATE,
        block="task_form",
        status=status,
        task=task,
        case=case,
        form=form,
        history=events,
        labels=labels,
        step_data=step_data,
        comparison=comparison or _comparison(task, form),
        portrait=portraits.latest(case),
        portrait_errors=list(portrait_errors),
        portrait_missing=list(portrait_missing),
        max_photo_kb=portraits.max_bytes() // 1024,
        intake=intake,
    )


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str):
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step)
    comparison = _comparison(task, form)
    if comparison is not None:  # the proposal starts ticked; the officer confirms or changes it
        form.discrepancies.data = comparison.codes
    return _page(task, form, comparison=comparison)


@bp.post("/tasks/<task_id>/check")
@login_required
def check(task_id: str):
    """Inline validation while the officer types: the form block with its errors, nothing saved.
    At intake, a paper's field also refreshes the proposal and the highlighted cells."""
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step, request.form)
    form.validate()
    _service_rules(task, form)
    field = form._fields.get(request.args.get("field", ""))
    if field is None:
        return _page(task, form)
    if task.step == "verify_application" and field.name in LIVE_FIELDS and is_htmx():
        comparison = _comparison(task, form)
        form.discrepancies.data = _reticked(form.discrepancies.data or [], comparison.codes)
        body = render_blocks(
            TEMPLATE,
            ["field_errors", "intake_live"],
            field=field,
            form=form,
            task=task,
            comparison=comparison,
            step_data=step_data,
            intake=intake,
        )
        response = make_response(body)
        response.headers["Vary"] = "HX-Request"
        return response
    return render(TEMPLATE, block="field_errors", field=field)


def _service_rules(task, form) -> None:
    """The step's own rules (a paper's date, the phone number...) beside WTForms' checks, on the
    fields WTForms found nothing wrong with."""
    try:
        step_rules.validate(task.step, task_forms.to_data(task.step, form), clock.today_local())
    except Invalid as exc:
        fresh = {
            name: problems
            for name, problems in exc.fields.items()
            if name in form._fields and not form[name].errors
        }
        task_forms.attach_errors(form, fresh)


def _reticked(ticked: list[str], proposed: list[str]) -> list[str]:
    """The officer's ticks after the proposal changed: codes no longer proposed lose the tick the
    proposal gave them, newly proposed codes get one, and what the officer ticked or unticked
    by hand otherwise stays."""
    before = set(request.form.getlist("proposed"))
    now = set(proposed)
    keep = (set(ticked) - (before - now)) | (now - before)
    return [code for code in step_data.DISCREPANCIES if code in keep]


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str):
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step, request.form)
    portrait_missing = []
    if form.validate():
        try:
            with uow.command():
                case = tasks.complete(
                    current_user,
                    task_id,
                    task_forms.to_data(task.step, form),
                    expected_version=form_version(),
                )
        except Invalid as exc:
            fields = dict(exc.fields)
            portrait_missing = [message(p) for p in fields.pop("portrait", [])]
            task_forms.attach_errors(form, fields)
        else:
            flash(_where_it_went(case), "success")
            if is_htmx():  # htmx follows a 302 itself; this header makes the browser go instead
                response = make_response("", 200)
                response.headers["HX-Redirect"] = url_for("inbox.index")
                return response
            return redirect(url_for("inbox.index"), code=303)
    return _page(task, form, status=200 if is_htmx() else 422, portrait_missing=portrait_missing)


def _where_it_went(case) -> str:
    if case.status != "open":
        return _(
            "Hồ sơ %(code)s đã kết thúc: %(status)s.", code=case.code, status=labels.STATUSES[case.status]
        )
    rows = db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)).all()
    if not rows:
        return _(
            "Hồ sơ %(code)s đang chờ: %(steps)s.",
            code=case.code,
            steps=", ".join(labels.step(s) for s in case.steps),
        )
    parts = []
    for row in rows:
        unit = db.session.get(Unit, row.unit_id)
        parts.append(
            _(
                "%(department)s %(unit)s (%(step)s)",
                department=labels.DEPARTMENTS[row.department],
                unit=unit.name,
                step=labels.step(row.step),
            )
        )
    return _("Đã chuyển hồ sơ %(code)s: %(where)s.", code=case.code, where="; ".join(parts))


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
    return redirect(
        request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("inbox.index"),
        code=303,
    )


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    with uow.command():
        tasks.claim(current_user, task_id)
    return _redraw(task_id, _("Đã nhận việc."))


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str):
    with uow.command():
        tasks.release(current_user, task_id)
    return _redraw(task_id, _("Đã trả việc về hàng chờ."))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    with uow.command():
        tasks.assign(current_user, task_id, request.form.get("assignee", ""))
    return _redraw(task_id, _("Đã giao việc."))


# --- the portrait ----------------------------------------------------------------------------


@bp.post("/tasks/<task_id>/portrait")
@login_required
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
            title=f"{exc.code} {exc.name}",
            text=_("Dữ liệu gửi lên quá lớn."),
        )
    task = tasks.workable_task(current_user, request.view_args["task_id"])
    text = _("Ảnh quá lớn: tối đa %(kb)d KB.", kb=portraits.max_bytes() // 1024)
    return _portrait_answer(task, [text])


@bp.get("/cases/<code>/portrait")
@login_required
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
