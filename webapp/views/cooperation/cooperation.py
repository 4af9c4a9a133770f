"""Requests between units: the queue and the sent list, a new request, one request with its
answer (or, for a transfer, accept / decline), cancel; and the unit picker's options."""

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...services import access, clock, uow
from ...services.accounts import unit_picker
from ...services.cooperation import requests, transfers
from ...services.errors import Invalid
from ...web import allow, field_errors, invalid_status, render, see_other

bp = Blueprint("cooperation", __name__, url_prefix="/cooperation")
LIST = "cooperation/index.html"
DETAIL = "cooperation/detail.html"
NEW = "cooperation/new.html"


def _context(**extra) -> dict:
    return {
        "kinds": labels.COOPERATION_KINDS,
        "statuses": labels.COOPERATION_STATUSES,
        "today": clock.today_local(),
        **extra,
    }


@bp.get("/")
@allow(access.COOPERATE)
def index():
    filters = requests.Filters.from_args(request.args)
    page = requests.search(current_user, filters)
    return render(LIST, block="results", **_context(page=page, f=filters))


@bp.get("/units")
@allow(access.SIGNED_IN)
def units():
    """Options of the unit picker (a <datalist>), matched on the name without diacritics."""
    choices = unit_picker.search(
        request.args.get("q") or request.args.get("unit") or request.args.get("away_unit") or ""
    )
    return render("cooperation/_units.html", choices=choices)


def _new_form(form: dict, errors: dict | None = None, status: int = 200):
    return render(
        NEW, block="form", status=status, **_context(form=form, errors=errors or {}, choices=requests.KINDS)
    )


@bp.get("/new")
@allow(access.COOPERATE)
def new():
    requests.require(current_user)
    form = {
        "personal_id": request.args.get("personal_id", ""),
        "kind": request.args.get("kind", "take_application"),
        "unit": "",
        "message": "",
    }
    return _new_form(form)


@bp.post("/")
@allow(access.COOPERATE)
def create():
    form = {k: request.form.get(k, "") for k in ("personal_id", "kind", "unit", "message")}
    try:
        with uow.command():
            sent = requests.send(
                current_user, form["kind"], form["personal_id"].strip(), form["unit"], form["message"]
            )
    except Invalid as exc:
        return _new_form(form, field_errors(exc), invalid_status())
    flash(_("Đã gửi đề nghị số %(n)s tới %(u)s.", n=sent.id, u=sent.to_unit.name), "success")
    return see_other(url_for("cooperation.detail", request_id=sent.id))


def _detail(item, answer: dict | None = None, status: int = 200):
    return render(
        DETAIL,
        block="answer",
        status=status,
        **_context(
            item=item,
            receiving=item.is_open
            and requests.can_cooperate(current_user)
            and item.to_unit_path.startswith(current_user.unit.path),
            sending=item.is_open
            and requests.can_cooperate(current_user)
            and item.from_unit_path.startswith(current_user.unit.path),
            answer=answer or {"result": "", "answer": "", "decision": "", "errors": {}},
        ),
    )


@bp.get("/<int:request_id>")
@allow(access.COOPERATE)
def detail(request_id: int):
    return _detail(requests.get(current_user, request_id))


@bp.post("/<int:request_id>/answer")
@allow(access.COOPERATE)
def answer(request_id: int):
    item = requests.get(current_user, request_id)
    form = {k: request.form.get(k, "") for k in ("result", "answer", "decision")}
    try:
        with uow.command():
            if item.kind == "transfer":
                transfers.decide(current_user, request_id, form["decision"], form["answer"])
            else:
                requests.answer(current_user, request_id, form["result"], form["answer"])
    except Invalid as exc:
        return _detail(item, form | {"errors": field_errors(exc)}, invalid_status())
    flash(_("Đã trả lời đề nghị số %(n)s.", n=request_id), "success")
    return see_other(url_for("cooperation.index"))


@bp.post("/<int:request_id>/cancel")
@allow(access.COOPERATE)
def cancel(request_id: int):
    with uow.command():
        requests.cancel(current_user, request_id)
    flash(_("Đã hủy đề nghị số %(n)s.", n=request_id), "success")
    return see_other(url_for("cooperation.index", box="outgoing"))
