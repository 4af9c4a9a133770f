from flask import Blueprint, jsonify
from sqlalchemy import text

from ..models import db
from ..services import workflow_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def check():
    """For load balancers and operators: the database answers and the diagrams are loaded."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok", spec_version=workflow_store.engine().current.version)
