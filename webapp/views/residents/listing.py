"""Door-to-door listing of a commune, status changes inline, and coverage per unit."""

from flask import Blueprint, flash, redirect, request, stream_with_context, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels, web
from ...services import access, uow
from ...services.accounts import access_log
from ...services.cooperation import requests
from ...services.errors import Invalid
from ...services.residents import listing
from ...services.supervision import coverage as stats
from ...web import allow, field_errors, invalid_status, is_htmx, send_table

bp = Blueprint("listing", __name__, url_prefix="/listing")
PAGE = "listing/index.html"
RESIDENT = "listing/resident.html"


def render(template: str, **context):
    """Every listing page gets the labels its macros use (templates/listing/_macros.html)."""
    return web.render(template, labels=labels, **context)


def _numbers() -> dict:
    """Vietnamese numbers in Vietnamese (315.913 · 63,3%), English ones in English."""
    return {
        "num": format_decimal,
        "pct": lambda ratio: "—" if ratio is None else format_percent(ratio, "#,##0.0%"),
    }


def _results(page, status: int = 200):
    return render(
        PAGE,
        block="results",
        status=status,
        page=page,
        f=page.filters,
        units=listing.scope_units(current_user),
    )


@bp.get("/")
@allow(access.LIST_RESIDENTS)
def index():
    filters = listing.Filters.from_args(request.args)
    fmt = request.args.get("format")
    if fmt:  # the commune's whole filtered list, every page, as a file
        rows = stream_with_context(listing.all_rows(current_user, filters))
        return send_table("ra-soat-dan-cu", fmt, _columns(), rows)
    return _results(listing.search(current_user, filters))


def _who(user) -> str:
    return (user.full_name or user.username) if user else ""


def _columns() -> list:
    def reason(r) -> str:
        if r.reason:
            return str(labels.LISTING_REASONS.get(r.reason, r.reason))
        return _("Đã nộp, không còn phải làm") if r.case_code else ""

    return [
        (_("Công dân"), lambda r: r.resident.full_name),
        (_("Số định danh"), lambda r: r.resident.personal_id),
        (_("Ngày sinh"), lambda r: r.resident.birth_date),
        (_("Tuổi"), lambda r: r.age),
        (_("Hộ"), lambda r: r.resident.household_id or ""),
        (_("Lý do phải làm thẻ"), reason),
        (_("Hồ sơ"), lambda r: r.case_code or ""),
        (_("Tình trạng rà soát"), lambda r: str(labels.LISTING_STATUSES.get(r.resident.listing_status, ""))),
        (_("Đang ở"), lambda r: r.away_unit.name if r.away_unit else ""),
        (_("Ghi chú"), lambda r: r.resident.listing_note or ""),
        (
            _("Người rà soát"),
            lambda r: (r.listed_by.full_name or r.listed_by.username) if r.listed_by else "",
        ),
        (_("Thời điểm rà soát"), lambda r: r.resident.listed_at),
    ]


def _change() -> listing.Change:
    form = request.form
    return listing.Change(
        status=form.get("status", ""),
        note=form.get("note", ""),
        away_unit=form.get("away_unit", ""),
        confirm=form.get("confirm") in ("1", "on", "true"),
    )


def _back() -> str:
    """The listing the officer came from (kept in a hidden field), else their own."""
    target = request.form.get("back") or request.args.get("back") or ""
    return target if target.startswith("/listing/") and "//" not in target else url_for("listing.index")


def _resident_page(resident, block: str | None, form=None, errors=None, status: int = 200):
    row = listing.rows([resident])[0]
    return render(
        RESIDENT,
        block=block,
        status=status,
        row=row,
        form=form or {"status": resident.listing_status, "note": resident.listing_note or ""},
        errors=errors or {},
        back=_back(),
    )


@bp.get("/residents/<int:resident_id>")
@allow(access.LIST_RESIDENTS)
def row(resident_id: int):
    """One listing row (htmx: "cancel" in the inline editor); the edit page otherwise."""
    resident = listing.resident_in_scope(current_user, resident_id)
    return _resident_page(resident, "row")


@bp.get("/residents/<int:resident_id>/edit")
@allow(access.LIST_RESIDENTS)
def edit(resident_id: int):
    resident = listing.resident_in_scope(current_user, resident_id)
    response = _resident_page(resident, "edit")
    with uow.command():  # drawn first: the commit would expire what the page reads
        access_log.resident_read(current_user, resident)
    return response


@bp.post("/residents/<int:resident_id>/status")
@allow(access.LIST_RESIDENTS)
def set_status(resident_id: int):
    resident = listing.resident_in_scope(current_user, resident_id)
    change = _change()
    ask = request.form.get("ask") in ("1", "on")
    try:
        with uow.command():
            expected = request.form.get("listed_at")
            if ask:  # "away" and the request to the police there, in one step
                requests.mark_away_and_ask(current_user, resident_id, change, "", expected=expected)
            else:
                listing.set_status(current_user, resident_id, change, expected=expected)
    except Invalid as exc:
        form = {"status": change.status, "note": change.note, "away_unit": change.away_unit, "ask": ask}
        return _resident_page(resident, "edit", form, field_errors(exc), status=invalid_status())
    if is_htmx():
        return _resident_page(resident, "row")
    flash(_("Đã cập nhật tình trạng rà soát."), "success")
    return redirect(_back(), code=303)


@bp.post("/households/status")
@allow(access.LIST_RESIDENTS)
def set_household():
    # The household's own view: its unit and household, no other filter.
    form = request.form
    filters = listing.Filters.from_args(
        {"unit": form.get("unit", ""), "household": form.get("household", "")}
    )
    change = _change()
    try:
        with uow.command():
            changed = listing.set_household_status(
                current_user, filters.unit, filters.household or "", change
            )
    except Invalid as exc:
        page = listing.search(current_user, filters)
        household = {"status": change.status, "note": change.note, "away_unit": change.away_unit}
        return render(
            PAGE,
            block="results",
            status=invalid_status(),
            page=page,
            f=filters,
            units=listing.scope_units(current_user),
            household_form=household,
            household_errors=field_errors(exc),
        )
    text = _("Đã cập nhật %(n)s người trong hộ %(h)s.", n=changed, h=filters.household)
    if is_htmx():
        page = listing.search(current_user, filters)
        return render(
            PAGE, block="results", page=page, f=filters, units=listing.scope_units(current_user), done=text
        )
    flash(text, "success")
    return redirect(url_for("listing.index", **filters.args()), code=303)


@bp.get("/coverage")
@allow(access.SEE_COVERAGE)
def coverage():
    figures = stats.coverage(current_user, request.args.get("unit") or None)
    fmt = request.args.get("format")
    if fmt:  # the child units and the unit's total, as a file
        columns = [
            (_("Mã đơn vị"), lambda f: f.unit.code),
            (_("Đơn vị"), lambda f: f.unit.name),
            (_("Đã nộp"), lambda f: f.applied),
            (_("Phải làm thẻ"), lambda f: f.eligible),
            (_("Tỷ lệ (%)"), lambda f: None if f.ratio is None else round(100 * f.ratio, 1)),
        ]
        rows = [*figures.children, figures.total]
        return send_table(f"do-phu-{figures.total.unit.code}", fmt, columns, rows)
    return render(
        "listing/coverage.html", c=figures, can_list=access.can_list_residents(current_user), **_numbers()
    )
