from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .base import Form


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[Length(max=200)])
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        description=_l("Ít nhất 10 ký tự, không chứa tên đăng nhập, không phải mật khẩu phổ biến."),
        validators=[Length(max=200)],
    )
