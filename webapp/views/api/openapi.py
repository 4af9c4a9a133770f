from flask import jsonify

from ...services.openapi import document
from . import bp


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
