"""Does the personal ID agree with the record? The campaign's wrong records are stored and flagged,
never refused (only a malformed ID or an unknown province code is): the flag is how the police
find them, and what keeps a case from being approved with an ID that contradicts the card.

`id_mismatch` on the resident holds the parts that disagree ("birth_year", "sex", both joined by a
comma) or None; the API shows it as `flags` and `id_check`.
"""

from datetime import date

from . import personal_id

PARTS = ("birth_year", "sex")
FLAG = "id_inconsistent"


def mismatch(pid: str, birth_date: date | None, sex: str | None) -> str | None:
    """The parts of a well-formed `pid` that disagree with the birth date and sex; None if none."""
    try:
        decoded = personal_id.decode(pid)
    except personal_id.PersonalIdError:
        return None  # a malformed ID is refused elsewhere; nothing to compare
    parts = []
    if birth_date is not None and birth_date.year != decoded.birth_year:
        parts.append("birth_year")
    if sex is not None and sex != decoded.sex:
        parts.append("sex")
    return ",".join(parts) or None


def parts(stored: str | None) -> list[str]:
    return [p for p in (stored or "").split(",") if p]


def flags(resident) -> list[str]:
    return [FLAG] if resident.id_mismatch else []


def id_check(resident) -> dict[str, bool]:
    """{"birth_year": agrees?, "sex": agrees?} as the API shows it."""
    wrong = parts(resident.id_mismatch)
    return {part: part not in wrong for part in PARTS}


def recheck(resident) -> str | None:
    """Compare again after a change of birth date or sex; stores and returns the new mismatch."""
    resident.id_mismatch = mismatch(resident.personal_id, resident.birth_date, resident.sex)
    return resident.id_mismatch
