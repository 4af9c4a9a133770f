"""Text helpers for Vietnamese names."""

import re
import unicodedata
from datetime import date

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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


def unstorable(text: str) -> bool:
    """A NUL character (PostgreSQL stores none in text or JSON) or a lone surrogate (not UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
