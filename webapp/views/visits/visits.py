"""Home visits: the unit's plans, a new plan from the residents who need a visit, the route list
by hamlet with each visit's result, and a household's address and phone."""

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...services import access, clock, uow
from ...services.errors import Invalid
from ...services.text import parse_iso_date
from ...services.visits import households, plans
from ...web import allow, field_errors, invalid_status, render, see_other

bp = Blueprint("visits", __name__, url_prefix="/visits")


def _labels() -> dict:
    return {
        "results": {
            "planned": _("Chưa đến"),
            "taken": _("Đã tiếp nhận hồ sơ tại nhà"),
            "not_home": _("Không có nhà"),
            "refused": _("Từ chối"),
            "deceased": _("Đã chết"),
        },
        "labels": labels,
        "today": clock.today_local(),
    }


@bp.get("/")
@allow(access.LIST_RESIDENTS)
def index():
    return render("visits/index.html", rows=plans.list_plans(current_user), **_labels())


def _new_page(unit_code, form: dict, errors: dict | None = None, status: int = 200):
    unit, people = plans.candidates(current_user, unit_code)
    found = households.by_ids({p.household_id for p in people})
    return render(
        "visits/new.html",
        status=status,
        unit=unit,
        people=people,
        found=found,
        form=form,
        errors=errors or {},
        **_labels(),
    )


@bp.get("/new")
@allow(access.LIST_RESIDENTS)
def new():
    form = {"team": "", "day": clock.today_local().isoformat(), "residents": None}
    return _new_page(request.args.get("unit") or None, form)


@bp.post("/new")
@allow(access.LIST_RESIDENTS)
def create():
    unit_code = request.form.get("unit") or None
    chosen = [int(v) for v in request.form.getlist("resident") if v.isascii() and v.isdigit() and len(v) < 10]
    form = {
        "team": request.form.get("team", ""),
        "day": request.form.get("day", ""),
        "residents": set(chosen),
    }
    try:
        with uow.command():
            plan = plans.create(current_user, unit_code, chosen, form["team"], parse_iso_date(form["day"]))
    except Invalid as exc:
        return _new_page(unit_code, form, field_errors(exc), 422)
    flash(_("Đã lập kế hoạch đến nhà số %(n)s.", n=plan.id), "success")
    return see_other(url_for("visits.plan", plan_id=plan.id))


def _plan_page(plan_id: int, block=None, status: int = 200, errors=None, failed=None):
    return render(
        "visits/plan.html",
        block=block,
        status=status,
        r=plans.route(current_user, plan_id),
        errors=errors or {},
        failed=failed,
        **_labels(),
    )


@bp.get("/<int:plan_id>")
@allow(access.LIST_RESIDENTS)
def plan(plan_id: int):
    return _plan_page(plan_id)


@bp.post("/<int:plan_id>/stops/<int:stop_id>")
@allow(access.LIST_RESIDENTS)
def record(plan_id: int, stop_id: int):
    plans.get(current_user, plan_id)
    form = request.form
    try:
        with uow.command():
            stop = plans.record(
                current_user,
                plan_id,
                stop_id,
                form.get("result"),
                form.get("note", ""),
                form.get("reference", ""),
            )
    except Invalid as exc:
        return _plan_page(plan_id, status=invalid_status(), errors=field_errors(exc), failed=stop_id)
    if stop.case is not None:
        flash(_("Đã tiếp nhận hồ sơ %(code)s tại nhà.", code=stop.case.code), "success")
    else:
        flash(_("Đã ghi kết quả đến nhà."), "success")
    return see_other(url_for("visits.plan", plan_id=plan_id) + f"#stop-{stop_id}")


def _household_page(household_id: str, form=None, errors=None, status: int = 200):
    people = households.members(current_user, household_id)
    found = households.get(household_id)
    if form is None:
        form = (
            households.Address(
                *(getattr(found, n) or "" for n in ("hamlet", "street", "house_number", "phone"))
            )
            if found
            else households.Address()
        )
    return render(
        "visits/household.html",
        status=status,
        household_id=household_id,
        people=people,
        form=form,
        errors=errors or {},
        back=request.values.get("back") if (request.values.get("back") or "").startswith("/") else None,
    )


@bp.get("/households/<household_id>")
@allow(access.LIST_RESIDENTS)
def household(household_id: str):
    return _household_page(household_id)


@bp.post("/households/<household_id>")
@allow(access.LIST_RESIDENTS)
def save_household(household_id: str):
    form = households.Address(
        *(request.form.get(n, "") for n in ("hamlet", "street", "house_number", "phone"))
    )
    try:
        with uow.command():
            households.save(current_user, household_id, form)
    except Invalid as exc:
        return _household_page(household_id, form, field_errors(exc), 422)
    flash(_("Đã lưu địa chỉ và điện thoại của hộ %(h)s.", h=household_id), "success")
    return see_other(url_for("visits.household", household_id=household_id))
