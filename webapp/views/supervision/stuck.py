"""Supervisors: the stuck-cases list (filters in the URL, bulk reassign, CSV/XLSX), the actions
on one case, and the per-step targets."""

import logging

from flask import Blueprint, flash, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...i18n import message
from ...services import access, clock, uow, workflow_store
from ...services.cases import commands, comments, justice_due, legal_due
from ...services.cases.inbox import due_class
from ...services.errors import Forbidden, Invalid
from ...services.supervision import actions, stuck
from ...services.supervision import targets as targets_service
from ...web import allow, field_errors, form_version, invalid_status, is_htmx, render, see_other
from . import stuck_files

log = logging.getLogger(__name__)
bp = Blueprint("stuck", __name__, url_prefix="/stuck")
LIST = "stuck/index.html"
CASE = "stuck/case.html"
TARGETS = "stuck/targets.html"


@bp.app_template_global("can_supervise")
def can_supervise(user) -> bool:
    return user.is_authenticated and access.can_supervise_cases(user)


def _guard() -> None:
    if not access.can_supervise_cases(current_user):
        raise Forbidden(actions.NOT_SUPERVISOR)


# -- the list -------------------------------------------------------------------------------------
def _list(filters: stuck.Filters, status: int = 200, bulk=None, bulk_errors=None, chosen=None):
    """The list; after a bulk reassign its result beside the form, and on an error the ticked
    rows, the officer and the reason kept (`chosen`)."""
    page = stuck.page(current_user, filters)
    departments = {row.department for row in page.rows if row.task}
    return render(
        LIST,
        block="results",
        status=status,
        page=page,
        f=filters,
        units=stuck.unit_choices(current_user, page.unit),
        officers=actions.officers(page.unit, departments or None),
        steps=stuck.known_steps(),
        labels=labels,
        reasons=stuck_files.REASON_LABELS,
        due_class=due_class,
        bulk=bulk,
        bulk_errors=bulk_errors or {},
        chosen=chosen or {"tasks": set(), "assignee": "", "reason": ""},
    )


@bp.get("/")
@allow(access.SUPERVISE)
def index():
    _guard()
    filters = stuck.Filters.from_args(request.args)
    fmt = request.args.get("format")
    if fmt:
        stuck.scope_unit(current_user, filters.unit)  # a 404 now, not once the file has begun
        rows = stuck.all_rows(current_user, filters)
        return stuck_files.send(fmt, stream_with_context(rows))
    return _list(filters)


@bp.post("/bulk-reassign")
@allow(access.SUPERVISE)
def bulk_reassign():
    _guard()
    filters = stuck.Filters.from_args(request.form)
    form = request.form
    try:
        result = actions.bulk_reassign(
            current_user, form.getlist("task"), form.get("assignee"), form.get("reason")
        )
    except Invalid as exc:
        chosen = {
            "tasks": set(form.getlist("task")),
            "assignee": form.get("assignee", ""),
            "reason": form.get("reason", ""),
        }
        return _list(filters, invalid_status(), bulk_errors=field_errors(exc), chosen=chosen)
    summary = _(
        "Đã giao lại %(done)s công việc; %(failed)s không giao được.",
        done=len(result.done),
        failed=len(result.failed),
    )
    failures = {
        result.codes.get(task_id, _("(công việc không còn)")): _why(exc)
        for task_id, exc in result.failed.items()
    }
    if is_htmx():
        return _list(filters, bulk={"text": summary, "failed": failures})
    said = " ".join([summary, *(f"{code}: {why}" for code, why in failures.items())])
    flash(said, "success" if not result.failed else "error")
    return see_other(url_for("stuck.index", **filters.args()))


def _why(exc) -> str:
    """A failure in words: the error and what each field said (never an internal id)."""
    details = [message(p) for problems in exc.fields.values() for p in problems]
    return " ".join([message(exc.message), *details])


# -- one case -------------------------------------------------------------------------------------
def _case_page(code: str, block: str | None = None, status: int = 200, form: str = "", **state):
    case = commands.get_case(current_user, code)
    tasks = comments.current_tasks(case)
    return render(
        CASE,
        block=block,
        status=status,
        case=case,
        tasks=tasks,
        officers={t.id: actions.assignable(t.department, t.unit_path) for t in tasks},
        heads=actions.unit_heads(case),
        passed=actions.passed_steps(case) if access.can_rewind_cases(current_user) else [],
        can_rewind=access.can_rewind_cases(current_user),
        on_current=case.spec_version != workflow_store.engine().current.version,
        labels=labels,
        due_class=due_class,
        now=clock.now(),
        form=form,
        values=state.get("values") or {},
        errors=state.get("errors") or {},
        done=state.get("done"),
    )


@bp.get("/cases/<code>")
@allow(access.SUPERVISE)
def case(code: str):
    _guard()
    return _case_page(code, block="panel")


def _act(code: str, form: str, run, done: str):
    """Run one action; answer the panel (htmx) or redirect, or the form again with its errors."""
    _guard()
    try:
        with uow.command():
            run()
    except Invalid as exc:
        status = invalid_status()
        return _case_page(code, "panel", status, form, values=request.form, errors=field_errors(exc))
    log.info("%s on %s by %s", form, code, current_user.username)
    if is_htmx():
        return _case_page(code, "panel", done=done)
    flash(done, "success")
    return see_other(url_for("stuck.case", code=code))


@bp.post("/cases/<code>/reassign")
@allow(access.SUPERVISE)
def reassign(code: str):
    f = request.form
    return _act(
        code,
        "reassign",
        lambda: actions.reassign(
            current_user, f.get("task", ""), f.get("assignee"), f.get("reason"), form_version()
        ),
        _("Đã giao lại công việc."),
    )


@bp.post("/cases/<code>/escalate")
@allow(access.SUPERVISE)
def escalate(code: str):
    reason = request.form.get("reason")
    return _act(
        code,
        "escalate",
        lambda: actions.escalate(current_user, code, reason),
        _("Đã báo cáo lãnh đạo đơn vị."),
    )


@bp.post("/cases/<code>/comment")
@allow(access.SUPERVISE)
def comment(code: str):
    text = request.form.get("text")
    return _act(code, "comment", lambda: actions.comment(current_user, code, text), _("Đã gửi ý kiến."))


@bp.post("/cases/<code>/retry")
@allow(access.REWIND)
def retry(code: str):
    f = request.form
    on_current = f.get("on_current") in ("1", "on")
    return _act(
        code,
        "retry",
        lambda: actions.retry(current_user, code, f.get("reason"), on_current, form_version()),
        _("Đã chạy lại bước bị lỗi; xem trạng thái hồ sơ."),
    )


@bp.post("/cases/<code>/move")
@allow(access.REWIND)
def move(code: str):
    f = request.form
    return _act(
        code,
        "move",
        lambda: actions.move(
            current_user, code, f.get("step"), f.get("confirm"), f.get("reason"), form_version()
        ),
        _("Đã chuyển hồ sơ về bước đã chọn."),
    )


# -- per-step targets -----------------------------------------------------------------------------
@bp.get("/targets")
@allow(access.SUPERVISE)
def targets():
    _guard()
    return _targets_page({}, {})


@bp.post("/targets")
@allow(access.REWIND)  # reading the targets is for every watcher, changing them is not
def save_targets():
    values = {
        step: (request.form.get(f"{step}.target_days"), request.form.get(f"{step}.idle_days"))
        for step in workflow_store.engine().current.steps
    }
    try:
        with uow.command():
            changed = targets_service.save(current_user, values)
    except Invalid as exc:
        return _targets_page(values, field_errors(exc))
    flash(_("Đã lưu chỉ tiêu của %(n)s bước.", n=len(changed)), "success")
    return see_other(url_for("stuck.targets"))


def _targets_page(values: dict, errors: dict):
    status = 422 if errors else 200
    return render(
        TARGETS,
        status=status,
        rows=targets_service.targets(),
        legal=legal_due.table(),
        justice=justice_due.table(),
        values=values,
        errors=errors,
        can_edit=access.can_set_targets(current_user),
        labels=labels,
        max_days=targets_service.MAX_DAYS,
    )
