"""Task pages: the step's form beside the case's data; claim, release and assign."""

from flask import Blueprint, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import labels
from ..forms import tasks as task_forms
from ..models import CaseEvent, CaseTask, Unit, db
from ..services import clock, inbox, tasks, uow
from ..services.errors import Invalid
from ..web import is_htmx, render

bp = Blueprint("tasks", __name__)


def _page(task, form, status=200):
    case = task.case
    events = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == "completed")
        .order_by(CaseEvent.id.desc())
        .limit(10)
    ).all()
    return render(
        "tasks/show.html",
        block="task_form",
        status=status,
        task=task,
        case=case,
        form=form,
        history=events,
        labels=labels,
    )


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str):
    task = tasks.workable_task(current_user, task_id)
    return _page(task, task_forms.build(task.step))


@bp.post("/tasks/<task_id>/check")
@login_required
def check(task_id: str):
    """Inline validation while the officer types: the form block with its errors, nothing saved."""
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step, request.form)
    form.validate()
    field = form._fields.get(request.args.get("field", ""))
    if field is None:
        return _page(task, form)
    return render("tasks/show.html", block="field_errors", field=field)


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str):
    task = tasks.workable_task(current_user, task_id)
    form = task_forms.build(task.step, request.form)
    if form.validate():
        try:
            with uow.command():
                case = tasks.complete(
                    current_user, task_id, task_forms.to_data(task.step, form), expected_version=_version()
                )
        except Invalid as exc:
            task_forms.attach_errors(form, exc.fields)
        else:
            flash(_where_it_went(case), "success")
            if is_htmx():  # htmx follows a 302 itself; this header makes the browser go instead
                response = make_response("", 200)
                response.headers["HX-Redirect"] = url_for("inbox.index")
                return response
            return redirect(url_for("inbox.index"), code=303)
    return _page(task, form, status=200 if is_htmx() else 422)


def _version() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() else None


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
