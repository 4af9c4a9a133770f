"""What each user task asks for: fields, types, choices and rules.

One declaration serves the service (validation before anything reaches the engine), the API
(`form.fields` of a task) and the web forms. Submitted values are data: they are type-checked
here and never evaluated.
"""

import re
from dataclasses import dataclass
from datetime import date

from ..errors import Invalid, Msg
from ..text import parse_iso_date

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
SEXES = {"male": Msg("Nam", "Male"), "female": Msg("Nữ", "Female")}
# The papers the officer reads at intake, and what each says about the person: the fields
# `<paper>_<fact>` of verify_application (e.g. `hr_birth_date`), all optional.
PAPERS = {
    "hr": Msg("Sổ hộ khẩu", "Household register"),
    "old_id": Msg("CMND cũ", "Old ID card"),
    "bc": Msg("Giấy khai sinh", "Birth certificate"),
}
PAPER_FACTS = {
    "full_name": Msg("Họ tên", "Full name"),
    "birth_date": Msg("Ngày sinh", "Birth date"),
    "sex": Msg("Giới tính", "Sex"),
    "hometown": Msg("Quê quán", "Hometown"),
}
BIRTH_CERTIFICATE = {
    "present": Msg("Có mang theo", "Brought"),
    "not_brought": Msg("Chưa mang theo", "Not brought"),
    "lost": Msg("Đã mất, không còn bản chính", "Lost"),
}
# A birth date as a paper gives it: the whole date, or only month and year, or only the year.
PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# A Vietnamese mobile number: 10 digits, 03/05/07/08/09 (after +84 is written as 0).
MOBILE = re.compile(r"0[35789][0-9]{8}")

REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, text, boolean, date, integer, choice, multi_choice, object
    required: bool = False
    choices: dict[str, Msg] | None = None
    max_length: int | None = None
    label: Msg | None = None
    description: str | None = None  # for the API document: a format the type does not say

    def describe(self) -> dict:
        out = {"name": self.name, "type": self.type, "required": self.required}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out


NOTE = Msg("Ghi chú", "Note")


def _note(label: Msg = NOTE) -> Field:
    return Field("note", "text", max_length=2000, label=label)


def paper_field(paper: str, fact: str) -> str:
    return f"{paper}_{fact}"


def _paper_fields() -> tuple[Field, ...]:
    """What each paper says, as the officer reads it; compared with the registry by intake.py."""
    out = []
    for paper, paper_label in PAPERS.items():
        for fact, fact_label in PAPER_FACTS.items():
            label = Msg(f"{fact_label.vi} ({paper_label.vi})", f"{fact_label.en} ({paper_label.en})")
            name = paper_field(paper, fact)
            if fact == "sex":
                out.append(Field(name, "choice", choices=SEXES, label=label))
            elif fact == "birth_date":
                out.append(
                    Field(
                        name,
                        "string",
                        max_length=10,
                        label=label,
                        description="As the paper gives it: YYYY-MM-DD, or YYYY-MM, or YYYY alone.",
                    )
                )
            else:
                out.append(Field(name, "string", max_length=200, label=label))
    return tuple(out)


# Fields kept in the audit trail and the resident record, not in the workflow: no gateway reads
# them, and workflow data stays small (routing facts only).
NOT_ROUTING = {
    "verify_application": {
        "birth_certificate",
        *(paper_field(p, f) for p in PAPERS for f in PAPER_FACTS),
        "eid_request",
        "eid_phone",
    },
    "hand_over_card": {"eid_activated"},
}


STEP_FIELDS: dict[str, tuple[Field, ...]] = {
    "verify_application": (
        Field("discrepancies", "multi_choice", choices=DISCREPANCIES, label=Msg("Sai lệch", "Discrepancies")),
        _note(),
        Field(
            "refusal_reason", "choice", choices=REFUSAL_REASONS, label=Msg("Lý do từ chối", "Refusal reason")
        ),
        Field(
            "birth_certificate",
            "choice",
            choices=BIRTH_CERTIFICATE,
            label=Msg("Giấy khai sinh", "Birth certificate"),
        ),
        *_paper_fields(),
        Field(
            "eid_request",
            "boolean",
            label=Msg("Đăng ký tài khoản định danh điện tử mức 2", "Request a level-2 electronic identity"),
        ),
        Field(
            "eid_phone",
            "string",
            max_length=20,
            label=Msg("Số điện thoại di động (VNeID)", "Mobile phone number (VNeID)"),
            description="Required with `eid_request`: a Vietnamese mobile number, 10 digits starting "
            "03, 05, 07, 08 or 09; +84 is accepted and stored as 0.",
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
        Field(
            "eid_activated",
            "boolean",
            label=Msg("Đã kích hoạt tài khoản định danh điện tử", "Electronic identity activated"),
            description="Required when the resident requested a level-2 electronic identity at intake.",
        ),
    ),
}


def fields(step: str) -> tuple[Field, ...]:
    return STEP_FIELDS.get(step, ())


def routing_data(step: str, clean: dict) -> dict:
    """What the workflow keeps of a completion: everything but the fields of NOT_ROUTING."""
    drop = NOT_ROUTING.get(step, set())
    return {name: value for name, value in clean.items() if name not in drop}


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
    if step == "verify_application":
        problems.update(_intake_rules(data, today))
    return problems


def _intake_rules(data: dict, today: date) -> dict[str, Msg]:
    """Paper birth dates as the papers give them; the phone the electronic identity needs.
    Normalises `data` in place (the phone as 0xxxxxxxxx)."""
    problems = {}
    for paper in PAPERS:
        name = paper_field(paper, "birth_date")
        if data[name] is not None:
            parsed = parse_partial_date(data[name])
            if parsed is None:
                problems[name] = Msg(
                    "Ngày sinh trên giấy tờ phải là YYYY-MM-DD, YYYY-MM hoặc YYYY, là ngày có thật.",
                    "A paper's birth date must be YYYY-MM-DD, YYYY-MM or YYYY, and a real date.",
                )
            elif date(parsed[0], parsed[1] or 1, parsed[2] or 1) > today:
                problems[name] = Msg(
                    "Ngày sinh không được ở tương lai.", "The birth date cannot be in the future."
                )
    if data["eid_request"]:
        if data["refusal_reason"]:
            problems["eid_request"] = Msg(
                "Hồ sơ bị từ chối thì không đăng ký định danh điện tử.",
                "A refused application requests no electronic identity.",
            )
        if data["eid_phone"] is None:
            problems["eid_phone"] = Msg(
                "Đăng ký định danh điện tử cần số điện thoại di động.",
                "An electronic identity needs a mobile phone number.",
            )
        else:
            phone = normalise_phone(data["eid_phone"])
            if phone is None:
                problems["eid_phone"] = Msg(
                    "Số di động phải có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (hoặc +84).",
                    "A mobile number has 10 digits starting 03, 05, 07, 08 or 09 (or +84).",
                )
            data["eid_phone"] = phone
    elif data["eid_phone"] is not None:
        problems["eid_phone"] = Msg(
            "Chỉ ghi số điện thoại khi đăng ký định danh điện tử.",
            "Give a phone number only with a request for an electronic identity.",
        )
    return problems


def parse_partial_date(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of YYYY-MM-DD, YYYY-MM or YYYY (month and day None when not given);
    None when it is not one of these or not a real date."""
    match = PARTIAL_DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if year < 1900:
        return None
    return year, month, day


def normalise_phone(value: str) -> str | None:
    """A Vietnamese mobile number as 0xxxxxxxxx: spaces, dots and dashes dropped, +84 or 84 read
    as 0. None when it is not one. ASCII digits only (full-width digits pass isdigit())."""
    compact = re.sub(r"[ .\-]", "", value)
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) == 11:
        compact = "0" + compact[2:]
    return compact if MOBILE.fullmatch(compact) else None


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
