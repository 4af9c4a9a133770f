"""What each user task asks for: its fields, their types, choices and labels.

One declaration serves the web form (forms/tasks.py builds it from here), the API (`form.fields`
of a task, the OpenAPI document) and the rules that check a completion (step_rules.py). The
buttons that finish a step, and what the workflow keeps of a completion, are in step_outcomes.py.
"""

from dataclasses import dataclass

from ..errors import Msg

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
    "deceased": Msg("Đã mất", "Deceased"),
    "duplicate": Msg("Hồ sơ trùng", "Duplicate application"),
}
PROCEDURES = {
    "correction": Msg("Cải chính hộ tịch", "Correction"),
    "supplement": Msg("Bổ sung thông tin hộ tịch", "Supplement"),
    "change": Msg("Thay đổi hộ tịch", "Change"),
    "birth_reregistration": Msg("Đăng ký lại khai sinh", "Re-registration of birth"),
    "not_needed": Msg("Không cần xử lý", "Not needed"),
    # The file goes back: the population record is the police's to fix, or the citizen must go
    # elsewhere; or the office refuses the procedure. Each with a reason.
    "return_to_police": Msg("Trả Công an sửa dữ liệu dân cư", "Return to the police to fix the record"),
    "refuse": Msg("Từ chối", "Refuse"),
}
# What the justice office's result is (record_correction): the number and date recorded.
RESULT_KINDS = {
    "extract": Msg(
        "Trích lục (cải chính, bổ sung, thay đổi hộ tịch)", "Extract (correction, supplement, change)"
    ),
    "birth_certificate": Msg(
        "Giấy khai sinh mới và trích lục khai sinh (đăng ký lại)",
        "New birth certificate and extract (re-registration)",
    ),
    "copy_extract": Msg(
        "Bản sao trích lục từ sổ gốc (nơi cũ còn lưu sổ)",
        "Copy extract from the original register (still kept)",
    ),
    "decision": Msg("Quyết định", "Decision"),
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
        Field(
            "needs_verification",
            "boolean",
            label=Msg(
                "Cần xác minh (gia hạn theo bảng thời hạn thủ tục hộ tịch)",
                "Verification needed (extension from the civil-status time limits table)",
            ),
            description="Adds the verification extension of justice_time_limits.dmn to the result's "
            "due date (correction and change: 3 working days); recorded in the case's history.",
        ),
        # Re-registration of a birth (Decree 123/2015 art. 26): its conditions, asked here and
        # checked by step_rules (the person alive: by justice_rules, from the record).
        Field(
            "original_registration_year",
            "string",
            max_length=4,
            label=Msg("Năm đã đăng ký khai sinh trước đây", "Year the birth was first registered"),
            description="Required with `birth_reregistration`: 4 digits, before 2016.",
        ),
        Field(
            "original_registration_place",
            "string",
            max_length=200,
            label=Msg(
                "Nơi đã đăng ký khai sinh trước đây (xã/phường, tỉnh)",
                "Where the birth was first registered (commune, province)",
            ),
            description="Required with `birth_reregistration`: the commune asked to verify.",
        ),
        Field(
            "register_lost",
            "boolean",
            label=Msg("Sổ hộ tịch nơi đăng ký trước đây không còn", "The civil-status register is lost"),
            description="Must be true with `birth_reregistration`.",
        ),
        Field(
            "certificate_lost",
            "boolean",
            label=Msg("Bản chính giấy khai sinh đã mất", "The original birth certificate is lost"),
            description="Must be true with `birth_reregistration`.",
        ),
        Field(
            "subject_consent",
            "boolean",
            label=Msg(
                "Người được thay đổi hộ tịch (từ đủ 9 tuổi) đồng ý",
                "The person whose record changes (aged 9 or over) consents",
            ),
            description="Must be true with `change` when the resident is aged 9 or over.",
        ),
        _note(Msg("Ghi chú / lý do", "Note / reason")),
        Field(
            "reason",
            "text",
            max_length=2000,
            label=Msg("Lý do trả hồ sơ / từ chối", "Reason for returning / refusing"),
            description="Required with `return_to_police` and `refuse`.",
        ),
    ),
    "await_citizen_documents": (
        Field("documents_received", "boolean", True, label=Msg("Đã nhận giấy tờ", "Documents received")),
        _note(),
    ),
    "verify_original_commune": (
        Field(
            "register_kept",
            "boolean",
            True,
            label=Msg(
                "Nơi đăng ký trước đây còn lưu sổ hộ tịch",
                "The first place of registration still keeps the register",
            ),
        ),
        Field(
            "reply_number",
            "string",
            max_length=50,
            label=Msg("Số văn bản trả lời xác minh", "Number of the verification reply"),
        ),
        Field(
            "reply_date", "date", True, label=Msg("Ngày trả lời xác minh", "Date of the verification reply")
        ),
        _note(),
    ),
    "record_correction": (
        Field(
            "result_kind",
            "choice",
            choices=RESULT_KINDS,
            label=Msg("Kết quả", "Result"),
            description="What the number is; without it, `birth_certificate` for a re-registration, "
            "else `extract`.",
        ),
        Field(
            "decision_number",
            "string",
            True,
            max_length=50,
            label=Msg(
                "Số trích lục / giấy khai sinh / quyết định (số đăng ký)",
                "Extract, birth certificate or decision number (registration number)",
            ),
        ),
        Field("decision_date", "date", True, label=Msg("Ngày đăng ký", "Registration date")),
        Field(
            "changes",
            "object",
            label=Msg("Nội dung thay đổi", "Changes"),
            description="Required, except for a re-registration whose new certificate says what the "
            "record already holds.",
        ),
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
