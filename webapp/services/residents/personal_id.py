"""Vietnam's 12-digit personal identification number (số định danh cá nhân).

Layout ``PPP G YY RRRRRR``:

* ``PPP`` - code of the province where the birth was registered (Circular 07/2016/TT-BCA).
  These codes are frozen: they are *not* today's administrative units, so they live here
  rather than coming from the ``vietnam-provinces`` package.
* ``G`` - century and sex: 0/1 for 1900-1999 (male/female), 2/3 for 2000-2099, 4/5 for 2100-2199,
  6/7 for 2200-2299, 8/9 for 2300-2399.
* ``YY`` - last two digits of the birth year.
* ``RRRRRR`` - random serial; there is no check digit.

Only the ASCII digits ``0``-``9`` are accepted: full-width or other Unicode digits pass
``str.isdigit()`` and ``\\d`` but are refused here. Surrounding whitespace is refused too,
never stripped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "BIRTH_PROVINCES",
    "SEXES",
    "DecodedId",
    "IdProblem",
    "PersonalIdError",
    "decode",
    "make_personal_id",
    "problems",
    "validate",
]

ID_LENGTH = 12
SEXES = ("male", "female")
FIRST_YEAR = 1900
LAST_YEAR = 2399  # G = 9 with YY = 99

_SEX_VI = {"male": "nam", "female": "nữ"}
_SHOWN_CHARS = 40  # longer values are cut in messages

# Birth-registration province codes, Circular 07/2016/TT-BCA. 63 codes, with gaps.
BIRTH_PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu",
    "079": "TP Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}


@dataclass(frozen=True)
class IdProblem:
    code: str  # machine word: "format", "province", "birth_year", "sex"
    message_vi: str  # sentence in Vietnamese for a clerk
    message_en: str  # the same in English


@dataclass(frozen=True)
class DecodedId:
    province_code: str
    province_name: str
    birth_year: int
    sex: str  # "male" | "female"


class PersonalIdError(ValueError):
    """Raised by decode() / validate(); ``.problems`` holds every IdProblem found."""

    def __init__(self, problems: IdProblem | Iterable[IdProblem]):
        if isinstance(problems, IdProblem):
            problems = [problems]
        self.problems: list[IdProblem] = list(problems)
        super().__init__(self.problems)  # args stay picklable: PersonalIdError(list) rebuilds it

    def __str__(self) -> str:
        return " ".join(p.message_en for p in self.problems)


def _is_ascii_digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def _shown(value: str) -> str:
    """The value quoted for a message; repr() makes spaces, tabs and odd characters visible."""
    if len(value) > _SHOWN_CHARS:
        return repr(value[:_SHOWN_CHARS]) + "…"
    return repr(value)


def _format_problem(value: object) -> IdProblem | None:
    if value is None:
        return IdProblem(
            "format",
            "Chưa nhập số định danh cá nhân (phải gồm đúng 12 chữ số 0-9).",
            "No personal identification number was given (it must be exactly 12 digits 0-9).",
        )
    if not isinstance(value, str):
        kind = type(value).__name__
        return IdProblem(
            "format",
            f"Số định danh cá nhân phải là chuỗi gồm đúng 12 chữ số 0-9, "
            f"nhưng giá trị nhận được có kiểu {kind}: {value!r}.",
            f"The personal identification number must be text of exactly 12 digits 0-9, "
            f"but a value of type {kind} was given: {value!r}.",
        )
    if len(value) == ID_LENGTH and _is_ascii_digits(value):
        return None

    reasons_vi: list[str] = []
    reasons_en: list[str] = []
    if len(value) != ID_LENGTH:
        reasons_vi.append(f"có {len(value)} ký tự thay vì 12")
        reasons_en.append(f"it has {len(value)} characters instead of 12")
    if value != value.strip():
        reasons_vi.append("có khoảng trắng ở đầu hoặc cuối")
        reasons_en.append("it has spaces at the start or end")
    if any(ch.isspace() for ch in value.strip()):
        reasons_vi.append("có khoảng trắng ở giữa")
        reasons_en.append("it has spaces inside")
    if any(ch.isdigit() and not ch.isascii() for ch in value):
        reasons_vi.append(
            "có chữ số không phải ASCII (ví dụ chữ số toàn độ rộng hoặc chữ số Ả Rập), "
            "chỉ chấp nhận chữ số 0-9 thông thường"
        )
        reasons_en.append(
            "it contains non-ASCII digits (e.g. full-width or Arabic-Indic digits); "
            "only the ordinary digits 0-9 are accepted"
        )
    if any(not ch.isdigit() and not ch.isspace() for ch in value):
        reasons_vi.append("có ký tự không phải chữ số")
        reasons_en.append("it contains characters that are not digits")

    shown = _shown(value)
    return IdProblem(
        "format",
        f"Số định danh cá nhân phải gồm đúng 12 chữ số 0-9; giá trị {shown} {'; '.join(reasons_vi)}.",
        f"The personal identification number must be exactly 12 digits 0-9; {shown}: "
        f"{'; '.join(reasons_en)}.",
    )


def _province_problem(personal_id: str) -> IdProblem | None:
    code = personal_id[:3]
    if code in BIRTH_PROVINCES:
        return None
    return IdProblem(
        "province",
        f"Mã tỉnh nơi đăng ký khai sinh {code} (3 chữ số đầu của số định danh {personal_id}) "
        f"không thuộc danh sách 63 mã tỉnh theo Thông tư 07/2016/TT-BCA.",
        f"The birth-registration province code {code} (first 3 digits of {personal_id}) "
        f"is not one of the 63 province codes of Circular 07/2016/TT-BCA.",
    )


def _decode_unchecked(personal_id: str) -> DecodedId:
    code = personal_id[:3]
    g = int(personal_id[3])
    yy = int(personal_id[4:6])
    return DecodedId(
        province_code=code,
        province_name=BIRTH_PROVINCES[code],
        birth_year=FIRST_YEAR + 100 * (g // 2) + yy,
        sex=SEXES[g % 2],
    )


def _check_record_args(birth_year: object, sex: object) -> None:
    if birth_year is not None and (isinstance(birth_year, bool) or not isinstance(birth_year, int)):
        raise TypeError(f"birth_year must be an int or None, not {birth_year!r}")
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be 'male', 'female' or None, not {sex!r}")


def problems(personal_id: object, birth_year: int | None = None, sex: str | None = None) -> list[IdProblem]:
    """Every problem with ``personal_id`` (and its agreement with the record); [] when valid.

    A format problem is returned alone. The birth year and sex are compared only when the
    format and province code are fine and the argument is given. Never raises because of
    ``personal_id``; raises TypeError / ValueError if ``birth_year`` / ``sex`` are malformed.
    """
    _check_record_args(birth_year, sex)
    fmt = _format_problem(personal_id)
    if fmt is not None:
        return [fmt]
    assert isinstance(personal_id, str)
    prov = _province_problem(personal_id)
    if prov is not None:
        return [prov]

    decoded = _decode_unchecked(personal_id)
    g, yy = personal_id[3], personal_id[4:6]
    found: list[IdProblem] = []
    if birth_year is not None and birth_year != decoded.birth_year:
        found.append(
            IdProblem(
                "birth_year",
                f"Chữ số thế kỷ/giới tính {g} và hai chữ số năm sinh {yy} trong số định danh {personal_id} "
                f"cho năm sinh {decoded.birth_year}, nhưng hồ sơ ghi năm sinh {birth_year}.",
                f"The century/sex digit {g} and year digits {yy} in {personal_id} give birth year "
                f"{decoded.birth_year}, but the record says {birth_year}.",
            )
        )
    if sex is not None and sex != decoded.sex:
        found.append(
            IdProblem(
                "sex",
                f"Chữ số thế kỷ/giới tính {g} trong số định danh {personal_id} cho biết giới tính "
                f"{_SEX_VI[decoded.sex]}, nhưng hồ sơ ghi giới tính {_SEX_VI[sex]}.",
                f"The century/sex digit {g} in {personal_id} means {decoded.sex}, but the record says {sex}.",
            )
        )
    return found


def decode(personal_id: str) -> DecodedId:
    """Province, birth year and sex encoded in ``personal_id``.

    Raises PersonalIdError when the format or the province code is wrong.
    """
    found = problems(personal_id)
    if found:
        raise PersonalIdError(found)
    return _decode_unchecked(personal_id)


def validate(personal_id: str, birth_year: int | None = None, sex: str | None = None) -> DecodedId:
    """decode(), also checking agreement with the record; raises PersonalIdError listing every problem."""
    found = problems(personal_id, birth_year, sex)
    if found:
        raise PersonalIdError(found)
    return _decode_unchecked(personal_id)


def make_personal_id(province_code: str, birth_year: int, sex: str, serial: int) -> str:
    """Build a consistent id (for demo data and tests). Raises ValueError on bad input."""
    if not isinstance(province_code, str) or province_code not in BIRTH_PROVINCES:
        raise ValueError(f"unknown birth-registration province code {province_code!r}")
    if isinstance(birth_year, bool) or not isinstance(birth_year, int):
        raise ValueError(f"birth_year must be an int, not {birth_year!r}")
    if not FIRST_YEAR <= birth_year <= LAST_YEAR:
        raise ValueError(f"birth_year must be between {FIRST_YEAR} and {LAST_YEAR}, not {birth_year}")
    if sex not in SEXES:
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial <= 999_999:
        raise ValueError(f"serial must be an int from 0 to 999999, not {serial!r}")
    century, yy = divmod(birth_year - FIRST_YEAR, 100)
    g = 2 * century + SEXES.index(sex)
    return f"{province_code}{g}{yy:02d}{serial:06d}"
