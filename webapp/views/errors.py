"""Error pages: a service error becomes its status code with the message in the page's
language; nothing else a user can send gives a 500."""

import logging

from flask import Flask, jsonify, make_response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..i18n import message
from ..services.errors import ServiceError
from ..services.text import unstorable
from ..web import is_htmx, render

log = logging.getLogger(__name__)


def _page(status: int, title: str, text: str, fields=None):
    if is_htmx():
        # htmx swaps this into the flash area (static/js/app.js) for conflicts.
        return render("errors/error.html", block="flash_message", status=status, title=title, text=text)
    return render("errors/error.html", status=status, title=title, text=text, fields=fields or {})


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
        titles = {
            404: _("Không tìm thấy"),
            403: _("Không có quyền"),
            409: _("Xung đột dữ liệu"),
            422: _("Dữ liệu chưa hợp lệ"),
            400: _("Yêu cầu không hợp lệ"),
        }
        return _page(exc.status, titles.get(exc.status, _("Lỗi")), message(exc.message), exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
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
        texts = {
            404: _("Trang hoặc hồ sơ này không có, hoặc nằm ngoài phạm vi của bạn."),
            403: _("Vai trò của bạn không được làm việc này."),
            405: _("Thao tác không được hỗ trợ."),
            413: _("Dữ liệu gửi lên quá lớn."),
        }
        text = texts.get(exc.code, exc.description or "")
        response = _page(exc.code or 500, f"{exc.code} {exc.name}", text)
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
        return _page(
            500, _("Lỗi hệ thống"), _("Đã có lỗi; thao tác chưa được lưu. Hãy thử lại hoặc báo quản trị.")
        )


def _with_headers(response, headers: dict):
    response = make_response(response)
    response.headers.update(headers)
    return response
