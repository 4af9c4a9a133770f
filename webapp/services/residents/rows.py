"""The rules of one resident record, shared by the API's PUT and the file import.

Plain Python and no database: the caller passes the function that turns a unit code into a unit
id, today's date and how dates may be written (the API takes YYYY-MM-DD only; a file also takes
dd/mm/yyyy and, for an incomplete birth date, "1975-03", "03/1975" or "1975"). The import runs
this once per row of files with a million rows, so it builds no objects for a valid record.
"""

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from ..errors import Msg
from ..text import name_key, parse_iso_date
from . import personal_id

PRECISIONS = ("day", "month", "year")
SEXES = ("male", "female")
STATUSES = ("alive", "deceased")
# Nothing yet, the old 9/12-digit CMND, the chip card, a chip card reported lost (a reissue).
CARD_STATES = ("none", "cmnd", "chip", "lost")
# Every field of a record, as the API names it (and as a file's header names its columns).
FIELDS = (
    "full_name",
    "birth_date",
    "birth_date_precision",
    "sex",
    "old_id_number",
    "ethnicity",
    "household_id",
    "permanent_unit",
    "temporary_unit",
    "status",
    "card_state",
    "card_issued_on",
)
# What check() makes of a record, by column of the residents table (personal_id first): the
# import writes exactly these (upsert.py).
RECORD_COLUMNS = (
    "personal_id",
    "full_name",
    "name_key",
    "birth_date",
    "birth_date_precision",
    "sex",
    "old_id_number",
    "ethnicity",
    "household_id",
    "permanent_unit_id",
    "temporary_unit_id",
    "status",
    "card_state",
    "card_issued_on",
    "id_mismatch",
)
FIRST_YEAR = 1900
AGREEMENT = ("birth_year", "sex")  # ID problems that flag a record instead of refusing it
_RANK = {"day": 0, "month": 1, "year": 2}  # how little of the date is known
# Full names repeat a lot in a population ("Nguyễn Văn Hùng"): an import computes each key once.
_name_key = lru_cache(maxsize=1 << 16)(name_key)

REQUIRED = Msg("Bắt buộc nhập.", "This field is required.")
NOT_OBJECT = Msg("Dữ liệu phải là một đối tượng JSON.", "Data must be a JSON object.")
NAME_LONG = Msg("Tối đa 200 ký tự.", "At most 200 characters.")
BAD_PRECISION = Msg("Phải là day, month hoặc year.", "Must be day, month or year.")
BIRTH_FUTURE = Msg("Ngày sinh không được ở tương lai.", "The birth date cannot be in the future.")
BIRTH_EARLY = Msg("Năm sinh phải từ 1900.", "The birth year must be 1900 or later.")
BAD_SEX = Msg("Giới tính phải là male hoặc female.", "Sex must be male or female.")
BAD_OLD_ID = Msg("Số CMND cũ gồm 9 hoặc 12 chữ số.", "The old ID number has 9 or 12 digits.")
NO_UNIT = Msg("Không có đơn vị với mã này.", "No unit has this code.")
BAD_STATUS = Msg("Phải là alive hoặc deceased.", "Must be alive or deceased.")
BAD_CARD = Msg("Phải là none, cmnd, chip hoặc lost.", "Must be none, cmnd, chip or lost.")
ISSUED_NEEDED = Msg(
    "Bắt buộc nhập ngày cấp khi card_state là chip.", "The issue date is required when card_state is chip."
)
ISSUED_UNWANTED = Msg(
    "Chỉ ghi ngày cấp khi card_state là chip.", "An issue date is only given when card_state is chip."
)
ISSUED_FUTURE = Msg("Ngày cấp thẻ không được ở tương lai.", "The card's issue date cannot be in the future.")
ISSUED_BEFORE_BIRTH = Msg(
    "Ngày cấp thẻ không được trước ngày sinh.", "The card's issue date cannot be before the birth date."
)
NUL = Msg("Có ký tự NUL (không lưu được).", "Contains a NUL character (cannot be stored).")
_TEXT_LIMIT = {
    "ethnicity": (50, Msg("Chuỗi tối đa 50 ký tự.", "Text of at most 50 characters.")),
    "household_id": (30, Msg("Chuỗi tối đa 30 ký tự.", "Text of at most 30 characters.")),
}
_VAGUE = {
    "month": Msg(
        "Ngày sinh chỉ có tháng và năm; birth_date_precision phải là month (hoặc year).",
        "The birth date gives only a month and year; birth_date_precision must be month (or year).",
    ),
    "year": Msg(
        "Ngày sinh chỉ có năm; birth_date_precision phải là year.",
        "The birth date gives only a year; birth_date_precision must be year.",
    ),
}


class DateFormat(NamedTuple):
    """How dates may be written: parse(text) -> (date or None, how much of it was written)."""

    parse: Callable[[object], tuple[date | None, str]]
    invalid_birth: Msg
    invalid_issued: Msg


def _parse_iso(value) -> tuple[date | None, str]:
    return parse_iso_date(value), "day"


_FILE_DATE = re.compile(
    r"(?:(?P<y1>[0-9]{4})(?:-(?P<m1>[0-9]{2})(?:-(?P<d1>[0-9]{2}))?)?"
    r"|(?:(?:(?P<d2>[0-9]{1,2})/)?(?P<m2>[0-9]{1,2})/)(?P<y2>[0-9]{4}))"
)


def _parse_file_date(value) -> tuple[date | None, str]:
    """YYYY-MM-DD or dd/mm/yyyy; for an incomplete date YYYY-MM, mm/yyyy or YYYY (the missing
    day and month are the 1st and January). Returns what it read and how precise it was."""
    if not isinstance(value, str):
        return None, "day"
    if len(value) == 10 and value.isascii():  # the two common forms without the regex
        if value[4] == "-" == value[7] and (digits := value[:4] + value[5:7] + value[8:]).isdigit():
            return _date(digits[:4], digits[4:6], digits[6:]), "day"
        if value[2] == "/" == value[5] and (digits := value[:2] + value[3:5] + value[6:]).isdigit():
            return _date(digits[4:], digits[2:4], digits[:2]), "day"
    match = _FILE_DATE.fullmatch(value)
    if match is None:
        return None, "day"
    y, m, d = match.group("y1", "m1", "d1") if match.group("y1") else match.group("y2", "m2", "d2")
    form = "day" if d else "month" if m else "year"
    try:
        return date(int(y), int(m or 1), int(d or 1)), form
    except ValueError:
        return None, form


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _id_problems(pid, birth_year: int | None, sex: str | None):
    """personal_id.problems(), with the common case (a well-formed ID that agrees with the record)
    answered in a few operations; anything else gets the full account from personal_id. A test
    checks that both agree."""
    if (
        type(pid) is str
        and len(pid) == 12
        and pid.isascii()
        and pid.isdigit()
        and pid[:3] in personal_id.BIRTH_PROVINCES
    ):
        g = ord(pid[3]) - 48
        if (birth_year is None or birth_year == 1900 + 100 * (g // 2) + int(pid[4:6])) and (
            sex is None or sex == SEXES[g % 2]
        ):
            return ()
    return personal_id.problems(pid, birth_year, sex)


ISO_DATES = DateFormat(
    _parse_iso,
    Msg("Ngày sinh không hợp lệ (YYYY-MM-DD).", "Invalid birth date (YYYY-MM-DD)."),
    Msg("Ngày cấp không hợp lệ (YYYY-MM-DD).", "Invalid issue date (YYYY-MM-DD)."),
)
FILE_DATES = DateFormat(
    _parse_file_date,
    Msg(
        "Ngày sinh không hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy; thiếu ngày: YYYY-MM, mm/yyyy hoặc YYYY).",
        "Invalid birth date (YYYY-MM-DD or dd/mm/yyyy; incomplete: YYYY-MM, mm/yyyy or YYYY).",
    ),
    Msg(
        "Ngày cấp không hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy).",
        "Invalid issue date (YYYY-MM-DD or dd/mm/yyyy).",
    ),
)


def check(
    pid,
    data,
    unit_id: Callable[[str], int | None],
    today: date,
    dates: DateFormat = ISO_DATES,
) -> tuple[dict, dict[str, list[Msg]]]:
    """(the columns to store, {field: [problems]}). The record is replaced (PUT semantics): an
    optional field left out or empty is cleared; birth_date_precision left out is how much of the
    date was written, status left out is alive, card_state left out is none."""
    if not isinstance(data, dict):
        return {}, {"data": [NOT_OBJECT]}
    errors: dict[str, list[Msg]] = {}
    clean: dict = {}

    def bad(field, problem):
        errors.setdefault(field, []).append(problem)

    name = data.get("full_name")
    if not isinstance(name, str) or not name.strip():
        bad("full_name", REQUIRED)
    elif len(name) > 200:
        bad("full_name", NAME_LONG)
    else:
        clean["full_name"] = full = " ".join(name.split())
        clean["name_key"] = _name_key(full)

    raw_birth = data.get("birth_date")
    birth, written = dates.parse(raw_birth)
    precision = data.get("birth_date_precision", written)
    if precision not in PRECISIONS:
        bad("birth_date_precision", BAD_PRECISION)
    if birth is None:
        bad("birth_date", REQUIRED if raw_birth in (None, "") else dates.invalid_birth)
    elif birth > today:
        bad("birth_date", BIRTH_FUTURE)
    elif birth.year < FIRST_YEAR:
        bad("birth_date", BIRTH_EARLY)
    elif precision in PRECISIONS and _RANK[written] > _RANK[precision]:
        bad("birth_date", _VAGUE[written])
    else:
        clean["birth_date"] = birth
        if precision in PRECISIONS:
            clean["birth_date_precision"] = precision

    sex = data.get("sex")
    if sex not in SEXES:
        bad("sex", BAD_SEX)
        sex = None
    else:
        clean["sex"] = sex
    # A malformed ID or an unknown province is refused; digits that disagree with the birth year
    # or sex are stored and flagged (id_check.py): those are the records the campaign fixes.
    clean["id_mismatch"] = None
    wrong = []
    for problem in _id_problems(pid, birth.year if birth else None, sex):
        if problem.code in AGREEMENT:
            wrong.append(problem.code)
        else:
            bad("personal_id", Msg(problem.message_vi, problem.message_en))
    if wrong:
        clean["id_mismatch"] = ",".join(wrong)

    old = data.get("old_id_number")
    clean["old_id_number"] = None
    if old is not None and old != "":
        if isinstance(old, str) and old.isascii() and old.isdigit() and len(old) in (9, 12):
            clean["old_id_number"] = old
        else:
            bad("old_id_number", BAD_OLD_ID)
    for field, (limit, too_long) in _TEXT_LIMIT.items():
        value = data.get(field)
        clean[field] = None
        if value is not None and value != "":
            if not isinstance(value, str) or len(value) > limit:
                bad(field, too_long)
            elif "\x00" in value:
                bad(field, NUL)
            else:
                clean[field] = value.strip() or None

    code = data.get("permanent_unit")
    if code is None or code == "":
        bad("permanent_unit", REQUIRED)
    else:
        unit = unit_id(code) if isinstance(code, str) else None
        if unit is None:
            bad("permanent_unit", NO_UNIT)
        else:
            clean["permanent_unit_id"] = unit
    code = data.get("temporary_unit")
    clean["temporary_unit_id"] = None
    if code is not None and code != "":
        unit = unit_id(code) if isinstance(code, str) else None
        if unit is None:
            bad("temporary_unit", NO_UNIT)
        else:
            clean["temporary_unit_id"] = unit

    status = data.get("status", "alive")
    if status in STATUSES:
        clean["status"] = status
    else:
        bad("status", BAD_STATUS)

    card = data.get("card_state", "none")
    issued_raw = data.get("card_issued_on")
    clean["card_issued_on"] = None
    if card not in CARD_STATES:
        bad("card_state", BAD_CARD)
    else:
        clean["card_state"] = card
    if card == "chip":
        issued, issued_form = dates.parse(issued_raw)
        if issued_raw is None or issued_raw == "":
            bad("card_issued_on", ISSUED_NEEDED)
        elif issued is None or issued_form != "day":
            bad("card_issued_on", dates.invalid_issued)
        elif issued > today:
            bad("card_issued_on", ISSUED_FUTURE)
        elif birth is not None and issued < birth:
            bad("card_issued_on", ISSUED_BEFORE_BIRTH)
        else:
            clean["card_issued_on"] = issued
    elif issued_raw is not None and issued_raw != "" and card in CARD_STATES:
        bad("card_issued_on", ISSUED_UNWANTED)
    return clean, errors
