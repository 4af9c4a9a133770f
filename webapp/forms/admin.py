"""Forms of the user administration page. The rules (username shape, known role and unit,
password length) live in services/accounts/users.py, whose messages name each rule in both languages;
these forms only carry the fields, the CSRF token and the length caps of the columns."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import Length

from ..services.access import ROLES
from .base import Form

# What each role is called on screen.
ROLE_LABELS = {
    "police": _l("Công an cấp xã"),
    "police_lead": _l("Lãnh đạo Công an cấp xã"),
    "justice": _l("Tư pháp – Hộ tịch"),
    "approval": _l("Phê duyệt"),
    "production": _l("Sản xuất thẻ"),
    "supervisor": _l("Giám sát"),
    "admin": _l("Quản trị hệ thống"),
}
assert set(ROLE_LABELS) == set(ROLES), "every role needs a label"

NAME_MAX = _l("Họ tên tối đa 200 ký tự.")
PASSWORD_MAX = _l("Mật khẩu tối đa 200 ký tự.")


def _role_field():
    # Unknown values reach the service, which names the rule (validate_choice would answer
    # with an untranslated WTForms message).
    return SelectField(
        _l("Vai trò"), choices=[(role, ROLE_LABELS[role]) for role in ROLES], validate_choice=False
    )


def _unit_field():
    # Picked by name from the units the administrator manages (admin.units fills the datalist);
    # the value sent is the option's "Name · Province (code)", a name or a code.
    return StringField(
        _l("Đơn vị"),
        description=_l("Gõ tên xã, phường (không cần dấu) hoặc mã, rồi chọn trong danh sách gợi ý."),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class UserCreateForm(Form):
    username = StringField(_l("Tên đăng nhập"), description=_l("3–80 ký tự: chữ, số, . _ -"))
    full_name = StringField(_l("Họ tên"), validators=[Length(max=200, message=NAME_MAX)])
    role = _role_field()
    unit = _unit_field()
    password = PasswordField(
        _l("Mật khẩu"),
        description=_l("Ít nhất 10 ký tự, không chứa tên đăng nhập, không phải mật khẩu phổ biến."),
        validators=[Length(max=200, message=PASSWORD_MAX)],
    )


class UserEditForm(Form):
    full_name = StringField(_l("Họ tên"), validators=[Length(max=200, message=NAME_MAX)])
    role = _role_field()
    unit = _unit_field()


class PasswordResetForm(Form):
    password = PasswordField(
        _l("Mật khẩu mới"),
        description=_l("Ít nhất 10 ký tự, không chứa tên đăng nhập, không phải mật khẩu phổ biến."),
        validators=[Length(max=200, message=PASSWORD_MAX)],
    )


class UserStatusForm(Form):
    """Activate or deactivate: "1" or "0"."""

    active = HiddenField()
