"""The API describing itself: its OpenAPI document (public on purpose, like the API guide)."""

from flask import Blueprint, jsonify

from ...services import access
from .openapi import document
from .support import allow

bp = Blueprint("meta", __name__)


@bp.get("/openapi.json")
@allow(access.PUBLIC)
def openapi():
    return jsonify(document())
