"""Errors a service raises; views and the API turn them into pages and status codes.

Messages come in Vietnamese (shown by default) and English.
"""

from typing import NamedTuple


class Msg(NamedTuple):
    vi: str
    en: str

    def __str__(self) -> str:
        return self.vi

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: Msg, fields: dict[str, list[Msg]] | None = None):
        super().__init__(message.en)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    """Missing, or outside the caller's scope: the two look the same from outside."""

    code, status = "not_found", 404


class Forbidden(ServiceError):
    code, status = "forbidden", 403


class Conflict(ServiceError):
    """The state changed under the caller (stale view, someone else holds the task...)."""

    code, status = "conflict", 409


class Invalid(ServiceError):
    """Well-formed but invalid input; `fields` names each field and its problems."""

    code, status = "invalid", 422

    def __init__(self, fields: dict[str, list[Msg]], message: Msg | None = None):
        super().__init__(message or Msg("Dữ liệu chưa hợp lệ.", "The data is not valid."), fields)


STALE = Msg(
    "Hồ sơ vừa được người khác cập nhật; hãy tải lại trang.",
    "Someone else has just updated this case; reload the page.",
)
NOT_FOUND_CASE = Msg("Không tìm thấy hồ sơ.", "Case not found.")
NOT_FOUND_TASK = Msg("Không tìm thấy công việc.", "Task not found.")
