"""The police desk's correction of a population record (phiếu thu thập, cập nhật thông tin dân
cư): the record with its flag, the form, the history old -> new, a lead's confirmation."""

from datetime import date

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...services import access, uow
from ...services.accounts import access_log
from ...services.errors import Invalid
from ...services.residents import corrections
from ...web import allow, field_errors, invalid_status, render, see_other

bp = Blueprint("corrections", __name__)
TEMPLATE = "corrections/index.html"


def _dmy(value) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else (value or "")


def _iso(value: str) -> str:
    """dd/mm/yyyy as people write it → YYYY-MM-DD; anything else goes on for the service to refuse."""
    parts = value.split("/")
    if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts):
        return f"{parts[2].zfill(4)}-{parts[1].zfill(2)}-{parts[0].zfill(2)}"
    return value


def _current(resident) -> dict:
    """The form's starting values: the record as it is."""
    values = {f: getattr(resident, f) or "" for f in corrections.FIELDS}
    values["birth_date"] = _dmy(resident.birth_date)
    return values


def _submitted(resident) -> tuple[dict, dict, dict, str]:
    """(the form as sent, the changes it makes, the basis, the reason): a field left as the record
    has it is no change."""
    form = request.form
    sent = {f: form.get(f, "").strip() for f in corrections.FIELDS}
    current = _current(resident)
    changes = {f: (_iso(v) if f == "birth_date" else v) for f, v in sent.items() if v != str(current[f])}
    basis = {
        "kind": form.get("basis_kind", ""),
        "number": form.get("basis_number", "").strip(),
        "date": _iso(form.get("basis_date", "").strip()),
    }
    return (
        {**sent, **{f"basis_{k}": form.get(f"basis_{k}", "") for k in basis}},
        changes,
        basis,
        form.get("reason", ""),
    )


def _page(resident, form=None, errors=None, status: int = 200):
    return render(
        TEMPLATE,
        status=status,
        resident=resident,
        form=form
        or {**_current(resident), "basis_kind": "", "basis_number": "", "basis_date": "", "reason": ""},
        errors=errors or {},
        history=corrections.of_resident(resident),
        labels=labels,
        value=labels.field_value,
        fields=corrections.FIELDS,
        identity=corrections.IDENTITY,
        can_correct=access.can_correct_residents(current_user),
        can_confirm=access.can_confirm_corrections(current_user),
        mismatch=[str(labels.ID_MISMATCH[p]) for p in (resident.id_mismatch or "").split(",") if p],
    )


@bp.get("/residents/<personal_id>/corrections")
@allow(access.EDIT_RESIDENTS)
def index(personal_id: str):
    resident = corrections.resident_for_page(current_user, personal_id)
    response = _page(resident)
    with uow.command():  # drawn first: the commit would expire what the page reads
        access_log.resident_read(current_user, resident)
    return response


@bp.post("/residents/<personal_id>/corrections")
@allow(access.CORRECT_RESIDENTS)
def propose(personal_id: str):
    resident = corrections.resident_for_page(current_user, personal_id)
    form, changes, basis, reason = _submitted(resident)
    try:
        with uow.command():
            correction = corrections.propose(current_user, personal_id, changes, basis, reason or None)
    except Invalid as exc:
        return _page(resident, form, field_errors(exc), invalid_status())
    if correction.status == "pending":
        flash(_("Đã lập phiếu; thay đổi về nhân thân chờ lãnh đạo xác nhận."), "success")
    else:
        flash(_("Đã cập nhật thông tin dân cư."), "success")
    return see_other(url_for("corrections.index", personal_id=personal_id))


@bp.post("/residents/<personal_id>/corrections/<int:correction_id>/confirm")
@allow(access.CONFIRM_CORRECTIONS)
def confirm(personal_id: str, correction_id: int):
    corrections.resident_for_page(current_user, personal_id)
    with uow.command():
        corrections.confirm(current_user, personal_id, correction_id)
    flash(_("Đã xác nhận; thông tin dân cư đã được cập nhật."), "success")
    return see_other(url_for("corrections.index", personal_id=personal_id))
