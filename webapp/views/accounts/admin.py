"""User administration: list and search users, create one, change role/unit/name, reset a
password, deactivate or reactivate. Administrators only.

Every form works as a plain post (303 to a page, or 422 with the errors beside the fields) and
as an htmx post (200 with the form's block, or an HX-Redirect once it has been saved)."""

import logging

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...forms.admin import ROLE_LABELS, PasswordResetForm, UserCreateForm, UserEditForm, UserStatusForm
from ...i18n import message
from ...services import access, uow
from ...services.accounts import audit, unit_picker
from ...services.accounts import users as user_service
from ...services.errors import Invalid
from ...web import allow, invalid_status, render, see_other, send_table

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
# What each audited action is called on the account's page.
AUDIT_ACTIONS = {
    "created": _l("Tạo tài khoản"),
    "changed": _l("Đổi thông tin"),
    "password_reset": _l("Đặt lại mật khẩu"),
    "password_changed": _l("Tự đổi mật khẩu"),
    "deactivated": _l("Khóa tài khoản"),
    "reactivated": _l("Mở lại tài khoản"),
    "tokens_revoked": _l("Thu hồi mã truy cập API"),
    "tasks_released": _l("Trả công việc đang giữ về hàng chờ"),
}
FIELD_LABELS = {
    "role": _l("Vai trò"),
    "unit": _l("Đơn vị"),
    "full_name": _l("Họ tên"),
    "active": _l("Hoạt động"),
}


@bp.get("/users")
@allow(access.ADMINISTER)
def users():
    q = request.args.get("q", "").strip()
    fmt = request.args.get("format")
    if fmt:
        return send_table("nguoi-dung", fmt, _user_columns(), user_service.all_users(current_user, q))
    page = request.args.get("page", 1, type=int)
    # A history restore after hx-push-url needs the whole page, not the table.
    block = None if request.headers.get("HX-History-Restore-Request") == "true" else "table"
    return render("admin/users.html", block=block, form=UserCreateForm(formdata=None), **_listing(page, q))


@bp.get("/units")
@allow(access.ADMINISTER)
def units():
    """Options of the user form's unit picker (a <datalist>): the units of the administrator's
    subtree whose name holds the words typed (no diacritics needed); nothing typed, the first."""
    q = request.args.get("unit", "")
    return render("cooperation/_units.html", choices=unit_picker.search(q, within=current_user.unit.path))


@bp.post("/users")
@allow(access.ADMINISTER)
def create():
    form = UserCreateForm()
    created = None
    if form.validate_on_submit():
        fields = form.username, form.role, form.unit, form.password, form.full_name
        created = _save(form, _create, *(field.data for field in fields))
    if created is not None:
        log.info("%s created user %s (%s)", current_user.username, created.username, created.role)
        flash(_("Đã tạo người dùng %(name)s.", name=created.username), "success")
        return see_other(url_for("admin.user", user_id=created.id))
    return render(
        "admin/users.html", block="create_form", status=invalid_status(), form=form, **_listing(1, "")
    )


@bp.get("/users/<int:user_id>")
@allow(access.ADMINISTER)
def user(user_id: int):
    target = user_service.get(current_user, user_id)
    return render("admin/user.html", **_user_forms(target))


@bp.post("/users/<int:user_id>")
@allow(access.ADMINISTER)
def update(user_id: int):
    target = user_service.get(current_user, user_id)
    form = UserEditForm()
    if form.validate_on_submit() and _save(
        form, user_service.update, current_user, user_id, form.role.data, form.unit.data, form.full_name.data
    ):
        flash(_("Đã lưu thay đổi của %(name)s.", name=target.username), "success")
        return see_other(url_for("admin.user", user_id=user_id))
    return _user_page(target, "edit_form", edit_form=form)


@bp.post("/users/<int:user_id>/password")
@allow(access.ADMINISTER)
def reset_password(user_id: int):
    target = user_service.get(current_user, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit() and _save(
        form, user_service.reset_password, current_user, user_id, form.password.data
    ):
        flash(_("Đã đặt lại mật khẩu của %(name)s.", name=target.username), "success")
        return see_other(url_for("admin.user", user_id=user_id))
    return _user_page(target, "password_form", password_form=form)


@bp.post("/users/<int:user_id>/active")
@allow(access.ADMINISTER)
def set_active(user_id: int):
    target = user_service.get(current_user, user_id)
    form = UserStatusForm()
    active = form.active.data == "1"
    if form.validate_on_submit() and _save(form, user_service.set_active, current_user, user_id, active):
        name = target.username
        text = (
            _("Đã mở lại tài khoản %(name)s.", name=name)
            if active
            else _("Đã khóa tài khoản %(name)s.", name=name)
        )
        flash(text, "success")
        return see_other(url_for("admin.user", user_id=user_id))
    return _user_page(target, "status_form", status_form=form)


# --- helpers ---------------------------------------------------------------------------------


def _user_columns() -> list:
    return [
        (_("Tên đăng nhập"), lambda u: u.username),
        (_("Họ tên"), lambda u: u.full_name or ""),
        (_("Vai trò"), lambda u: str(ROLE_LABELS.get(u.role, u.role))),
        (_("Đơn vị"), lambda u: f"{u.unit.name} ({u.unit.code})"),
        (_("Trạng thái"), lambda u: _("Đang hoạt động") if u.active else _("Đã khóa")),
        (_("Đăng nhập gần nhất"), lambda u: u.last_login_at),
        (_("Ngày tạo"), lambda u: u.created_at),
    ]


def _listing(page: int, q: str) -> dict:
    page = max(page, 1)
    rows, total = user_service.list_users(current_user, page, PER_PAGE, q)
    pages = max(1, -(-total // PER_PAGE))
    return {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "q": q,
        "role_labels": ROLE_LABELS,
        "unit_choices": _unit_choices(),
    }


def _unit_choices() -> list:
    """The unit picker's first options, before anything is typed: the administrator's units."""
    return unit_picker.search("", within=current_user.unit.path)


def _save(form, action, *args):
    """Run one service command and return its result; on invalid input nothing is saved, the
    field errors go beside the form's fields and the result is None."""
    try:
        with uow.command():
            return action(*args)
    except Invalid as exc:
        for name, problems in exc.fields.items():
            field = getattr(form, name, None)
            texts = [message(p) for p in problems]
            if field is None:
                form.form_errors.extend(texts)
            else:
                field.errors = [*field.errors, *texts]
        return None


def _create(username, role, unit, password, full_name):
    return user_service.create(username, role, unit, password, full_name, actor=current_user)


def _user_forms(target, **forms) -> dict:
    unit = unit_picker.label(target.unit)
    edit = UserEditForm(formdata=None, full_name=target.full_name, role=target.role, unit=unit)
    history = audit.history(target)
    return {
        "user": target,
        "role_labels": ROLE_LABELS,
        "unit_choices": _unit_choices(),
        "history": history,
        "history_units": audit.unit_names(history),
        "actions": AUDIT_ACTIONS,
        "field_labels": FIELD_LABELS,
        "edit_form": forms.get("edit_form", edit),
        "password_form": forms.get("password_form", PasswordResetForm(formdata=None)),
        "status_form": forms.get("status_form", UserStatusForm(formdata=None)),
    }


def _user_page(target, block: str, **forms):
    return render("admin/user.html", block=block, status=invalid_status(), **_user_forms(target, **forms))
