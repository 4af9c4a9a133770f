from flask import Blueprint, jsonify, request

from ...services import access, uow
from ...services.accounts import sign_in, tokens, units
from ..accounts import throttle
from .support import ApiError, allow, body, current_user, listing, page_args, read

bp = Blueprint("accounts", __name__)


@bp.post("/auth/token")
@allow(access.PUBLIC)
def token():
    data = body()
    username, password = read(data, ("username", "password"))
    # Failures are throttled per client address and per account from that client (429 with
    # Retry-After); an unknown username and a wrong password get the same 401, in the same time.
    wait = throttle.wait_seconds(username)
    if wait:
        raise ApiError(
            429,
            "too_many_attempts",
            "Too many failed sign-ins; try again later.",
            headers={"Retry-After": str(wait)},
        )
    with uow.command():
        result = sign_in.authenticate(username, password)
        if result.user is not None and not result.user.must_change_password:
            issued, expires = tokens.issue(result.user)
    if result.user is None:
        throttle.failed(username)
        raise ApiError(401, "unauthorized", "Wrong username or password.")
    if result.user.must_change_password:
        raise ApiError(
            403, "password_change_required", "The password was reset: change it in the web application first."
        )
    return jsonify(token=issued, expires_at=expires.isoformat())


@bp.get("/units")
@allow(access.SIGNED_IN)
def unit_list():
    page, per_page = page_args()
    parent = request.args.get("parent") or None
    rows = units.children(parent)
    items = [{"code": u.code, "name": u.name, "level": u.level, "parent": parent} for u in rows]
    return listing(items[(page - 1) * per_page : page * per_page], page, per_page, len(items))


@bp.delete("/users/<username>/tokens")
@allow(access.ADMINISTER)
def revoke(username: str):
    with uow.command():
        count = tokens.revoke_all(current_user(), username)
    return jsonify(revoked=count)
