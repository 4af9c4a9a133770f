"""The base of every form of the app: WTForms' and Flask-WTF's own messages in the page's language.

WTForms ships catalogues for some thirty languages, not Vietnamese, so a Vietnamese page showed
"This field is required." or "Not a valid date value.". Here is the Vietnamese of every message
WTForms can produce (its wtforms.pot; tests/test_form_messages.py fails when a WTForms release
adds one) and of Flask-WTF's CSRF messages, which Flask-WTF raises untranslated. English pages
keep WTForms' own English. Vietnamese has no plural forms: one sentence serves both."""

from flask_wtf import FlaskForm

from ..i18n import lang

VIETNAMESE = {
    "Invalid field name '%s'.": "Tên trường không hợp lệ: '%s'.",
    "Field must be equal to %(other_name)s.": "Phải trùng với %(other_name)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Tối đa %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Phải có đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Cần từ %(min)d đến %(max)d ký tự.",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số không được lớn hơn %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải trong khoảng %(min)s đến %(max)s.",
    "This field is required.": "Mục này là bắt buộc.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Invalid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Invalid IP address.": "Địa chỉ IP không hợp lệ.",
    "Invalid Mac address.": "Địa chỉ MAC không hợp lệ.",
    "Invalid URL.": "Địa chỉ URL không hợp lệ.",
    "Invalid UUID.": "Mã UUID không hợp lệ.",
    "Invalid value, must be one of: %(values)s.": "Giá trị không hợp lệ; chỉ nhận: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Giá trị không hợp lệ; không được là: %(values)s.",
    "This field cannot be edited.": "Không được sửa mục này.",
    "This field is disabled and cannot have a value.": "Mục này bị khóa, không được có giá trị.",
    "Invalid CSRF Token.": "Mã bảo vệ biểu mẫu không hợp lệ; hãy tải lại trang.",
    "CSRF token missing.": "Thiếu mã bảo vệ biểu mẫu; hãy tải lại trang.",
    "CSRF failed.": "Kiểm tra mã bảo vệ biểu mẫu không thành công; hãy tải lại trang.",
    "CSRF token expired.": "Mã bảo vệ biểu mẫu đã hết hạn; hãy tải lại trang.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Choices cannot be None.": "Chưa có danh sách lựa chọn.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Có lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' không phải là lựa chọn hợp lệ.",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ: ghi theo dạng dd/mm/yyyy hh:mm.",
    "Not a valid date value.": "Ngày không hợp lệ: ghi theo dạng dd/mm/yyyy.",
    "Not a valid time value.": "Giờ không hợp lệ: ghi theo dạng hh:mm.",
    "Not a valid week value.": "Tuần không hợp lệ.",
    "Not a valid integer value.": "Phải là một số nguyên.",
    "Not a valid decimal value.": "Phải là một số.",
    "Not a valid float value.": "Phải là một số.",
    # Flask-WTF's CSRF check (flask_wtf/csrf.py), raised in English: translated by Form.validate.
    "The CSRF token is missing.": "Thiếu mã bảo vệ biểu mẫu; hãy tải lại trang.",
    "The CSRF session token is missing.": "Phiên làm việc đã hết; hãy tải lại trang.",
    "The CSRF token has expired.": "Mã bảo vệ biểu mẫu đã hết hạn; hãy tải lại trang.",
    "The CSRF token is invalid.": "Mã bảo vệ biểu mẫu không hợp lệ; hãy tải lại trang.",
    "The CSRF tokens do not match.": "Mã bảo vệ biểu mẫu không khớp; hãy tải lại trang.",
}


def translate(text: str) -> str:
    """A WTForms or Flask-WTF message in the page's language."""
    return VIETNAMESE.get(text, text) if lang() == "vi" else text


class Translations:
    """What WTForms asks of `Meta.get_translations`: gettext and ngettext."""

    def gettext(self, string: str) -> str:
        return translate(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if lang() == "vi":
            return VIETNAMESE.get(singular, singular)
        return singular if n == 1 else plural


TRANSLATIONS = Translations()


class Form(FlaskForm):
    """Every form of the app derives from this one (not from FlaskForm)."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        token = self._fields.get("csrf_token")
        if token is not None and token.errors:
            token.errors = [translate(str(e)) for e in token.errors]
        return valid
