"""The OpenAPI 3 document of the JSON API v1 (../shared/API.md), served at GET /api/v1/openapi.json.

Built from plain dicts; the step names, their fields and the enumerations come from the modules
that decide them (step_fields, commands, registry, access), so the document cannot drift from them.
tests/api/test_openapi.py checks that it describes exactly the routes served and fuzzes them with it.
"""

import json
from copy import deepcopy

from .blocks import BASE_PATH, MAX_PER_PAGE, error_responses
from .limits import state_text_limits
from .paths import paths
from .schemas import schemas


def document() -> dict:
    """A fresh copy of the whole document (callers may change it)."""
    return deepcopy(_DOCUMENT)


def _build() -> dict:
    # A JSON round trip: the builders share small schema dicts (STRING...) between requests and
    # answers, and the limits below belong to requests only.
    doc = json.loads(json.dumps(_document()))
    state_text_limits(doc)
    return doc


def _document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CCCD case system API",
            "version": "1",
            "description": "JSON API v1 of the citizen identity card case system: units, residents, "
            "cases, tasks, the production centre and statistics. Get a token from `POST /auth/token`, "
            "then send `Authorization: Bearer <token>`. The caller sees only what their department and "
            "unit subtree allow: anything else is a 404. Errors are always an `Error` object.",
        },
        "servers": [{"url": BASE_PATH}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": name}
            for name in (
                "auth",
                "units",
                "users",
                "residents",
                "cases",
                "tasks",
                "production",
                "stats",
                "supervision",
                "cooperation",
                "vneid",
                "meta",
            )
        ],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `POST /auth/token`.",
                }
            },
            "parameters": {
                "page": {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
                },
                "per_page": {
                    "name": "per_page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50},
                },
                "AcceptLanguage": {
                    "name": "Accept-Language",
                    "in": "header",
                    "required": False,
                    "description": "`en` for English messages; Vietnamese otherwise.",
                    "schema": {"type": "string", "example": "en"},
                },
            },
            "schemas": schemas(),
            "responses": error_responses(),
        },
    }


_DOCUMENT = _build()
