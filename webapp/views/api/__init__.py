"""JSON API v1 (../shared/API.md): the same services and permission module as the web UI.

Errors are always {"error": {"code", "message", "fields"}}; no input gives a 500."""

import logging
from functools import wraps

from flask import Blueprint, Flask, g, jsonify, request

from ...services import tokens
from ...services.errors import ServiceError
from ...web import csrf

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 200


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def _lang() -> str:
    return "en" if request.accept_languages.best_match(["vi", "en"], default="vi") == "en" else "vi"


def error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def current_user():
    return g.api_user


def authenticated(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        user = tokens.user_for(token)
        if user is None:
            raise ApiError(401, "unauthorized", "A valid bearer token is required.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def body() -> dict:
    """The request's JSON object, or a 400 that says why it is not one."""
    data = request.get_json(silent=True, force=True) if request.data else None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    return data


def expect(data: dict, name: str, kind, required: bool = True):
    """A field of the given JSON type, or a 400 naming it (wrong types are malformed input)."""
    value = data.get(name)
    if value is None:
        if required:
            raise ApiError(422, "invalid", f"{name} is required.", {name: ["This field is required."]})
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(400, "bad_request", f"{name} has the wrong type.", {name: ["Wrong type."]})
    return value


def page_args() -> tuple[int, int]:
    def number(name, default, high):
        raw = request.args.get(name, str(default))
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= high:
            raise ApiError(
                400,
                "bad_request",
                f"{name} must be a whole number from 1 to {high}.",
                {name: [f"A whole number from 1 to {high}."]},
            )
        return int(raw)

    return number("page", 1, 1_000_000), number("per_page", 50, MAX_PER_PAGE)


def listing(items: list, page: int, per_page: int, total: int):
    return jsonify(items=items, page=page, per_page=per_page, total=total)


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return error(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):
    lang = _lang()
    fields = {name: [p.get(lang) for p in problems] for name, problems in exc.fields.items()}
    return error(exc.status, exc.code, exc.message.get(lang), fields)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one
    app.register_blueprint(bp)


# The endpoints register themselves on `bp` when imported.
from . import cases, openapi, production, residents, stats, tasks, units  # noqa: E402, F401
