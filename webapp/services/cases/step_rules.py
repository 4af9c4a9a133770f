"""The rules of each step's data: types, choices, required fields and the rules that tie fields
together. `validate` checks a completion against the step's declaration (step_fields) once, for
the web form and the API alike, and returns the normalised data or raises Invalid naming every
field at once. Submitted values are data: they are type-checked here and never evaluated.
"""

import re
from datetime import date

from ..errors import Invalid, Msg
from ..text import parse_iso_date
from .step_fields import CORRECTABLE, PAPERS, SEXES, Field, fields, paper_field

# A birth date as a paper gives it: the whole date, or only month and year, or only the year.
PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# A Vietnamese mobile number: 10 digits, 03/05/07/08/09 (after +84 is written as 0).
MOBILE = re.compile(r"0[35789][0-9]{8}")
REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")
# Date problems: the API writes dates YYYY-MM-DD, the web form dd/mm/yyyy (forms/tasks.py words
# these for the page).
INVALID_DATE = Msg("Ngày không hợp lệ (định dạng YYYY-MM-DD).", "Invalid date (format YYYY-MM-DD).")
INVALID_PAPER_DATE = Msg(
    "Ngày sinh trên giấy tờ phải là YYYY-MM-DD, YYYY-MM hoặc YYYY, là ngày có thật.",
    "A paper's birth date must be YYYY-MM-DD, YYYY-MM or YYYY, and a real date.",
)
INVALID_NEW_BIRTH_DATE = Msg(
    "Ngày sinh mới không hợp lệ (YYYY-MM-DD, không ở tương lai).",
    "The new birth date is invalid (YYYY-MM-DD, not in the future).",
)


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
            return None, INVALID_DATE
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
    if (
        step == "triage_correction"
        and data["procedure"] in ("return_to_police", "refuse")
        and not data["reason"]
    ):
        problems["reason"] = Msg(
            "Trả hồ sơ hoặc từ chối phải ghi lý do.", "Returning or refusing a file needs a reason."
        )
    if step == "triage_correction" and data["procedure"] == "birth_reregistration":
        problems.update(_reregistration_conditions(data))
    if step == "approve_application" and data["decision"] == "return" and not data["reason"]:
        problems["reason"] = Msg("Trả lại hồ sơ phải ghi lý do.", "A returned file needs a reason.")
    if step == "record_correction" and data["changes"] is not None:
        problems.update(_check_changes(data["changes"], today))
    if step == "verify_application":
        problems.update(_intake_rules(data, today))
    return problems


# Re-registration of a birth (Decree 123/2015 art. 26; verify): only a birth registered before
# 1 January 2016 whose register and original certificate are both lost; the person alive is
# checked against the record (justice_rules.py).
REREGISTRATION_BEFORE = 2016


def _reregistration_conditions(data: dict) -> dict[str, Msg]:
    problems = {}
    year = data["original_registration_year"]
    if year is None:
        problems["original_registration_year"] = Msg(
            "Đăng ký lại khai sinh: ghi năm đã đăng ký khai sinh trước đây.",
            "Re-registration: give the year the birth was first registered.",
        )
    elif not (year.isascii() and year.isdigit() and len(year) == 4 and int(year) >= 1900):
        problems["original_registration_year"] = Msg(
            "Năm đăng ký khai sinh phải là 4 chữ số (ví dụ 1975).", "The year must be 4 digits (e.g. 1975)."
        )
    elif int(year) >= REREGISTRATION_BEFORE:
        problems["original_registration_year"] = Msg(
            "Không đủ điều kiện đăng ký lại khai sinh: chỉ đăng ký lại khi việc khai sinh đã đăng ký "
            "trước ngày 01/01/2016.",
            "Not eligible for re-registration: only a birth registered before 1 January 2016.",
        )
    if not data["original_registration_place"]:
        problems["original_registration_place"] = Msg(
            "Đăng ký lại khai sinh: ghi nơi đã đăng ký trước đây để đề nghị xác minh.",
            "Re-registration: give where the birth was first registered, to ask it to verify.",
        )
    if data["register_lost"] is not True:
        problems["register_lost"] = Msg(
            "Không đủ điều kiện đăng ký lại khai sinh: sổ hộ tịch nơi đăng ký trước đây phải không còn.",
            "Not eligible for re-registration: the civil-status register must be lost.",
        )
    if data["certificate_lost"] is not True:
        problems["certificate_lost"] = Msg(
            "Không đủ điều kiện đăng ký lại khai sinh: bản chính giấy khai sinh phải đã mất.",
            "Not eligible for re-registration: the original birth certificate must be lost.",
        )
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
                problems[name] = INVALID_PAPER_DATE
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


def _check_changes(changes: dict, today: date) -> dict[str, Msg]:
    """Every problem of the new values at once, each under `changes.<field>` (unknown fields
    under `changes`), so a form can show each beside its own input."""
    unknown = [k for k in changes if k not in CORRECTABLE]
    if unknown:
        return {
            "changes": Msg(
                f"Không sửa được trường: {', '.join(map(str, unknown))}; chỉ: {', '.join(CORRECTABLE)}.",
                f"Cannot change: {', '.join(map(str, unknown))}; only: {', '.join(CORRECTABLE)}.",
            )
        }
    problems = {}
    for key, value in changes.items():
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            problems[f"changes.{key}"] = Msg(
                f"Giá trị mới của {key} phải là chuỗi 1–200 ký tự.",
                f"The new value of {key} must be 1–200 characters of text.",
            )
    if "changes.birth_date" not in problems and "birth_date" in changes:
        parsed = parse_iso_date(changes["birth_date"])
        if parsed is None or parsed > today:
            problems["changes.birth_date"] = INVALID_NEW_BIRTH_DATE
    if "changes.sex" not in problems and "sex" in changes and changes["sex"] not in SEXES:
        problems["changes.sex"] = Msg(
            "Giới tính mới phải là Nam (male) hoặc Nữ (female).", "The new sex must be male or female."
        )
    return problems
