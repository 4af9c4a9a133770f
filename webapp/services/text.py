"""Text helpers for Vietnamese names."""

import unicodedata


def name_key(name: str) -> str:
    """Lower case, no diacritics, single spaces: "Nguyễn  Văn Ánh" -> "nguyen van anh"."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())
