"""The API describing itself: its OpenAPI document (public on purpose, like the API guide)."""

from flask import Blueprint, jsonify

from .openapi import document

bp = Blueprint("meta", __name__)


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
