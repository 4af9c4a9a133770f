"""The API describing itself: its OpenAPI document (public on purpose, like the API guide)."""

from flask import jsonify

from . import bp
from .openapi import document


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
