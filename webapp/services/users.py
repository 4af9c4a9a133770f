"""Users: created by an administrator (web UI or CLI)."""

from flask import current_app
from sqlalchemy import select

from ..models import Unit, User, db
from .access import DEPARTMENT, ROLES
from .errors import Invalid, Msg


def create(username: str, role: str, unit_code: str, password: str, full_name: str = "") -> User:
    errors = {}
    if (
        not isinstance(username, str)
        or not (3 <= len(username) <= 80)
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
        or not username.isascii()
    ):
        errors["username"] = [
            Msg("Tên đăng nhập 3–80 ký tự: chữ, số, . _ -", "Username: 3–80 letters, digits, . _ -")
        ]
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = [Msg("Tên đăng nhập đã có.", "This username is taken.")]
    if role not in ROLES:
        errors["role"] = [
            Msg(
                f"Vai trò phải là một trong: {', '.join(ROLES)}.", f"Role must be one of: {', '.join(ROLES)}."
            )
        ]
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        errors["unit"] = [Msg("Không có đơn vị với mã này.", "No unit has this code.")]
    if not isinstance(password, str) or len(password) < 8:
        errors["password"] = [Msg("Mật khẩu ít nhất 8 ký tự.", "The password needs at least 8 characters.")]
    if errors:
        raise Invalid(errors)
    user = User(
        username=username,
        role=role,
        department=DEPARTMENT[role],
        unit_id=unit.id,
        full_name=full_name or username,
    )
    user.unit = unit
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.flush()
    return user


def by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))
