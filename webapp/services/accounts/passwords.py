"""The password policy and the hash settings, each in one place.

Policy: at least MIN_LENGTH characters, at most MAX_LENGTH, not the username (nor containing it),
not in the list of common passwords shipped with the project (data/common-passwords.txt). Each
refusal names its rule in Vietnamese and English under the field `password`.

Hashing: argon2id (argon2-cffi) at OWASP's parameters, m=19 MiB, t=2, p=1 by default; the
setting is the app's PASSWORD_HASH_METHOD (config.py), "argon2id" or "argon2id:m=…,t=…,p=…"
(a werkzeug method such as "scrypt" still works). Hashes of an older method or weaker
parameters (the scrypt hashes from before argon2id) are still checked, and replaced by the
current method at the owner's next successful sign-in (sign_in.py): the password is only known
then. Figures and the reasons for the parameters: docs/security.md, "Passwords and signing in"."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
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


# OWASP Password Storage Cheat Sheet: argon2id with at least 19 MiB of memory, 2 iterations, 1 lane.
ARGON2_DEFAULTS = {"m": 19 * 1024, "t": 2, "p": 1}


@cache
def _argon2(method: str) -> PasswordHasher | None:
    """The hasher a PASSWORD_HASH_METHOD names ("argon2id", "argon2id:m=19456,t=2,p=1"); None for
    a werkzeug method. A malformed setting fails at the first hash, naming it."""
    name, _, params = method.partition(":")
    if name != "argon2id":
        return None
    given = dict(pair.split("=", 1) for pair in params.split(",") if pair) if params else {}
    unknown = set(given) - set(ARGON2_DEFAULTS)
    if unknown:
        raise ValueError(f"PASSWORD_HASH_METHOD {method!r}: unknown parameter {sorted(unknown)}")
    p = {**ARGON2_DEFAULTS, **{key: int(value) for key, value in given.items()}}
    return PasswordHasher(time_cost=p["t"], memory_cost=p["m"], parallelism=p["p"], type=Type.ID)


def _method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def hash_password(password: str) -> str:
    hasher = _argon2(_method())
    return hasher.hash(password) if hasher else generate_password_hash(password, method=_method())


def _verify(password_hash: str, password: str) -> bool:
    """One password check, whatever the hash's method (argon2 reads its parameters from the hash)."""
    if password_hash.startswith("$argon2"):
        try:
            return PasswordHasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(password_hash, password)


def check(password_hash: str, password: str) -> bool:
    return _verify(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash is not the current method at the current parameters (an old scrypt
    hash, or argon2id weaker or stronger than configured): replace it at the next sign-in."""
    hasher = _argon2(_method())
    if hasher is None:
        return False  # a werkzeug method configured (tests, benchmarks): hashes are left alone
    return not password_hash.startswith("$argon2id$") or hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash(method: str) -> str:
    hasher = _argon2(method)
    phrase = "not a password of anyone"
    return hasher.hash(phrase) if hasher else generate_password_hash(phrase, method=method)


def check_nobody(password: str) -> None:
    """The same work as checking a real password, for an unknown username: an unknown user and
    a wrong password then take the same time (no username can be told by timing)."""
    _verify(_dummy_hash(_method()), password or "")
