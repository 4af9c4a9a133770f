"""The case page: resident, current steps, the diagram, the timeline; comments and transfers."""

import logging

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...services import access, clock, uow, workflow_store
from ...services.accounts import access_log
from ...services.cases import commands, comments, id_decision, receipt, step_fields
from ...services.cases.inbox import due_class
from ...services.cooperation import transfers
from ...services.errors import Invalid
from ...web import allow, field_errors, form_version, invalid_status, is_htmx, render, see_other

log = logging.getLogger(__name__)
bp = Blueprint("cases", __name__)

MAIN_PROCESS = "cccd_issuance"
JUSTICE_PROCESS = "civil_status_correction"
# On the main diagram the justice steps are inside this call activity.
JUSTICE_CALL = "call_civil_status_correction"
TEMPLATE = "cases/detail.html"


def _page(case, block: str | None = None, status: int = 200, comment=None, transfer=None, id_form=None):
    """The case page, or one of its blocks for htmx. `comment` and `transfer` carry a form's
    submitted values and errors back into it."""
    events = comments.timeline(case)
    done = comments.done_steps(case)
    steps = workflow_store.bundle_for(case.spec_version).steps
    justice = any(s in steps and steps[s].process == JUSTICE_PROCESS for s in (*case.steps, *done))
    return render(
        TEMPLATE,
        block=block,
        status=status,
        case=case,
        resident=case.resident,
        tasks=comments.current_tasks(case),
        events=events,
        unit_names=comments.unit_names(events),
        done=done,
        show_justice=justice,
        justice_call=JUSTICE_CALL,
        can_transfer=access.can_transfer(current_user),
        pending_transfer=transfers.pending_for(case.id),
        return_reasons=commands.RETURN_REASONS,
        comment=comment or {"text": "", "errors": {}},
        transfer=transfer or {"unit": "", "reason": "", "errors": {}},
        labels=labels,
        due_class=due_class,
        now=clock.now(),
        max_comment=comments.MAX_LENGTH,
        step_fields=step_fields,
        isod=labels.iso_day,
        today=clock.today_local(),
        id_flag=id_decision.needed(case),
        id_parts=[str(labels.ID_MISMATCH[p]) for p in (case.resident.id_mismatch or "").split(",") if p],
        id_decisions=id_decision.DECISIONS,
        can_decide=access.can_confirm_corrections(current_user),
        id_form=id_form or {"decision": "", "new_personal_id": "", "reason": "", "errors": {}},
        can_work=lambda task: access.can_work_task(current_user, task),
    )


@bp.get("/cases/<code>")
@allow(access.READ_CASES)
def detail(code: str):
    case = commands.get_case(current_user, code)
    response = _page(case)
    with uow.command():  # drawn first: the commit would expire what the page reads
        access_log.case_read(current_user, case)
    return response


@bp.get("/cases/<code>/diagram.bpmn")
@allow(access.READ_CASES)
def diagram(code: str):
    """The diagram the case is pinned to (its spec version), for the viewer on the page."""
    case = commands.get_case(current_user, code)
    process = request.args.get("process", MAIN_PROCESS)
    xml = workflow_store.bundle_for(case.spec_version).sources.get(f"{process}.bpmn")
    if process not in (MAIN_PROCESS, JUSTICE_PROCESS) or xml is None:
        abort(404)
    return Response(xml, mimetype="application/xml")


@bp.post("/cases/<code>/comments")
@allow(access.READ_CASES)
def comment(code: str):
    case = commands.get_case(current_user, code)
    text = request.form.get("text", "")
    try:
        with uow.command():
            comments.add_comment(current_user, code, text)
    except Invalid as exc:
        form = {"text": text, "errors": field_errors(exc)}
        return _page(case, "activity", invalid_status(), comment=form)
    log.info("comment on %s by %s", code, current_user.username)
    if is_htmx():
        return _page(case, "activity", comment={"text": "", "errors": {}, "sent": True})
    flash(_("Đã gửi ý kiến."), "success")
    return see_other(url_for("cases.detail", code=code))


@bp.post("/cases/<code>/transfer")
@allow(access.TRANSFER_CASES)
def transfer(code: str):
    case = commands.get_case(current_user, code)
    unit, reason = request.form.get("unit", "").strip(), request.form.get("reason", "")
    try:
        with uow.command():
            sent = transfers.ask(current_user, code, unit, reason, expected_version=form_version())
    except Invalid as exc:
        form = {"unit": unit, "reason": reason, "errors": field_errors(exc)}
        return _page(case, "transfer_form", invalid_status(), transfer=form)
    log.info("case %s: transfer to %s asked by %s", code, sent.to_unit.code, current_user.username)
    flash(
        _(
            "Đã đề nghị %(unit)s nhận hồ sơ %(code)s; hồ sơ ở lại đơn vị cho đến khi được nhận.",
            code=code,
            unit=sent.to_unit.name,
        ),
        "success",
    )
    return see_other(url_for("cases.detail", code=code))


@bp.post("/cases/<code>/id-decision", endpoint="id_decision")
@allow(access.CONFIRM_CORRECTIONS)
def id_decision_post(code: str):
    """A police lead's decision on a personal ID that disagrees with the record."""
    case = commands.get_case(current_user, code)
    form = {k: request.form.get(k, "").strip() for k in ("decision", "new_personal_id", "reason")}
    try:
        with uow.command():
            id_decision.decide(
                current_user,
                code,
                form["decision"],
                form["new_personal_id"] or None,
                form["reason"] or None,
                expected_version=form_version(),
            )
    except Invalid as exc:
        return _page(case, None, invalid_status(), id_form={**form, "errors": field_errors(exc)})
    flash(_("Đã ghi quyết định về số định danh."), "success")
    return see_other(url_for("cases.detail", code=code))


@bp.get("/cases/<code>/receipt", endpoint="receipt")
@allow(access.READ_CASES)
def receipt_slip(code: str):
    """The receipt slip (CC02) with the return date and a QR code of the case code."""
    return render("cases/receipt.html", r=receipt.receipt(current_user, code), labels=labels)
