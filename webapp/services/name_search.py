"""The text box of the inbox, the case list and the listing: a personal ID (digits), a case
code, or a name without diacritics ("van anh" finds "Nguyễn Văn Ánh").

A name is a substring of residents.name_key (LIKE '%van anh%'). On PostgreSQL the trigram index
ix_residents_name_key (pg_trgm, migration 0012) serves it when the key has three characters or
more and the name is rarer than what the other conditions leave (the planner weighs both); a
shorter key, or a common name in a small queue, is checked on the rows the other conditions
chose. A case code ("HS-2026-000123") always holds digits (the year), so a text without digits
is matched on the name alone: an OR across residents and cases would keep PostgreSQL from
reading the index for the name."""

from sqlalchemy import or_

from ..models import Case, Resident
from .text import name_key


def digits_only(q: str) -> str | None:
    """The digits typed, spaces ignored ("037 190" -> "037190"), or None when q is not a number."""
    compact = q.replace(" ", "")
    return compact if compact.isascii() and compact.isdigit() else None


def name_contains(q: str):
    """Residents whose name, without diacritics, contains q without diacritics."""
    return Resident.name_key.contains(name_key(q), autoescape=True)


def may_be_case_code(q: str) -> bool:
    """Whether q could equal a case code (every code holds its year's digits)."""
    return any("0" <= c <= "9" for c in q)


def matches_name_or_code(q: str, code_contains_digits: bool = False):
    """Inbox and case list (joined to cases and residents): a number is a personal ID prefix
    (or, with code_contains_digits, part of a case code); any other text a name or, when it
    could be one, the exact case code."""
    digits = digits_only(q)
    if digits is not None:
        if code_contains_digits:
            return or_(Resident.personal_id.startswith(digits), Case.code.contains(digits))
        return Resident.personal_id.startswith(digits)
    if may_be_case_code(q):
        return or_(name_contains(q), Case.code == q.upper())
    return name_contains(q)
