"""Error pages: a service error becomes its status code with the message in the page's
language; nothing else a user can send gives a 500."""

import logging

from flask import Flask, jsonify, make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..i18n import message
from ..services.errors import ServiceError
from ..services.text import unstorable
from ..web import is_htmx, render

log = logging.getLogger(__name__)


# Every error page a person can meet, titled and explained in the page's language.
TITLES = {
    400: _l("Yêu cầu không hợp lệ"),
    401: _l("Cần đăng nhập"),
    403: _l("Không có quyền"),
    404: _l("Không tìm thấy"),
    405: _l("Thao tác không được hỗ trợ"),
    409: _l("Xung đột dữ liệu"),
    413: _l("Dữ liệu quá lớn"),
    422: _l("Dữ liệu chưa hợp lệ"),
    429: _l("Quá nhiều yêu cầu"),
    500: _l("Lỗi hệ thống"),
}
TEXTS = {
    400: _l("Trang không hiểu yêu cầu này. Hãy quay lại và thử lại."),
    403: _l("Vai trò của bạn không được làm việc này."),
    404: _l("Trang hoặc hồ sơ này không có, hoặc nằm ngoài phạm vi của bạn."),
    405: _l("Thao tác không được hỗ trợ."),
    409: _l("Dữ liệu vừa thay đổi; hãy tải lại trang."),
    413: _l("Dữ liệu gửi lên quá lớn."),
    429: _l("Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Hãy chờ một chút rồi thử lại."),
    500: _l("Đã có lỗi; thao tác chưa được lưu. Hãy thử lại hoặc báo quản trị."),
}


def title_of(status: int) -> str:
    return str(TITLES.get(status, TITLES[500 if status >= 500 else 400]))


def _page(status: int, title: str, text: str, fields=None):
    if is_htmx():
        # htmx swaps this into the flash area, or for a conflict into the form (static/js/app.js).
        return render(
            "errors/error.html", block="flash_message", status=status, title=title, text=text, code=status
        )
    return render(
        "errors/error.html", status=status, title=title, text=text, fields=fields or {}, code=status
    )


def session_expired(kind: str):
    """An htmx request without a valid session (or with a stale token): 401 and a header the
    page's script answers by signing in again in a dialog and sending the same request again."""
    response = make_response(_("Phiên làm việc đã hết hạn. Hãy đăng nhập lại."), 401)
    response.headers["X-Session-Expired"] = kind
    return response


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_unstorable_text():
        """A form or query field with a character no database column can hold is refused whole,
        naming the field, before any view runs (the API checks its JSON bodies itself)."""
        if request.path.startswith(("/api/", "/static/")):
            return None
        fields = [*request.args.items(multi=True)]
        # Not multipart: an upload view sets its own size limit before the body is read.
        if request.mimetype == "application/x-www-form-urlencoded":
            fields += request.form.items(multi=True)
        for name, value in fields:
            if unstorable(value) or unstorable(name):
                shown = name if not unstorable(name) else "?"
                text = _(
                    "Trường %(field)s có ký tự không lưu được (NUL hoặc mã UTF-8 hỏng); "
                    "không có gì thay đổi.",
                    field=shown,
                )
                return _page(400, _("Yêu cầu không hợp lệ"), text, {shown: [text]})
        return None

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        return _page(exc.status, title_of(exc.status), message(exc.message), exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if is_htmx():
            return session_expired("token" if current_user.is_authenticated else "signin")
        return _page(400, _("Phiên làm việc đã hết hạn"), _("Hãy tải lại trang và thử lại."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Keep what the client needs to retry correctly (405's Allow, 429's Retry-After).
        keep = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after")}
        if request.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
                exc.code, "bad_request"
            )
            body = {"code": code, "message": exc.description or exc.name, "fields": {}}
            return jsonify(error=body), exc.code, keep
        status = exc.code or 500
        text = TEXTS.get(status, TEXTS[500 if status >= 500 else 400])
        response = _page(status, title_of(status), str(text))
        return _with_headers(response, keep)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if app.testing:
            raise exc  # a test must see the bug, not a polite page
        if request.path.startswith("/api/"):
            log.exception("unexpected error on %s %s", request.method, request.path)
            return jsonify(
                error={"code": "server_error", "message": "Internal error; nothing was saved.", "fields": {}}
            ), 500
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _page(500, title_of(500), str(TEXTS[500]))


def _with_headers(response, headers: dict):
    response = make_response(response)
    response.headers.update(headers)
    return response
