"""Text helpers for Vietnamese names."""

import re
import unicodedata
from datetime import date, datetime

from vntime import LOCAL_TZ

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339 (the ISO 8601 profile API.md's `*_at` fields use): a date, "T", a time, an offset.
ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def name_key(name: str) -> str:
    """Lower case, no diacritics, single spaces: "Nguyễn  Văn Ánh" -> "nguyen van anh"."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def parse_iso_date(value) -> date | None:
    """A date written exactly YYYY-MM-DD (no week dates, no other forms); None when it is not."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_date_or_timestamp(value) -> date | datetime | None:
    """A date YYYY-MM-DD, or a timestamp with its offset (aware); None for anything else (a
    timestamp without an offset names no instant)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    day = parse_iso_date(value)
    if day is not None or not isinstance(value, str) or not ISO_TIMESTAMP.fullmatch(value):
        return day
    try:
        moment = datetime.fromisoformat(value.upper())
        local_day(moment)  # year 1 or 9999 with an offset has no local day
    except (ValueError, OverflowError):
        return None
    return moment


def local_day(value: date | datetime) -> date:
    """The Vietnamese calendar day of a date or of an aware timestamp."""
    return value.astimezone(LOCAL_TZ).date() if isinstance(value, datetime) else value


def unstorable(text: str) -> bool:
    """A NUL character (PostgreSQL stores none in text or JSON) or a lone surrogate (not UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
