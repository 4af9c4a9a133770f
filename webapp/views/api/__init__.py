"""JSON API v1 (../shared/API.md): the same services and permission module as the web UI.

Errors are always {"error": {"code", "message", "fields"}}; no input gives a 500. Each module
here is one part of the API with a blueprint of its own, nested under `api` (/api/v1) in the
list below; what they share is in support.py.
"""

from flask import Blueprint, Flask, request

from ...services.errors import ServiceError
from ...web import csrf
from . import (
    access_log,
    accounts,
    cases,
    cooperation,
    meta,
    portraits,
    production,
    residents,
    stats,
    stuck,
    tasks,
    vneid,
)
from .support import ApiError, bad_request, error, lang

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PARTS = (
    meta,
    accounts,
    residents,
    cases,
    tasks,
    portraits,
    production,
    stats,
    stuck,
    cooperation,
    access_log,
    vneid,
)
for part in PARTS:
    bp.register_blueprint(part.bp)


# PostgreSQL stores no NUL character, so no stored code or id holds one: a path naming one is
# a 404 (a personal ID to create is checked by the resident rules, a 422); a query parameter
# holding one is a 400 (for the progress of a unit: no such unit, 404).
_NUL_PATH_CHECKED_BY_VIEW = {"api.residents.resident_put"}
_NUL_QUERY_NOT_FOUND = {"api.stats.progress"}


@bp.before_request
def refuse_nul():
    in_path = any("\x00" in str(v) for v in (request.view_args or {}).values())
    if in_path and request.endpoint not in _NUL_PATH_CHECKED_BY_VIEW:
        raise ApiError(404, "not_found", "Not found.")
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        if request.endpoint in _NUL_QUERY_NOT_FOUND:
            raise ApiError(404, "not_found", "Not found.")
        raise bad_request("A query parameter contains the NUL character.")


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"  # tokens and personal data
    return response


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    response, status = error(exc.status, exc.code, exc.message, exc.fields)
    response.headers.update(exc.headers)
    return response, status


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):
    language = lang()
    fields = {name: [p.get(language) for p in problems] for name, problems in exc.fields.items()}
    return error(exc.status, exc.code, exc.message.get(language), fields)


def init_app(app: Flask) -> None:
    for part in PARTS:  # bearer tokens, not cookies: no cross-site request can carry one
        csrf.exempt(part.bp)
