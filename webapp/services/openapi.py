"""The OpenAPI 3 document of the JSON API v1 (placeholder until the full description lands)."""


def document() -> dict:
    return {"openapi": "3.0.3", "info": {"title": "CCCD case system API", "version": "1"}, "paths": {}}
