"""A personal ID that disagrees with the record: "số định danh cần xác lập lại".

When the resident of an open case is flagged (residents/id_check.py: the ID's century/sex or
year digits contradict the recorded birth date or sex, whether imported so or after a
correction), the case shows the flag to the police lead and cannot be approved until the lead
records a decision:

- `reestablished`: the national centre re-established the number; the new personal ID (which
  must agree with the record and be nobody else's) replaces the old one on the resident;
- `kept`: the number stands as it is (e.g. the centre confirmed it), with the reason.

The decision is kept on the case (`id_decision`) and in its audit trail (action `id_decided`).
"""

from sqlalchemy import select

from ...models import Case, Resident, User, db
from .. import access, clock
from ..errors import Conflict, Forbidden, Invalid, Msg
from ..residents import id_check, personal_id
from . import commands, engine

DECISIONS = {
    "reestablished": Msg("Đã xác lập lại số định danh", "The personal ID was re-established"),
    "kept": Msg("Giữ nguyên số định danh", "The personal ID stands"),
}
ACTION = "id_decided"
NOT_LEAD = Msg(
    "Chỉ lãnh đạo Công an quyết định về số định danh.", "Only a police lead decides on the personal ID."
)
NOTHING = Msg(
    "Số định danh của hồ sơ này không cần xác lập lại.", "This case's personal ID needs no decision."
)
BLOCKED = Msg(
    "Số định danh cần xác lập lại: chờ lãnh đạo Công an quyết định trước khi phê duyệt.",
    "The personal ID must be re-established: a police lead decides before approval.",
)


def needed(case: Case) -> bool:
    """The flag the case page, the inbox and the approval check read."""
    return case.status in ("open", "error") and bool(case.resident.id_mismatch) and case.id_decision is None


def decide(user: User, code: str, decision, new_personal_id=None, reason=None, expected_version=None) -> Case:
    case = commands.get_case(user, code)
    if not access.can_confirm_corrections(user):
        raise Forbidden(NOT_LEAD)
    if expected_version is not None and case.version != expected_version:
        raise Conflict(
            Msg("Hồ sơ vừa thay đổi; hãy tải lại trang.", "The case has changed; reload the page.")
        )
    if not needed(case):
        raise Conflict(NOTHING)
    resident = case.resident
    errors: dict[str, list[Msg]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [Msg("Chọn reestablished hoặc kept.", "Choose reestablished or kept.")]
    reason = reason.strip() if isinstance(reason, str) else None
    if reason is not None and len(reason) > 1000:
        errors["reason"] = [Msg("Tối đa 1000 ký tự.", "At most 1000 characters.")]
    if decision == "kept" and not reason:
        errors["reason"] = [Msg("Ghi lý do giữ nguyên số định danh.", "Say why the number stands.")]
    if decision == "reestablished":
        if not new_personal_id:
            errors["new_personal_id"] = [
                Msg("Bắt buộc nhập số định danh mới.", "The new personal ID is required.")
            ]
        else:
            found = personal_id.problems(new_personal_id, resident.birth_date.year, resident.sex)
            if found:
                errors["new_personal_id"] = [Msg(p.message_vi, p.message_en) for p in found]
            elif db.session.scalar(select(Resident.id).where(Resident.personal_id == new_personal_id)):
                errors["new_personal_id"] = [
                    Msg("Số định danh này đã thuộc người khác.", "This personal ID belongs to someone else.")
                ]
    if errors:
        raise Invalid(errors)
    detail = {"decision": decision, "reason": reason, "mismatch": resident.id_mismatch}
    if decision == "reestablished":
        detail["old_personal_id"], detail["new_personal_id"] = resident.personal_id, new_personal_id
        resident.personal_id = new_personal_id
        id_check.recheck(resident)
    case.id_decision = decision
    case.updated_at = now = clock.now()
    engine.record(case, user, ACTION, None, detail, now)
    db.session.flush()
    return case


def check_approval(case: Case, clean: dict) -> None:
    """Approval waits for the decision (called by the completion of approve_application)."""
    if clean.get("decision") == "approve" and needed(case):
        raise Invalid({"decision": [BLOCKED]})
