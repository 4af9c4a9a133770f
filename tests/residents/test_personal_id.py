import pytest

from webapp.services.residents.personal_id import (
    BIRTH_PROVINCES,
    DecodedId,
    IdProblem,
    PersonalIdError,
    decode,
    make_personal_id,
    problems,
    validate,
)

pytestmark = pytest.mark.no_db

# --- valid numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("personal_id", "expected"),
    [
        ("037153000257", DecodedId("037", "Ninh Bình", 1953, "female")),
        ("001201000042", DecodedId("001", "Hà Nội", 2001, "male")),
        ("079099123456", DecodedId("079", "TP Hồ Chí Minh", 1999, "male")),
        ("096300000000", DecodedId("096", "Cà Mau", 2000, "female")),
        ("048185999999", DecodedId("048", "Đà Nẵng", 1985, "female")),
        ("002400000001", DecodedId("002", "Hà Giang", 2100, "male")),
        ("046599000001", DecodedId("046", "Thừa Thiên Huế", 2199, "female")),
        ("001900000001", DecodedId("001", "Hà Nội", 2300, "female")),
    ],
)
def test_decode_valid(personal_id, expected):
    assert decode(personal_id) == expected
    assert problems(personal_id) == []
    assert problems(personal_id, expected.birth_year, expected.sex) == []
    assert validate(personal_id, expected.birth_year, expected.sex) == expected


def test_province_table_has_the_63_codes_with_gaps():
    assert len(BIRTH_PROVINCES) == 63
    assert all(len(code) == 3 and code.isascii() and code.isdigit() for code in BIRTH_PROVINCES)
    assert min(BIRTH_PROVINCES) == "001"
    assert max(BIRTH_PROVINCES) == "096"
    for gap in ("003", "005", "007", "009", "013", "047", "050", "097"):
        assert gap not in BIRTH_PROVINCES
    assert BIRTH_PROVINCES["038"] == "Thanh Hóa"
    assert BIRTH_PROVINCES["092"] == "Cần Thơ"


@pytest.mark.parametrize("code", sorted(BIRTH_PROVINCES))
def test_every_province_code_decodes(code):
    decoded = decode(f"{code}008000001")
    assert decoded.province_code == code
    assert decoded.province_name == BIRTH_PROVINCES[code]
    assert decoded.birth_year == 1908
    assert decoded.sex == "male"


# --- format problems --------------------------------------------------------------------------------

FULL_WIDTH = "０３７１５３０００２５７"
ARABIC_INDIC = "٠٣٧١٥٣٠٠٠٢٥٧"


@pytest.mark.parametrize(
    ("personal_id", "words_en"),
    [
        ("03715300025", ["11 characters"]),
        ("0371530002571", ["13 characters"]),
        ("", ["0 characters"]),
        ("03715300025A", ["not digits"]),
        ("abcdefghijkl", ["not digits"]),
        ("037-153-0002", ["not digits"]),
        (FULL_WIDTH, ["non-ASCII digits"]),
        (ARABIC_INDIC, ["non-ASCII digits"]),
        ("03715300025٧", ["non-ASCII digits"]),
        (" 037153000257", ["13 characters", "start or end"]),
        ("037153000257\n", ["13 characters", "start or end"]),
        ("0371530 0257", ["spaces inside"]),
        ("037 153 000 257", ["15 characters", "spaces inside"]),
    ],
)
def test_format_problems(personal_id, words_en):
    found = problems(personal_id)
    assert [p.code for p in found] == ["format"]
    for word in words_en:
        assert word in found[0].message_en
    assert "12" in found[0].message_vi
    with pytest.raises(PersonalIdError) as excinfo:
        decode(personal_id)
    assert excinfo.value.problems == found


@pytest.mark.parametrize("personal_id", [FULL_WIDTH, ARABIC_INDIC])
def test_unicode_digits_are_refused_although_isdigit_accepts_them(personal_id):
    assert personal_id.isdigit()  # the trap this module must avoid
    assert len(personal_id) == 12
    (problem,) = problems(personal_id)
    assert problem.code == "format"
    assert "non-ASCII" in problem.message_en
    assert "không phải ASCII" in problem.message_vi


@pytest.mark.parametrize("value", [None, 37153000257, 37153000257.0, b"037153000257", ["037153000257"]])
def test_non_str_input_is_a_format_problem_not_an_exception(value):
    found = problems(value)
    assert [p.code for p in found] == ["format"]
    with pytest.raises(PersonalIdError):
        decode(value)
    with pytest.raises(PersonalIdError):
        validate(value, 1953, "female")


def test_format_failure_hides_every_other_problem():
    # wrong length and unknown province and wrong year: only the format is reported
    found = problems("00315300025", birth_year=1999, sex="male")
    assert [p.code for p in found] == ["format"]


# --- province problems -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["000", "003", "099", "097", "100", "999"])
def test_unknown_province_code(code):
    personal_id = f"{code}153000257"
    found = problems(personal_id)
    assert [p.code for p in found] == ["province"]
    assert code in found[0].message_en
    assert code in found[0].message_vi
    with pytest.raises(PersonalIdError) as excinfo:
        decode(personal_id)
    assert [p.code for p in excinfo.value.problems] == ["province"]


def test_unknown_province_skips_year_and_sex_checks():
    found = problems("003153000257", birth_year=1999, sex="male")
    assert [p.code for p in found] == ["province"]


# --- agreement with the record ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("personal_id", "record_year", "decoded_year"),
    [
        ("037153000257", 1954, 1953),
        ("037153000257", 2053, 1953),  # same YY, wrong century
        ("001201000042", 1901, 2001),
        ("001201000042", 2010, 2001),
    ],
)
def test_birth_year_mismatch(personal_id, record_year, decoded_year):
    found = problems(personal_id, birth_year=record_year)
    assert [p.code for p in found] == ["birth_year"]
    for message in (found[0].message_en, found[0].message_vi):
        assert str(record_year) in message
        assert str(decoded_year) in message
        assert personal_id in message


@pytest.mark.parametrize(
    ("personal_id", "record_sex", "words_en", "words_vi"),
    [
        ("037153000257", "male", ("means female", "says male"), ("giới tính nữ", "giới tính nam")),
        ("001201000042", "female", ("means male", "says female"), ("giới tính nam", "giới tính nữ")),
    ],
)
def test_sex_mismatch(personal_id, record_sex, words_en, words_vi):
    found = problems(personal_id, sex=record_sex)
    assert [p.code for p in found] == ["sex"]
    for word in words_en:
        assert word in found[0].message_en
    for word in words_vi:
        assert word in found[0].message_vi


def test_year_and_sex_mismatch_gives_two_problems():
    found = problems("037153000257", birth_year=1954, sex="male")
    assert [p.code for p in found] == ["birth_year", "sex"]
    with pytest.raises(PersonalIdError) as excinfo:
        validate("037153000257", birth_year=1954, sex="male")
    assert excinfo.value.problems == found
    assert str(excinfo.value) == " ".join(p.message_en for p in found)
    assert isinstance(excinfo.value, ValueError)


def test_record_checks_only_when_argument_given():
    assert problems("037153000257", birth_year=1953) == []
    assert problems("037153000257", sex="female") == []
    assert [p.code for p in problems("037153000257", sex="male")] == ["sex"]


@pytest.mark.parametrize(("birth_year", "sex"), [("1953", None), (True, None), (None, "nữ"), (None, "F")])
def test_malformed_record_arguments_are_programming_errors(birth_year, sex):
    with pytest.raises((TypeError, ValueError)) as excinfo:
        problems("037153000257", birth_year=birth_year, sex=sex)
    assert not isinstance(excinfo.value, PersonalIdError)


# --- messages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("personal_id", "birth_year", "sex"),
    [
        (None, None, None),
        (12, None, None),
        ("12", None, None),
        (FULL_WIDTH, None, None),
        (" 037153000257", None, None),
        ("099153000257", None, None),
        ("037153000257", 1954, "male"),
    ],
)
def test_messages_in_both_languages(personal_id, birth_year, sex):
    found = problems(personal_id, birth_year, sex)
    assert found
    for problem in found:
        assert isinstance(problem, IdProblem)
        assert problem.code in {"format", "province", "birth_year", "sex"}
        assert problem.message_vi.strip()
        assert problem.message_en.strip()
        assert problem.message_vi != problem.message_en
        assert "định danh" in problem.message_vi


# --- make_personal_id ---------------------------------------------------------------------------


@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize("province_code", ["001", "037", "046", "079", "096"])
def test_make_personal_id_round_trips_1900_to_2199(province_code, sex):
    for year in range(1900, 2200):
        serial = (year * 7919) % 1_000_000
        personal_id = make_personal_id(province_code, year, sex, serial)
        assert len(personal_id) == 12
        assert personal_id.isascii() and personal_id.isdigit()
        assert personal_id[:3] == province_code
        assert personal_id[6:] == f"{serial:06d}"
        assert decode(personal_id) == DecodedId(province_code, BIRTH_PROVINCES[province_code], year, sex)
        assert problems(personal_id, year, sex) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("037", 1953, "female", 257), "037153000257"),
        (("001", 2001, "male", 42), "001201000042"),
        (("096", 2199, "female", 999_999), "096599999999"),
        (("010", 1900, "male", 0), "010000000000"),
    ],
)
def test_make_personal_id_layout(args, expected):
    assert make_personal_id(*args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ("003", 1953, "female", 1),  # unknown province
        ("37", 1953, "female", 1),
        (37, 1953, "female", 1),
        ("037", 1899, "female", 1),  # cannot be encoded
        ("037", 2400, "female", 1),
        ("037", "1953", "female", 1),
        ("037", 1953, "nữ", 1),
        ("037", 1953, None, 1),
        ("037", 1953, "female", -1),
        ("037", 1953, "female", 1_000_000),
        ("037", 1953, "female", "1"),
    ],
)
def test_make_personal_id_rejects_bad_input(args):
    with pytest.raises(ValueError):
        make_personal_id(*args)
