"""What each user task asks for: fields, types, choices and rules.

One declaration serves the service (validation before anything reaches the engine), the API
(`form.fields` of a task) and the web forms. Submitted values are data: they are type-checked
here and never evaluated.
"""

from dataclasses import dataclass
from datetime import date

from .errors import Invalid, Msg
from .text import parse_iso_date

DISCREPANCIES = {
    "dob_mismatch": Msg("Ngày sinh không khớp giữa các giấy tờ", "Birth date differs between papers"),
    "dob_incomplete": Msg("Thiếu ngày, tháng sinh", "Day and month of birth missing"),
    "name_mismatch": Msg("Họ tên không khớp", "Name differs"),
    "sex_mismatch": Msg("Giới tính không khớp", "Sex differs"),
    "id_inconsistent": Msg(
        "Số định danh không khớp năm sinh/giới tính", "ID digits disagree with birth year/sex"
    ),
    "no_birth_certificate": Msg("Không có giấy khai sinh", "No birth certificate"),
}
REFUSAL_REASONS = {
    "not_eligible": Msg("Không đủ điều kiện", "Not eligible"),
    "deceased": Msg("Đã chết", "Deceased"),
    "duplicate": Msg("Hồ sơ trùng", "Duplicate application"),
}
PROCEDURES = {
    "correction": Msg("Cải chính hộ tịch", "Correction"),
    "supplement": Msg("Bổ sung thông tin hộ tịch", "Supplement"),
    "change": Msg("Thay đổi hộ tịch", "Change"),
    "birth_reregistration": Msg("Đăng ký lại khai sinh", "Re-registration of birth"),
    "not_needed": Msg("Không cần xử lý", "Not needed"),
}
# Record fields the justice office may change, and what a new value must look like.
CORRECTABLE = ("full_name", "birth_date", "sex", "ethnicity")

REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, text, boolean, date, integer, choice, multi_choice, object
    required: bool = False
    choices: dict[str, Msg] | None = None
    max_length: int | None = None
    label: Msg | None = None

    def describe(self) -> dict:
        out = {"name": self.name, "type": self.type, "required": self.required}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out


NOTE = Msg("Ghi chú", "Note")


def _note(label: Msg = NOTE) -> Field:
    return Field("note", "text", max_length=2000, label=label)


STEP_FIELDS: dict[str, tuple[Field, ...]] = {
    "verify_application": (
        Field("discrepancies", "multi_choice", choices=DISCREPANCIES, label=Msg("Sai lệch", "Discrepancies")),
        _note(),
        Field(
            "refusal_reason", "choice", choices=REFUSAL_REASONS, label=Msg("Lý do từ chối", "Refusal reason")
        ),
    ),
    "triage_correction": (
        Field("procedure", "choice", True, PROCEDURES, label=Msg("Thủ tục", "Procedure")),
        Field("documents_complete", "boolean", True, label=Msg("Đủ giấy tờ", "Documents complete")),
        _note(Msg("Ghi chú / lý do", "Note / reason")),
    ),
    "await_citizen_documents": (
        Field("documents_received", "boolean", True, label=Msg("Đã nhận giấy tờ", "Documents received")),
        _note(),
    ),
    "record_correction": (
        Field(
            "decision_number", "string", True, max_length=50, label=Msg("Số quyết định", "Decision number")
        ),
        Field("decision_date", "date", True, label=Msg("Ngày quyết định", "Decision date")),
        Field("changes", "object", True, label=Msg("Nội dung thay đổi", "Changes")),
        _note(),
    ),
    "update_population_record": (
        Field("confirmed", "boolean", True, label=Msg("Đã cập nhật CSDL", "Record updated")),
        _note(),
    ),
    "capture_biometrics": (
        Field(
            "fingerprints",
            "choice",
            True,
            {"ok": Msg("Thu nhận đủ", "Captured"), "exception": Msg("Ngoại lệ", "Exception")},
            label=Msg("Vân tay", "Fingerprints"),
        ),
        _note(),
    ),
    "approve_application": (
        Field(
            "decision",
            "choice",
            True,
            {"approve": Msg("Phê duyệt", "Approve"), "return": Msg("Trả lại", "Return")},
            label=Msg("Quyết định", "Decision"),
        ),
        Field("reason", "text", max_length=2000, label=Msg("Lý do", "Reason")),
    ),
    "receive_card": (_note(),),
    "hand_over_card": (
        Field(
            "received_by",
            "choice",
            True,
            {
                "self": Msg("Công dân nhận", "The citizen"),
                "representative": Msg("Người được ủy quyền", "A representative"),
                "post": Msg("Qua bưu điện", "By post"),
            },
            label=Msg("Người nhận", "Received by"),
        ),
        _note(),
    ),
}


def fields(step: str) -> tuple[Field, ...]:
    return STEP_FIELDS.get(step, ())


def validate(step: str, data, today: date) -> dict:
    """Return the normalised data (every field present) or raise Invalid naming each field."""
    if not isinstance(data, dict):
        raise Invalid({"data": [Msg("Dữ liệu phải là một đối tượng JSON.", "Data must be a JSON object.")]})
    declared = {f.name: f for f in fields(step)}
    errors: dict[str, list[Msg]] = {}
    for name in data:
        if name not in declared:
            errors.setdefault(str(name), []).append(
                Msg("Bước này không có trường này.", "This step has no such field.")
            )
    out = {}
    for f in declared.values():
        value, problem = _check(f, data.get(f.name), today)
        if problem:
            errors.setdefault(f.name, []).append(problem)
        out[f.name] = value
    for name, problem in _rules(step, out, today).items():
        errors.setdefault(name, []).append(problem)
    if errors:
        raise Invalid(errors)
    return out


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _check(f: Field, value, today: date):
    if _empty(value):
        empty = [] if f.type == "multi_choice" else None
        return empty, (REQUIRED if f.required else None)
    if f.type in ("string", "text"):
        if not isinstance(value, str):
            return None, Msg("Phải là chuỗi ký tự.", "Must be text.")
        value = value.strip()
        if f.max_length and len(value) > f.max_length:
            return None, Msg(f"Tối đa {f.max_length} ký tự.", f"At most {f.max_length} characters.")
        if f.required and not value:
            return None, REQUIRED
        return value, None
    if f.type == "boolean":
        if not isinstance(value, bool):
            return None, Msg("Phải là đúng hoặc sai (true/false).", "Must be true or false.")
        return value, None
    if f.type == "choice":
        if not isinstance(value, str) or value not in f.choices:
            return None, Msg(
                f"Giá trị không hợp lệ; chọn một trong: {', '.join(f.choices)}.",
                f"Invalid value; choose one of: {', '.join(f.choices)}.",
            )
        return value, None
    if f.type == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) and v in f.choices for v in value):
            return [], Msg(
                f"Chỉ được chọn trong: {', '.join(f.choices)}.",
                f"Only these values are allowed: {', '.join(f.choices)}.",
            )
        return sorted(set(value)), None
    if f.type == "date":
        parsed = parse_iso_date(value)
        if parsed is None:
            return None, Msg("Ngày không hợp lệ (định dạng YYYY-MM-DD).", "Invalid date (format YYYY-MM-DD).")
        if parsed > today:
            return None, Msg("Ngày không được ở tương lai.", "The date cannot be in the future.")
        return parsed.isoformat(), None
    if f.type == "object":
        if not isinstance(value, dict):
            return None, Msg("Phải là một đối tượng JSON.", "Must be a JSON object.")
        return value, None
    raise AssertionError(f"unknown field type {f.type}")


def _rules(step: str, data: dict, today: date) -> dict[str, Msg]:
    """Rules that tie fields together."""
    problems = {}
    if step == "verify_application" and data["refusal_reason"] and data["discrepancies"]:
        problems["refusal_reason"] = Msg(
            "Hồ sơ bị từ chối thì không ghi sai lệch.", "A refused application carries no discrepancies."
        )
    if step == "triage_correction" and data["procedure"] == "not_needed" and not data["note"]:
        problems["note"] = Msg(
            "Ghi lý do không cần xử lý để Công an biết.", "Say why no procedure is needed, for the police."
        )
    if step == "approve_application" and data["decision"] == "return" and not data["reason"]:
        problems["reason"] = Msg("Trả lại hồ sơ phải ghi lý do.", "A returned file needs a reason.")
    if step == "record_correction" and data["changes"] is not None:
        problem = _check_changes(data["changes"], today)
        if problem:
            problems["changes"] = problem
    return problems


def _check_changes(changes: dict, today: date) -> Msg | None:
    unknown = [k for k in changes if k not in CORRECTABLE]
    if unknown:
        return Msg(
            f"Không sửa được trường: {', '.join(map(str, unknown))}; chỉ: {', '.join(CORRECTABLE)}.",
            f"Cannot change: {', '.join(map(str, unknown))}; only: {', '.join(CORRECTABLE)}.",
        )
    for key, value in changes.items():
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            return Msg(
                f"Giá trị mới của {key} phải là chuỗi 1–200 ký tự.",
                f"The new value of {key} must be 1–200 characters of text.",
            )
    if "birth_date" in changes:
        parsed = parse_iso_date(changes["birth_date"])
        if parsed is None or parsed > today:
            return Msg(
                "Ngày sinh mới không hợp lệ (YYYY-MM-DD, không ở tương lai).",
                "The new birth date is invalid (YYYY-MM-DD, not in the future).",
            )
    if "sex" in changes and changes["sex"] not in ("male", "female"):
        return Msg("Giới tính mới phải là male hoặc female.", "The new sex must be male or female.")
    return None
