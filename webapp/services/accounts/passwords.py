"""The password policy and the hash settings, each in one place.

Policy: at least MIN_LENGTH characters, at most MAX_LENGTH, not the username (nor containing it),
not in the list of common passwords shipped with the project (data/common-passwords.txt). Each
refusal names its rule in Vietnamese and English under the field `password`.

Hashing: werkzeug's scrypt; the cost is the app's PASSWORD_HASH_METHOD (config.py), so the
sign-in speed can be tuned in one setting."""

from functools import cache
from pathlib import Path

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Msg

MIN_LENGTH = 10
MAX_LENGTH = 200
COMMON_LIST = Path(__file__).resolve().parents[3] / "data" / "common-passwords.txt"

TOO_SHORT = Msg(
    f"Mật khẩu ít nhất {MIN_LENGTH} ký tự.", f"The password needs at least {MIN_LENGTH} characters."
)
TOO_LONG = Msg(
    f"Mật khẩu tối đa {MAX_LENGTH} ký tự.", f"The password can have at most {MAX_LENGTH} characters."
)
HAS_USERNAME = Msg(
    "Mật khẩu không được chứa tên đăng nhập.", "The password may not be or contain the username."
)
TOO_COMMON = Msg(
    "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác.",
    "This password is too common and easily guessed; choose another.",
)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def problems(password, username: str = "") -> list[Msg]:
    """What is wrong with `password` for the account `username` (empty: nothing)."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    folded = password.casefold()
    if username and username.casefold() in folded:
        return [HAS_USERNAME]
    if folded in common_passwords():
        return [TOO_COMMON]
    return []


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a password of anyone", method=method)


def check_nobody(password: str) -> None:
    """The same work as checking a real password, for an unknown username: an unknown user and
    a wrong password then take the same time (no username can be told by timing)."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
