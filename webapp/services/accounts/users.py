"""Users: created by an administrator (web UI or CLI) and managed in the administrator's subtree.

Every function that an administrator calls takes them first, finds the account only inside their
unit's subtree (else NotFound), validates all its input before writing anything (Invalid, a
message per field), records what it did in the admin audit (`audit`, never a password) and, when
what the account may reach changes, ends its sessions and tokens and hands its tasks back."""

import logging

from sqlalchemy import func, or_, select

from ...models import Unit, User, db
from .. import access
from ..access import DEPARTMENT, ROLES
from ..errors import Forbidden, Invalid, Msg, NotFound
from ..scope import subtree
from . import audit, passwords, sessions, unit_picker

log = logging.getLogger(__name__)

# Run when an account's role, unit or status changes, in the same transaction, as
# hook(actor, user) -> int (how many tasks went back to the queue). services/hooks.py fills it
# (the cases capability hands the tasks back; accounts may not import it).
ACCESS_CHANGED: list = []

ADMIN_ROLE = "admin"
NAME_LONG = Msg("Họ tên tối đa 200 ký tự.", "The full name can have at most 200 characters.")
UNKNOWN_UNIT = Msg(
    "Không tìm thấy đơn vị này: gõ tên xã, phường (hoặc mã) và chọn trong danh sách gợi ý.",
    "No such unit: type a commune's name (or its code) and pick it from the suggestions.",
)
UNIT_OUTSIDE = Msg(
    "Đơn vị này nằm ngoài phạm vi quản trị của bạn.", "This unit is outside the units you administer."
)
ROLE_NOT_GIVEN = Msg(
    "Bạn không được trao vai trò này ở đơn vị này (quản trị chỉ tạo quản trị ở đơn vị cấp dưới).",
    "You may not give this role in this unit (an administrator makes administrators only below them).",
)
OWN_ROLE = Msg("Không thể tự đổi vai trò của mình.", "You cannot change your own role.")
OWN_UNIT = Msg("Không thể tự đổi đơn vị của mình.", "You cannot change your own unit.")
NOT_FOUND_USER = Msg("Không tìm thấy người dùng.", "User not found.")
ADMINS_ONLY = Msg("Chỉ quản trị hệ thống được quản lý người dùng.", "Only administrators manage users.")


def _role_problem(role) -> Msg | None:
    if role not in ROLES:
        return Msg(
            f"Vai trò phải là một trong: {', '.join(ROLES)}.", f"Role must be one of: {', '.join(ROLES)}."
        )
    return None


def _username_problem(username) -> Msg | None:
    if (
        not isinstance(username, str)
        or not (3 <= len(username) <= 80)
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
        or not username.isascii()
    ):
        return Msg("Tên đăng nhập 3–80 ký tự: chữ, số, . _ -", "Username: 3–80 letters, digits, . _ -")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        return Msg("Tên đăng nhập đã có.", "This username is taken.")
    return None


def _unit(unit_text) -> Unit | None:
    """The unit an administrator picked: by name ("Xã Gia Viễn · Ninh Bình (13301)" from the
    picker, or a name matching one unit) or by code (unit_picker.pick)."""
    if not isinstance(unit_text, str) or not unit_text.strip():
        return None
    return unit_picker.pick(unit_text)


def create(
    username: str, role: str, unit_code: str, password: str, full_name: str = "", actor: User | None = None
) -> User:
    """A new account. `actor` is the administrator (None: the command line, which may do
    anything); they may only create it in their subtree with a role they may give there."""
    if actor is not None:
        _check_admin(actor)
    errors: dict[str, list[Msg]] = {}
    if problem := _username_problem(username):
        errors["username"] = [problem]
    if problem := _role_problem(role):
        errors["role"] = [problem]
    unit = _unit(unit_code)
    if unit is None:
        errors["unit"] = [UNKNOWN_UNIT]
    elif actor is not None and not access.in_scope(actor, unit.path):
        errors["unit"] = [UNIT_OUTSIDE]
    elif actor is not None and "role" not in errors and not access.can_grant(actor, role, unit):
        errors["role"] = [ROLE_NOT_GIVEN]
    if problems := passwords.problems(password, username if isinstance(username, str) else ""):
        errors["password"] = problems
    if isinstance(full_name, str) and len(full_name.strip()) > 200:
        errors["full_name"] = [NAME_LONG]
    if errors:
        raise Invalid(errors)
    user = User(
        username=username,
        role=role,
        department=DEPARTMENT[role],
        unit_id=unit.id,
        full_name=(full_name or "").strip() or username,
    )
    user.unit = unit
    user.password_hash = passwords.hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, user, "created", {"role": [None, role], "unit": [None, unit.code]})
    return user


def by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


# --- administration --------------------------------------------------------------------------


def get(admin: User, user_id: int) -> User:
    """An account the administrator manages, else NotFound (outside their subtree, or an
    administrator at or above their level: its existence is not revealed)."""
    _check_admin(admin)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not access.can_manage_user(admin, user):
        raise NotFound(NOT_FOUND_USER)
    return user


def get_by_username(admin: User, username: str) -> User:
    _check_admin(admin)
    user = by_username(username) if isinstance(username, str) else None
    if user is None or not access.can_manage_user(admin, user):
        raise NotFound(NOT_FOUND_USER)
    return user


def _managed(admin: User):
    """The accounts of the administrator's subtree (the list, its search, the file)."""
    _check_admin(admin)
    return select(User).join(User.unit).where(subtree(Unit.path, admin.unit.path))


def _matching(q: str) -> list:
    q = (q or "").strip()
    if not q:
        return []
    return [or_(User.username.icontains(q, autoescape=True), User.full_name.icontains(q, autoescape=True))]


def list_users(admin: User, page: int = 1, per_page: int = 50, q: str = "") -> tuple[list[User], int]:
    """One page of the accounts of the administrator's subtree, by username, and how many match.
    `q` matches a part of the username or the full name, ignoring case (SQLite: ASCII only)."""
    query = _managed(admin).where(*_matching(q))
    total = db.session.scalar(query.with_only_columns(func.count(User.id)).order_by(None)) or 0
    page, per_page = max(page, 1), max(per_page, 1)
    rows = db.session.scalars(
        query.order_by(User.username).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def all_users(admin: User, q: str = "") -> list[User]:
    """Every account of the subtree matching `q`, by username (the list as a file)."""
    return list(db.session.scalars(_managed(admin).where(*_matching(q)).order_by(User.username)))


def update(admin: User, user_id: int, role: str, unit_code: str, full_name: str) -> User:
    """Change an account's role (and with it its department), unit and full name. Nobody changes
    their own role or unit; the new unit must be in the administrator's subtree and the role one
    they may give there."""
    user = get(admin, user_id)
    errors: dict[str, list[Msg]] = {}
    if problem := _role_problem(role):
        errors["role"] = [problem]
    elif user.id == admin.id and role != user.role:
        errors["role"] = [OWN_ROLE]
    unit = _unit(unit_code)
    if unit is None:
        errors["unit"] = [UNKNOWN_UNIT]
    elif user.id == admin.id and unit.id != user.unit_id:
        errors["unit"] = [OWN_UNIT]
    elif not access.in_scope(admin, unit.path):
        errors["unit"] = [UNIT_OUTSIDE]
    elif "role" not in errors and user.id != admin.id and not access.can_grant(admin, role, unit):
        errors["role"] = [ROLE_NOT_GIVEN]
    full_name = (full_name or "").strip() if isinstance(full_name, str) else ""
    if len(full_name) > 200:
        errors["full_name"] = [NAME_LONG]
    if errors:
        raise Invalid(errors)
    old_unit = user.unit
    changes = {
        name: [old, new]
        for name, old, new in (
            ("role", user.role, role),
            ("unit", old_unit.code, unit.code),
            ("full_name", user.full_name, full_name or user.username),
        )
        if old != new
    }
    user.role, user.department = role, DEPARTMENT[role]
    user.unit_id, user.unit = unit.id, unit
    user.full_name = full_name or user.username
    db.session.flush()
    if changes:
        audit.record(admin, user, "changed", changes)
    if "role" in changes or "unit" in changes:  # what they may reach changed
        _access_changed(admin, user, "role or unit changed")
    log.info("%s updated user %s: %s", admin.username, user.username, changes)
    return user


def reset_password(admin: User, user_id: int, new_password: str) -> User:
    """Set a new password that the owner must change at the next sign-in; every session and token
    of the account ends. (Sign-in throttling counts by client address, so no lockout to lift.)"""
    user = get(admin, user_id)
    if problems := passwords.problems(new_password, user.username):
        raise Invalid({"password": problems})
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = True  # the administrator knows it: the owner chooses their own
    sessions.end_all_access(user, "password reset")
    audit.record(admin, user, "password_reset", {})
    log.info("%s reset the password of %s", admin.username, user.username)
    return user


def set_active(admin: User, user_id: int, active: bool) -> User:
    """Deactivate (no more sign-in; every session and token ends; tasks go back to the queue) or
    reactivate."""
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
    if user.active == active:
        return user
    user.active = active
    db.session.flush()
    audit.record(admin, user, "reactivated" if active else "deactivated", {"active": [not active, active]})
    if not active:
        _access_changed(admin, user, "deactivated")
    log.info("%s %s user %s", admin.username, "activated" if active else "deactivated", user.username)
    return user


def change_own_password(user: User, current: str, new: str) -> User:
    """An officer changes their own password: the current one first, then the policy; every
    other session and token of theirs ends (the caller signs the current browser in again)."""
    errors: dict[str, list[Msg]] = {}
    if not isinstance(current, str) or not passwords.check(user.password_hash, current):
        errors["current_password"] = [Msg("Mật khẩu hiện tại không đúng.", "The current password is wrong.")]
    if problems := passwords.problems(new, user.username):
        errors["new_password"] = problems
    elif isinstance(current, str) and new == current:
        errors["new_password"] = [
            Msg(
                "Mật khẩu mới phải khác mật khẩu hiện tại.",
                "The new password must differ from the current one.",
            )
        ]
    if errors:
        raise Invalid(errors)
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    sessions.end_all_access(user, "password changed")
    audit.record(user, user, "password_changed", {})
    return user


def _access_changed(actor: User, user: User, why: str) -> None:
    sessions.end_all_access(user, why)
    released = sum(hook(actor, user) for hook in ACCESS_CHANGED)
    if released:
        audit.record(actor, user, "tasks_released", {"tasks": [released, 0]})


def _check_admin(admin: User) -> None:
    if admin is None or not admin.active or admin.role != ADMIN_ROLE:
        raise Forbidden(ADMINS_ONLY)
