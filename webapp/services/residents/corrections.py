"""The police desk's fix of a population record (phiếu thu thập, cập nhật thông tin dân cư).

An officer changes name, birth date and its precision, sex, ethnicity, hometown or place of
birth, citing the paper that justifies it (kind, number, date). Every change is kept old -> new.
Changes that alter identity (name, birth date, sex) wait for a police lead's confirmation, never
the proposer's own; the others apply at once. After a change of birth year or sex the personal ID
is compared again (id_check.recheck): if it now disagrees, the record is flagged and a case of
this resident cannot be approved until a lead records a decision (services/cases/id_decision.py).

This is also how the police answer the justice office's "the record is wrong, the certificate is
right" (the `return_to_police` path).
"""

import logging
from datetime import date

from sqlalchemy import select

from ...models import ResidentCorrection, User, db
from .. import access, clock
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound
from ..text import name_key, parse_iso_date, unstorable
from . import id_check, registry, rows

log = logging.getLogger(__name__)

FIELDS = (
    "full_name",
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity",
    "hometown",
    "place_of_birth",
)
IDENTITY = {"full_name", "birth_date", "birth_date_precision", "sex"}  # a lead confirms these
BASIS_KINDS = (
    "birth_certificate",
    "civil_status_extract",
    "household_register",
    "court_decision",
    "other",
)
_TEXT = {"full_name": 200, "ethnicity": 50, "hometown": 200, "place_of_birth": 200}

NOT_EDITOR = Msg(
    "Vai trò của bạn không cập nhật được thông tin dân cư.", "Your role may not correct population records."
)
NOT_LEAD = Msg("Chỉ lãnh đạo Công an xác nhận được.", "Only a police lead may confirm.")
OWN = Msg("Không tự xác nhận phiếu của mình.", "A lead cannot confirm their own correction.")
NOT_PENDING = Msg("Phiếu này không còn chờ xác nhận.", "This correction is not waiting for confirmation.")
NO_RESIDENT = Msg("Không có công dân này.", "No such resident.")
NO_CORRECTION = Msg("Không có phiếu cập nhật này.", "No such correction.")
MOVED = Msg(
    "Thông tin dân cư đã thay đổi từ khi lập phiếu; hãy lập phiếu mới.",
    "The record has changed since this correction was made; make a new one.",
)
REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")
UNCHANGED = Msg("Giá trị mới giống giá trị hiện tại.", "The new value is the same as the current one.")


def _value(resident, field: str):
    value = getattr(resident, field)
    return value.isoformat() if isinstance(value, date) else value


def check(resident, changes, basis, reason, today: date) -> tuple[dict, dict, str | None]:
    """(clean changes, clean basis, reason) or Invalid naming `changes.<field>` / `basis.<part>`."""
    errors: dict[str, list[Msg]] = {}

    def bad(name: str, problem: Msg) -> None:
        errors.setdefault(name, []).append(problem)

    clean: dict = {}
    if not isinstance(changes, dict) or not changes:
        bad("changes", Msg("Ghi ít nhất một thông tin cần sửa.", "Give at least one field to change."))
        changes = {}
    for field, new in changes.items():
        name = f"changes.{field}"
        if field not in FIELDS:
            bad(
                name,
                Msg(f"Chỉ sửa được: {', '.join(FIELDS)}.", f"Only these can change: {', '.join(FIELDS)}."),
            )
        elif field in _TEXT:
            limit = _TEXT[field]
            if not isinstance(new, str) or not new.strip() or len(new) > limit or unstorable(new):
                bad(name, Msg(f"Phải là chuỗi 1–{limit} ký tự.", f"Must be 1–{limit} characters of text."))
            else:
                clean[field] = " ".join(new.split())
        elif field == "birth_date":
            parsed = parse_iso_date(new)
            if parsed is None:
                bad(name, Msg("Ngày sinh phải là YYYY-MM-DD.", "The birth date must be YYYY-MM-DD."))
            elif parsed > today or parsed.year < rows.FIRST_YEAR:
                bad(name, Msg("Ngày sinh từ năm 1900 đến hôm nay.", "A birth date from 1900 to today."))
            else:
                clean[field] = parsed.isoformat()
        elif field == "birth_date_precision":
            if new not in rows.PRECISIONS:
                bad(name, rows.BAD_PRECISION)
            else:
                clean[field] = new
        elif field == "sex":
            if new not in rows.SEXES:
                bad(name, rows.BAD_SEX)
            else:
                clean[field] = new
    for field in list(clean):
        if clean[field] == _value(resident, field):
            bad(f"changes.{field}", UNCHANGED)
            del clean[field]

    out_basis: dict = {}
    if not isinstance(basis, dict):
        bad(
            "basis", Msg("Ghi giấy tờ làm căn cứ: kind, number, date.", "Give the basis: kind, number, date.")
        )
        basis = {}
    kind = basis.get("kind")
    if kind in (None, ""):
        bad("basis.kind", REQUIRED)
    elif kind not in BASIS_KINDS:
        bad(
            "basis.kind",
            Msg(f"Chọn một trong: {', '.join(BASIS_KINDS)}.", f"One of: {', '.join(BASIS_KINDS)}."),
        )
    else:
        out_basis["kind"] = kind
    number = basis.get("number")
    if number in (None, ""):
        bad("basis.number", REQUIRED)
    elif not isinstance(number, str) or not number.strip() or len(number) > 50 or unstorable(number):
        bad("basis.number", Msg("Số giấy tờ: 1–50 ký tự.", "The paper's number: 1–50 characters."))
    else:
        out_basis["number"] = number.strip()
    issued = basis.get("date")
    parsed = parse_iso_date(issued)
    if issued in (None, ""):
        bad("basis.date", REQUIRED)
    elif parsed is None:
        bad("basis.date", Msg("Ngày phải là YYYY-MM-DD.", "The date must be YYYY-MM-DD."))
    elif parsed > today:
        bad("basis.date", Msg("Ngày không được ở tương lai.", "The date cannot be in the future."))
    else:
        out_basis["date"] = parsed.isoformat()

    if reason is not None and (not isinstance(reason, str) or len(reason) > 2000 or unstorable(reason)):
        bad("reason", Msg("Lý do: chuỗi tối đa 2000 ký tự.", "The reason: text of at most 2000 characters."))
        reason = None
    if errors:
        raise Invalid(errors)
    return clean, out_basis, (reason.strip() or None) if reason else None


def _resident_in_scope(actor: User, pid):
    resident = registry.get(pid)
    if resident is None or not registry.visible(actor, resident):
        raise NotFound(NO_RESIDENT)
    return resident


def resident_for_page(actor: User, pid):
    """The resident whose desk page an officer opens: in scope, else NotFound."""
    if not access.can_edit_residents(actor) and not access.can_confirm_corrections(actor):
        raise NotFound(NO_RESIDENT)
    return _resident_in_scope(actor, pid)


def propose(actor: User, pid, changes, basis, reason=None) -> ResidentCorrection:
    """Record a correction; applied at once unless it alters identity (then pending)."""
    if not access.can_correct_residents(actor):
        raise Forbidden(NOT_EDITOR)
    resident = _resident_in_scope(actor, pid)
    clean, basis, reason = check(resident, changes, basis, reason, clock.today_local())
    correction = ResidentCorrection(
        resident=resident,
        status="pending" if IDENTITY & clean.keys() else "applied",
        changes={field: {"old": _value(resident, field), "new": new} for field, new in clean.items()},
        basis_kind=basis["kind"],
        basis_number=basis["number"],
        basis_date=date.fromisoformat(basis["date"]),
        reason=reason,
        by_id=actor.id,
        at=clock.now(),
    )
    db.session.add(correction)
    if correction.status == "applied":
        _apply(resident, correction)
    db.session.flush()
    log.info(
        "correction %s of %s by %s: %s",
        correction.id,
        resident.personal_id,
        actor.username,
        correction.status,
    )
    return correction


def confirm(actor: User, pid, correction_id) -> ResidentCorrection:
    """A lead (not the proposer) confirms a pending correction, which then applies."""
    if not access.can_confirm_corrections(actor):
        raise Forbidden(NOT_LEAD)
    resident = _resident_in_scope(actor, pid)
    correction = db.session.get(ResidentCorrection, correction_id) if isinstance(correction_id, int) else None
    if correction is None or correction.resident_id != resident.id:
        raise NotFound(NO_CORRECTION)
    if correction.status != "pending":
        raise Conflict(NOT_PENDING)
    if correction.by_id == actor.id:
        raise Forbidden(OWN)
    if any(_value(resident, f) != change["old"] for f, change in correction.changes.items()):
        raise Conflict(MOVED)
    correction.status = "applied"
    correction.confirmed_by_id, correction.confirmed_at = actor.id, clock.now()
    _apply(resident, correction)
    db.session.flush()
    log.info("correction %s of %s confirmed by %s", correction.id, resident.personal_id, actor.username)
    return correction


def _apply(resident, correction: ResidentCorrection) -> None:
    for field, change in correction.changes.items():
        new = change["new"]
        setattr(resident, field, date.fromisoformat(new) if field == "birth_date" else new)
        if field == "full_name":
            resident.name_key = name_key(new)
    if {"birth_date", "sex"} & correction.changes.keys():
        id_check.recheck(resident)


def of_resident(resident) -> list[ResidentCorrection]:
    """The resident's corrections, newest first."""
    return list(
        db.session.scalars(
            select(ResidentCorrection)
            .where(ResidentCorrection.resident_id == resident.id)
            .order_by(ResidentCorrection.id.desc())
        )
    )


def as_dict(correction: ResidentCorrection) -> dict:
    return {
        "id": correction.id,
        "status": correction.status,
        "changes": correction.changes,
        "basis": {
            "kind": correction.basis_kind,
            "number": correction.basis_number,
            "date": correction.basis_date.isoformat(),
        },
        "reason": correction.reason,
        "by": correction.by.username if correction.by else None,
        "at": correction.at.isoformat(),
        "confirmed_by": correction.confirmed_by.username if correction.confirmed_by else None,
    }
