"""Users: created by an administrator (web UI or CLI)."""

import logging

from flask import current_app
from sqlalchemy import func, or_, select

from ...models import Unit, User, db
from ..access import DEPARTMENT, ROLES
from ..errors import Forbidden, Invalid, Msg, NotFound

log = logging.getLogger(__name__)


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


# --- Administration: every function below takes the acting administrator first, validates all
# of its input before writing anything, and raises Invalid with a message per field.

ADMIN_ROLE = "admin"
PASSWORD_SHORT = Msg("Mật khẩu ít nhất 8 ký tự.", "The password needs at least 8 characters.")
PASSWORD_LONG = Msg("Mật khẩu tối đa 200 ký tự.", "The password can have at most 200 characters.")
NAME_LONG = Msg("Họ tên tối đa 200 ký tự.", "The full name can have at most 200 characters.")
UNKNOWN_UNIT = Msg("Không có đơn vị với mã này.", "No unit has this code.")
NOT_FOUND_USER = Msg("Không tìm thấy người dùng.", "User not found.")
ADMINS_ONLY = Msg("Chỉ quản trị hệ thống được quản lý người dùng.", "Only administrators manage users.")


def get(admin: User, user_id: int) -> User:
    _check_admin(admin)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(NOT_FOUND_USER)
    return user


def _matching(q: str) -> list:
    q = (q or "").strip()
    if not q:
        return []
    return [or_(User.username.icontains(q, autoescape=True), User.full_name.icontains(q, autoescape=True))]


def list_users(page: int = 1, per_page: int = 50, q: str = "") -> tuple[list[User], int]:
    """One page of users ordered by username, and how many match in all. `q` matches a part of
    the username or the full name, ignoring case (on SQLite, only ASCII letters fold)."""
    conditions = _matching(q)
    total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    page, per_page = max(page, 1), max(per_page, 1)
    rows = db.session.scalars(
        select(User).where(*conditions).order_by(User.username).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def all_users(q: str = "") -> list[User]:
    """Every user matching `q`, by username (the list as a file; units load with them)."""
    return list(db.session.scalars(select(User).where(*_matching(q)).order_by(User.username)))


def update(admin: User, user_id: int, role: str, unit_code: str, full_name: str) -> User:
    """Change a user's role (and with it their department), unit and full name."""
    user = get(admin, user_id)
    errors: dict[str, list[Msg]] = {}
    if role not in ROLES:
        errors["role"] = [
            Msg(
                f"Vai trò phải là một trong: {', '.join(ROLES)}.", f"Role must be one of: {', '.join(ROLES)}."
            )
        ]
    elif user.id == admin.id and role != ADMIN_ROLE:
        errors["role"] = [
            Msg(
                "Không thể tự bỏ vai trò quản trị của mình.",
                "You cannot take the administrator role away from yourself.",
            )
        ]
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if unit is None:
        errors["unit"] = [UNKNOWN_UNIT]
    full_name = (full_name or "").strip()
    if len(full_name) > 200:
        errors["full_name"] = [NAME_LONG]
    if errors:
        raise Invalid(errors)
    changes = {
        name: (getattr(user, name), value)
        for name, value in (("role", role), ("unit_id", unit.id), ("full_name", full_name or user.username))
        if getattr(user, name) != value
    }
    user.role, user.department = role, DEPARTMENT[role]
    user.unit_id, user.unit = unit.id, unit
    user.full_name = full_name or user.username
    db.session.flush()
    log.info("%s updated user %s: %s", admin.username, user.username, changes)
    return user


def reset_password(admin: User, user_id: int, new_password: str) -> User:
    """Set a new password; the account's sign-in lockout is lifted with it."""
    user = get(admin, user_id)
    if not isinstance(new_password, str) or len(new_password) < 8:
        raise Invalid({"password": [PASSWORD_SHORT]})
    if len(new_password) > 200:
        raise Invalid({"password": [PASSWORD_LONG]})
    user.set_password(new_password, current_app.config["PASSWORD_HASH_METHOD"])
    user.failed_logins, user.locked_until = 0, None
    db.session.flush()
    log.info("%s reset the password of %s", admin.username, user.username)
    return user


def set_active(admin: User, user_id: int, active: bool) -> User:
    """Deactivate (the user can no longer sign in, and a running session ends) or reactivate."""
    user = get(admin, user_id)
    if not isinstance(active, bool):
        raise Invalid({"active": [Msg("Trạng thái phải là bật hoặc tắt.", "Active must be true or false.")]})
    if user.id == admin.id and not active:
        raise Invalid(
            {
                "active": [
                    Msg("Không thể tự khóa tài khoản của mình.", "You cannot deactivate your own account.")
                ]
            }
        )
    user.active = active
    db.session.flush()
    log.info("%s %s user %s", admin.username, "activated" if active else "deactivated", user.username)
    return user


def _check_admin(admin: User) -> None:
    if admin is None or not admin.active or admin.role != ADMIN_ROLE:
        raise Forbidden(ADMINS_ONLY)


def signed_in(user_id: str) -> User | None:
    """The user a session names, while the account is active (Flask-Login's user loader)."""
    user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    return user if user is not None and user.active else None
