"""Production and delivery batches: the list (filters in the URL), cases ready for a dispatch
batch per unit, a batch's page with its cases, sending a dispatch batch, receiving a delivery
batch in bulk, and CSV/XLSX files of both lists.

Actions are plain form posts answered with 303 (htmx: HX-Redirect); what happened case by case
comes back as flash messages on the batch's page."""

from collections import Counter

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import labels
from ...i18n import message
from ...services import access, uow
from ...services.errors import Conflict, Invalid
from ...services.production import batches, delivery
from ...web import allow, render, see_other, send_table

bp = Blueprint("batches", __name__, url_prefix="/batches")

PER_PAGE = 50
EXPORT_MAX = 10_000  # batches in one file of the list
KINDS = {"dispatch": _l("Lô gửi sản xuất"), "delivery": _l("Lô thẻ về đơn vị")}
STATUSES = {
    "dispatch": {"open": _l("Đang lập"), "sent": _l("Đã gửi sản xuất"), "received": _l("Đã sản xuất xong")},
    "delivery": {"sent": _l("Đang chuyển về"), "received": _l("Đã nhận đủ")},  # a parcel is never open
}
STATES = {
    "waiting": _l("Chờ sản xuất"),
    "produced": _l("Đã có thẻ"),
    "to_receive": _l("Chờ nhận thẻ"),
    "received": _l("Đã nhận"),
    "left": _l("Không còn trong quy trình này"),
}
MAX_FLASHED = 20  # failures listed one by one; beyond that, a count


def _filters() -> dict:
    args = request.args
    default = "delivery" if current_user.role == "police" else "dispatch"  # officers receive parcels
    kind = args.get("kind") if args.get("kind") in batches.KINDS else default
    return {
        "kind": kind,
        "status": args.get("status") if args.get("status") in batches.STATUSES else "",
        "unit": (args.get("unit") or "").strip()[:20],
        "page": min(max(args.get("page", 1, type=int), 1), 10_000),
    }


@bp.get("/")
@allow(access.READ_BATCHES)
def index():
    f = _filters()
    if request.args.get("format"):
        rows, _total = batches.list_batches(current_user, f["kind"], f["status"], f["unit"], 1, EXPORT_MAX)
        return send_table(f"lo-{f['kind']}", request.args["format"], _list_columns(f["kind"]), rows)
    rows, total = batches.list_batches(current_user, f["kind"], f["status"], f["unit"], f["page"], PER_PAGE)
    return render(
        "batches/index.html",
        block="results",
        rows=rows,
        total=total,
        pages=max(1, -(-total // PER_PAGE)),
        f=f,
        ready=batches.ready_by_unit(current_user),
        can_dispatch=current_user.role in access.DISPATCHERS,
        kinds=KINDS,
        statuses=STATUSES,
    )


@bp.post("/")
@allow(access.DISPATCH)
def create():
    try:
        with uow.command():
            batch = batches.create_dispatch(current_user, request.form.get("unit", ""))
    except (Invalid, Conflict) as exc:
        _flash_error(exc)
        return see_other(url_for("batches.index", kind="dispatch"))
    flash(_("Đã lập lô %(code)s. Kiểm tra rồi gửi đi sản xuất.", code=batch.code), "success")
    return see_other(url_for("batches.detail", code=batch.code))


@bp.get("/<code>")
@allow(access.READ_BATCHES)
def detail(code: str):
    batch = batches.get_batch(current_user, code)
    members = batches.members(batch)
    if request.args.get("format"):
        return send_table(batch.code, request.args["format"], _member_columns(), members)
    return render(
        "batches/detail.html",
        batch=batch,
        members=members,
        pending=[m for m in members if m.state == "to_receive"],
        counts=Counter(m.state for m in members),
        can_send=batch.kind == "dispatch"
        and batch.status == "open"
        and access.can_dispatch_batches(current_user, batch.unit),
        can_receive=batch.kind == "delivery" and access.can_receive_batches(current_user, batch.unit),
        kinds=KINDS,
        statuses=STATUSES,
        states=STATES,
        labels=labels,
    )


@bp.post("/<code>/send")
@allow(access.DISPATCH)
def send(code: str):
    try:
        with uow.command():
            batch = batches.send(current_user, code)
    except Conflict as exc:
        _flash_error(exc)
        return see_other(url_for("batches.detail", code=code))
    flash(_("Đã gửi lô %(code)s đi sản xuất.", code=batch.code), "success")
    return see_other(url_for("batches.detail", code=code))


@bp.post("/<code>/receive")
@allow(access.RECEIVE)
def receive(code: str):
    try:
        outcome = delivery.receive(current_user, code, request.form.getlist("case"))
    except (Invalid, Conflict) as exc:
        _flash_error(exc)
        return see_other(url_for("batches.detail", code=code))
    if outcome.done:
        flash(_("Đã nhận %(n)s thẻ về đơn vị.", n=len(outcome.done)), "success")
    if outcome.unchanged:
        flash(_("%(n)s thẻ đã được nhận từ trước.", n=len(outcome.unchanged)), "success")
    for case_code, exc in outcome.failed[:MAX_FLASHED]:
        flash(f"{case_code}: {message(exc.message)}", "error")
    if len(outcome.failed) > MAX_FLASHED:
        flash(_("Và %(n)s hồ sơ khác chưa nhận được.", n=len(outcome.failed) - MAX_FLASHED), "error")
    return see_other(url_for("batches.detail", code=code))


def _flash_error(exc: Invalid | Conflict) -> None:
    problems = [message(p) for ps in exc.fields.values() for p in ps]
    flash(" ".join(problems) or message(exc.message), "error")


def _list_columns(kind: str) -> list:
    names = STATUSES[kind]
    return [
        (_("Mã lô"), lambda r: r.batch.code),
        (_("Đơn vị"), lambda r: r.batch.unit.code),
        (_("Tên đơn vị"), lambda r: r.batch.unit.name),
        (_("Trạng thái"), lambda r: str(names.get(r.batch.status, r.batch.status))),
        (_("Lập lúc"), lambda r: r.batch.created_at),
        (_("Số hồ sơ"), lambda r: r.cases),
        (_("Đã xong"), lambda r: r.done),
        (_("Kết thúc lúc"), lambda r: r.batch.closed_at),
    ]


def _member_columns() -> list:
    return [
        (_("Mã hồ sơ"), lambda m: m.case_code),
        (_("Số định danh"), lambda m: m.personal_id),
        (_("Họ và tên"), lambda m: m.full_name),
        (_("Ngày sinh"), lambda m: m.birth_date),
        (_("Đơn vị"), lambda m: m.unit_code),
        (_("Số thẻ"), lambda m: m.card_number),
        (_("Tình trạng"), lambda m: str(STATES.get(m.state, m.state))),
    ]
