"""What every part of the JSON API shares: its errors, the bearer-token check, reading a JSON
body and query parameters strictly, and the shape of a list."""

import json
from functools import wraps

from flask import g, jsonify, request

from ...services import access
from ...services.accounts import tokens
from ...services.errors import Msg
from ...services.text import unstorable

MAX_PER_PAGE = 200
CHALLENGE = {"WWW-Authenticate": "Bearer"}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.headers = headers or {}


def bad_request(message: str, fields: dict | None = None) -> ApiError:
    return ApiError(400, "bad_request", message, fields)


def invalid(name: str, problem: str) -> ApiError:
    return ApiError(422, "invalid", f"{name}: {problem}", {name: [problem]})


def lang() -> str:
    return "en" if request.accept_languages.best_match(["vi", "en"], default="vi") == "en" else "vi"


def error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def current_user():
    return g.api_user


_FORBIDDEN = Msg("Vai trò của bạn không được làm việc này.", "Your role may not do this.")


def allow(rule: access.Rule):
    """Declare an endpoint's permission (services/access.py): no or a bad bearer token is a 401,
    a role outside the rule a 403, before the view runs. Every route must have one."""

    def decorate(view):
        @wraps(view)
        def gate(*args, **kwargs):
            if not rule.public:
                scheme, _, token = request.headers.get("Authorization", "").partition(" ")
                user = tokens.user_for(token.strip()) if scheme.lower() == "bearer" else None
                if user is None:
                    raise ApiError(
                        401, "unauthorized", "A valid bearer token is required.", headers=CHALLENGE
                    )
                if not rule.admits(user):
                    raise ApiError(403, "forbidden", _FORBIDDEN.get(lang()))
                g.api_user = user
            return view(*args, **kwargs)

        gate.access_rule = rule
        return gate

    return decorate


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def _has_unstorable_text(value) -> bool:
    """Iterative: the JSON may nest as deep as the parser allows."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if unstorable(item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def body() -> dict:
    """The request's JSON object, or a 400 that says why it is not one. Reading a body over
    MAX_CONTENT_LENGTH raises the 413."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise bad_request("The body is not valid JSON (UTF-8).") from None
    if not isinstance(data, dict):
        raise bad_request("The body must be a JSON object.")
    if _has_unstorable_text(data):
        raise bad_request("Text may not contain NUL characters or lone surrogates.")
    return data


def read(data: dict, required: tuple[str, ...] = (), optional: tuple[str, ...] = (), kind=str) -> list:
    """The values of the named fields, each of JSON type `kind` or null. Any of the wrong type is a
    400 naming every such field (malformed input); then a required one missing is a 422 naming
    every missing one."""
    wrong = {
        name: ["Wrong JSON type."]
        for name in (*required, *optional)
        if data.get(name) is not None
        and (not isinstance(data[name], kind) or (kind is int and isinstance(data[name], bool)))
    }
    if wrong:
        raise bad_request(f"Wrong JSON type: {', '.join(wrong)}.", wrong)
    missing = {name: ["This field is required."] for name in required if data.get(name) is None}
    if missing:
        raise ApiError(422, "invalid", f"Required: {', '.join(missing)}.", missing)
    return [data.get(name) for name in (*required, *optional)]


def flag(name: str) -> bool:
    """A true/false query parameter (absent: false)."""
    raw = request.args.get(name, "")
    if raw not in ("", "true", "false"):
        raise invalid(name, "true or false.")
    return raw == "true"


def choice(name: str, allowed) -> str | None:
    """An optional query parameter that must be one of `allowed`."""
    raw = request.args.get(name) or None
    if raw is not None and raw not in allowed:
        raise invalid(name, f"One of: {', '.join(allowed)}.")
    return raw


def page_args() -> tuple[int, int]:
    def number(name, default, high):
        raw = request.args.get(name, str(default))
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= high:
            raise bad_request(f"{name} must be a whole number from 1 to {high}.", {name: [f"1 to {high}."]})
        return int(raw)

    return number("page", 1, 1_000_000), number("per_page", 50, MAX_PER_PAGE)


def listing(items: list, page: int, per_page: int, total: int):
    return jsonify(items=items, page=page, per_page=per_page, total=total)
