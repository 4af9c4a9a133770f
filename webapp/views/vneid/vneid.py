"""VNeID level 2 requests: the unit's list, a new request (from the resident's page, or at a
station's desk for whoever shows their chip card), one request with its current step's form."""

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...services import access, clock, uow
from ...services.errors import Invalid
from ...services.vneid import requests
from ...web import allow, field_errors, invalid_status, render, see_other

bp = Blueprint("vneid", __name__, url_prefix="/vneid")
LIST, NEW, DETAIL = "vneid/index.html", "vneid/new.html", "vneid/detail.html"
FIELDS = ("result", "method", "reason", "phone")


def _context(**extra) -> dict:
    return {
        "statuses": labels.VNEID_STATUSES,
        "methods": labels.VNEID_METHODS,
        "today": clock.today_local(),
        **extra,
    }


@bp.get("/")
@allow(access.VNEID)
def index():
    filters = requests.Filters.from_args(request.args)
    return render(LIST, block="results", **_context(page=requests.search(current_user, filters), f=filters))


def _new_form(form: dict, errors: dict | None = None, status: int = 200):
    return render(NEW, block="form", status=status, **_context(form=form, errors=errors or {}))


@bp.get("/new")
@allow(access.VNEID)
def new():
    return _new_form(
        {"personal_id": request.args.get("personal_id", ""), "presented": request.args.get("presented", "")}
    )


@bp.post("/")
@allow(access.VNEID)
def create():
    form = {k: request.form.get(k, "") for k in ("personal_id", "presented")}
    try:
        with uow.command():
            made = requests.start(current_user, form["personal_id"], presented=bool(form["presented"]))
    except Invalid as exc:
        return _new_form(form, field_errors(exc), invalid_status())
    flash(_("Đã tạo đề nghị định danh điện tử số %(n)s.", n=made.id), "success")
    return see_other(url_for("vneid.detail", request_id=made.id))


def _detail(item, form: dict | None = None, status: int = 200):
    return render(
        DETAIL,
        block="step",
        status=status,
        **_context(
            item=item, form=form or {"errors": {}}, can_act=item.is_open and requests.can_handle(current_user)
        ),
    )


@bp.get("/<int:request_id>")
@allow(access.VNEID)
def detail(request_id: int):
    return _detail(requests.get(current_user, request_id))


@bp.post("/<int:request_id>")
@allow(access.VNEID)
def complete(request_id: int):
    """The step the page showed (`step`), completed with its fields; a stale page is a 409."""
    item = requests.get(current_user, request_id)
    form = {k: request.form.get(k, "") for k in FIELDS}
    data = {**form, "own_subscription": request.form.get("own_subscription") == "1"}
    try:
        with uow.command():
            done = requests.complete(current_user, request_id, request.form.get("step"), data)
    except Invalid as exc:
        return _detail(
            item,
            {**form, "own_subscription": data["own_subscription"], "errors": field_errors(exc)},
            invalid_status(),
        )
    flash(_("Đề nghị số %(n)s: %(s)s.", n=done.id, s=labels.VNEID_STATUSES[done.status]), "success")
    return see_other(url_for("vneid.detail", request_id=done.id))
