from flask import Blueprint, jsonify

from ..services import access, uow, workflow_store
from ..web import allow

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@allow(access.PUBLIC)
def check():
    """For load balancers and operators: the database answers and the diagrams are loaded."""
    uow.ping()
    return jsonify(status="ok", spec_version=workflow_store.engine().current.version)
