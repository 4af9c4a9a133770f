"""Names people read for the codes the system stores (Vietnamese source, English in the catalog)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from .i18n import gettext, lang, local_date, local_datetime, message
from .services.cases.case_reasons import REASONS
from .services.cases.step_fields import DISCREPANCIES, PROCEDURES, REFUSAL_REASONS  # noqa: F401 (Msg labels)
from .services.messaging.alerts import EVENTS

STEPS = {
    "verify_application": _l("Tiếp nhận, đối chiếu hồ sơ"),
    "triage_correction": _l("Xác định thủ tục hộ tịch"),
    "await_citizen_documents": _l("Chờ công dân bổ sung giấy tờ"),
    "verify_original_commune": _l("Xác minh tại nơi đã đăng ký khai sinh"),
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
# Why an exchange or reissue was asked for (Msg labels; services/cases/case_reasons.py).
CASE_REASONS = {code: label for code, (_kind, label) in REASONS.items()}


# What happened to a case, as its timeline and a conflict's list of changes name it.
EVENT_ACTIONS = {
    "started": _l("Tạo hồ sơ"),
    "claimed": _l("Nhận việc"),
    "released": _l("Trả việc về hàng chờ"),
    "assigned": _l("Giao việc"),
    "completed": _l("Hoàn thành bước"),
    "transferred": _l("Chuyển đơn vị"),
    "commented": _l("Ý kiến"),
    "escalated": _l("Báo cáo vượt cấp"),
    "reminded": _l("Nhắc việc"),
    "timer_fired": _l("Đến hạn hẹn giờ"),
    "message_received": _l("Nhận thông báo"),
    "moved": _l("Chuyển bước"),
    "refused": _l("Từ chối cấp"),
    "withdrawn": _l("Công dân rút hồ sơ"),
    "failed": _l("Lỗi quy trình"),
    "retried": _l("Chạy lại bước lỗi"),
    "synced": _l("Đã đồng bộ CSDL dân cư"),
    "resent": _l("Gửi lại thông báo"),
}

# Messages the engine receives from other systems; the timeline names them by their step.
MESSAGES = {
    "card_produced": _l("Trung tâm báo đã sản xuất thẻ"),
    "file_returned": _l("Trung tâm trả hồ sơ"),
    "case_withdrawn": _l("Công dân rút hồ sơ"),
}


def step(code: str) -> str:
    label = STEPS.get(code) or MESSAGES.get(code)
    # The lazy string's source, translated through the request's cached translations (the inbox
    # asks this for each of its rows).
    return code if label is None else gettext(label._args[0])


# The door-to-door listing (templates/listing/_macros.html and the listing file)
LISTING_STATUSES = {
    "not_visited": _l("Chưa rà soát"),
    "booked": _l("Đã đặt lịch"),
    "away": _l("Đi vắng, ở nơi khác"),
    "home_visit": _l("Cần đến tận nhà"),
    "deceased": _l("Đã mất"),
    "record_wrong": _l("Sai thông tin dân cư"),
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


# The police desk's corrections (templates/corrections/)
CORRECTION_FIELDS = {
    "full_name": _l("Họ, chữ đệm và tên"),
    "birth_date": _l("Ngày sinh"),
    "birth_date_precision": _l("Mức đầy đủ của ngày sinh"),
    "sex": _l("Giới tính"),
    "ethnicity": _l("Dân tộc"),
    "hometown": _l("Quê quán"),
    "place_of_birth": _l("Nơi sinh"),
}
PRECISIONS = {"day": _l("Đủ ngày, tháng, năm"), "month": _l("Chỉ có tháng, năm"), "year": _l("Chỉ có năm")}
SEXES = {"male": _l("Nam"), "female": _l("Nữ")}
BASIS_KINDS = {
    "birth_certificate": _l("Giấy khai sinh"),
    "civil_status_extract": _l("Trích lục hộ tịch"),
    "household_register": _l("Sổ hộ khẩu"),
    "court_decision": _l("Quyết định, bản án của Tòa án"),
    "other": _l("Giấy tờ khác"),
}
CORRECTION_STATUSES = {"pending": _l("Chờ lãnh đạo xác nhận"), "applied": _l("Đã cập nhật")}
ID_MISMATCH = {"birth_year": _l("năm sinh"), "sex": _l("giới tính")}
FLAGGED = _l("Sai thông tin dân cư")
ID_TO_REESTABLISH = _l("Số định danh cần xác lập lại")


def field_value(field: str, value) -> str:
    """A record's value as people read it: dates dd/mm/yyyy, codes by their names, empty as —."""
    if value in (None, ""):
        return "—"
    if field in ("birth_date", "decision_date") and isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 2 and all(p.isdigit() for p in parts):  # a paper giving month and year
            return f"{parts[1]}/{parts[0]}"
        try:
            return local_date(date.fromisoformat(value)) if len(parts) == 3 else value
        except ValueError:
            return value
    names = {"sex": SEXES, "birth_date_precision": PRECISIONS}.get(field)
    return str(names.get(value, value)) if names else str(value)


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
        return str(SEXES[value])
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
VNEID_STATUSES = {
    "identity_check": _l("Chờ đối chiếu nhân thân"),
    "phone": _l("Chờ ghi số điện thoại"),
    "activation": _l("Chờ kích hoạt"),
    "activated": _l("Đã kích hoạt mức 2"),
    "refused": _l("Không thực hiện được"),
}
VNEID_METHODS = {
    "face": _l("Khuôn mặt với ảnh trong chip"),
    "fingerprint": _l("Vân tay trên máy đọc chip"),
    "face_fingerprint": _l("Khuôn mặt và vân tay"),
}
COOPERATION_STATUSES = {
    "open": _l("Chờ trả lời"),
    "done": _l("Đã thực hiện"),
    "not_done": _l("Không thực hiện được"),
    "accepted": _l("Đã nhận hồ sơ"),
    "declined": _l("Từ chối nhận"),
    "cancelled": _l("Đã hủy"),
}


# A queued message's content on the outbox page: each key by its name, dates dd/mm/yyyy, codes
# by their names, a population-database change as "Ngày sinh: 01/02/1953 → 17/11/1953" (never
# `birth_date: 1953-02-01 → ...`).
OUTBOX_KEYS = {
    "personal_id": _l("Số định danh"),
    "case": _l("Mã hồ sơ"),
    "decision_number": _l("Số trích lục / quyết định"),
    "decision_date": _l("Ngày đăng ký"),
    "reason": _l("Lý do"),
    "step": _l("Bước"),
    "steps": _l("Bước hiện tại"),
    "by": _l("Người gửi"),
    "url": _l("Đường dẫn"),
    "event": _l("Sự kiện"),
    "unit": _l("Đơn vị"),
    "at": _l("Thời điểm"),
    "text": _l("Nội dung"),
    "changes": _l("Thay đổi"),
}
# Kept for the machine on the other end: said once already (previous, in "changes") or the
# other language's text.
OUTBOX_SKIPPED = {"previous", "text_en"}


def outbox_rows(body: dict) -> list[tuple[str, str]]:
    """(label, text) of each part of a message body, in the page's language."""
    out = []
    previous = body.get("previous") if isinstance(body.get("previous"), dict) else {}
    for key, value in body.items():
        if key in OUTBOX_SKIPPED or value in (None, ""):
            continue
        label = str(OUTBOX_KEYS.get(key, key))
        if key == "changes" and isinstance(value, dict):
            for field, new in value.items():
                old = change_value(field, previous.get(field))
                out.append((change_label(field), f"{old} → {change_value(field, new)}"))
            continue
        if key == "text" and lang() == "en" and body.get("text_en"):
            value = body["text_en"]
        out.append((label, _outbox_text(key, value)))
    return out


def _outbox_text(key: str, value) -> str:
    if key == "decision_date":
        return iso_day(value)
    if key == "at" and isinstance(value, str):
        try:
            return local_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if key == "step" and isinstance(value, str):
        return step(value)
    if key == "steps" and isinstance(value, str):
        return ", ".join(step(s) for s in value.split(",") if s)
    if key == "event" and value in EVENTS:
        return message(EVENTS[value])
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def init_app(app) -> None:
    """The names every template may use (the flash area, the step history, the task forms)."""
    app.jinja_env.globals.update(
        labels_step=step,
        iso_day=iso_day,
        change_label=change_label,
        change_value=change_value,
        case_current=lambda case: record_now(case.resident),
    )
