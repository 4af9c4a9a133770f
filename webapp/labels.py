"""Names people read for the codes the system stores (Vietnamese source, English in the catalog)."""

from datetime import date

from flask_babel import lazy_gettext as _l

from .i18n import local_date, message
from .services.cases.step_fields import (  # noqa: F401 (Msg labels)
    DISCREPANCIES,
    PROCEDURES,
    REFUSAL_REASONS,
    SEXES,
)

STEPS = {
    "verify_application": _l("Tiếp nhận, đối chiếu hồ sơ"),
    "triage_correction": _l("Xác định thủ tục hộ tịch"),
    "await_citizen_documents": _l("Chờ công dân bổ sung giấy tờ"),
    "record_correction": _l("Ghi quyết định cải chính/bổ sung"),
    "update_population_record": _l("Cập nhật CSDL dân cư"),
    "capture_biometrics": _l("Thu nhận vân tay, ảnh"),
    "approve_application": _l("Phê duyệt hồ sơ"),
    "await_card_production": _l("Chờ sản xuất thẻ"),
    "receive_card": _l("Nhận thẻ về đơn vị"),
    "hand_over_card": _l("Trả thẻ cho công dân"),
}
DEPARTMENTS = {
    "police": _l("Công an xã/phường"),
    "justice": _l("Tư pháp – Hộ tịch"),
    "approval": _l("Lãnh đạo phê duyệt"),
    "production": _l("Trung tâm sản xuất thẻ"),
    "supervision": _l("Ban chỉ đạo"),
    "administration": _l("Quản trị"),
}
STATUSES = {
    "open": _l("Đang xử lý"),
    "issued": _l("Đã trả thẻ"),
    "refused": _l("Từ chối"),
    "withdrawn": _l("Đã rút"),
    "error": _l("Lỗi quy trình"),
}
PRIORITIES = {
    "home_visit": _l("Người già, ốm (đến tận nhà)"),
    "student": _l("Học sinh, sinh viên"),
    "official": _l("Cán bộ, công chức"),
}
KINDS = {"new": _l("Cấp mới"), "exchange": _l("Cấp đổi"), "reissue": _l("Cấp lại")}


def step(code: str) -> str:
    return str(STEPS.get(code, code))


# The door-to-door listing (templates/listing/_macros.html and the listing file)
LISTING_STATUSES = {
    "not_visited": _l("Chưa rà soát"),
    "booked": _l("Đã đặt lịch"),
    "away": _l("Đi vắng, ở nơi khác"),
    "home_visit": _l("Cần đến tận nhà"),
    "deceased": _l("Đã chết"),
    "record_wrong": _l("Hồ sơ sai"),
}
LISTING_REASONS = {
    "new_from_14": _l("Cấp mới (từ 14 tuổi)"),
    "switch_from_cmnd": _l("Chuyển từ CMND"),
    "exchange_at_14": _l("Đổi thẻ khi đủ 14 tuổi"),
    "exchange_at_25": _l("Đổi thẻ khi đủ 25 tuổi"),
    "exchange_at_40": _l("Đổi thẻ khi đủ 40 tuổi"),
    "exchange_at_60": _l("Đổi thẻ khi đủ 60 tuổi"),
}


def lane_names() -> dict[str, str]:
    """The diagrams' lanes are named by department code (the engine routes work by them): the
    names people read, in the page's language, for the diagram viewer to show instead."""
    return {code: str(name) for code, name in DEPARTMENTS.items()}


# The record's fields a justice decision changes, as the step history and the forms name them.
RECORD_FIELDS = {
    "full_name": _l("Họ tên"),
    "birth_date": _l("Ngày sinh"),
    "sex": _l("Giới tính"),
    "ethnicity": _l("Dân tộc"),
}


def iso_day(value):
    """An ISO date from the audit trail as dd/mm/yyyy; anything else as it is."""
    try:
        return local_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


def change_label(field: str) -> str:
    return str(RECORD_FIELDS.get(field, field))


def change_value(field: str, value) -> str:
    """A record value as people read it: dates dd/mm/yyyy, the sex by its name, "—" for none."""
    if value in (None, ""):
        return "—"
    if field == "sex" and value in SEXES:
        return message(SEXES[value])
    if field == "birth_date":
        return iso_day(value)
    return str(value)


def record_now(resident) -> dict[str, str]:
    """The resident's current values of the fields a decision may change, as shown beside each
    "new value" input."""
    raw = {
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "sex": resident.sex,
        "ethnicity": resident.ethnicity,
    }
    return {field: change_value(field, value) for field, value in raw.items()}


# Cooperation between units (services/cooperation/).
COOPERATION_KINDS = {
    "take_application": _l("Tiếp nhận hồ sơ nơi công dân đang ở"),
    "verify": _l("Xác minh thông tin"),
    "hand_over_card": _l("Trả thẻ nơi công dân đang ở"),
    "transfer": _l("Chuyển hồ sơ"),
}
COOPERATION_STATUSES = {
    "open": _l("Chờ trả lời"),
    "done": _l("Đã thực hiện"),
    "not_done": _l("Không thực hiện được"),
    "accepted": _l("Đã nhận hồ sơ"),
    "declined": _l("Từ chối nhận"),
    "cancelled": _l("Đã hủy"),
}


def init_app(app) -> None:
    """The names every template may use (the flash area, the step history, the task forms)."""
    app.jinja_env.globals.update(
        labels_step=step,
        iso_day=iso_day,
        change_label=change_label,
        change_value=change_value,
        case_current=lambda case: record_now(case.resident),
    )
