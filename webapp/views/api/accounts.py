from flask import Blueprint, jsonify, request

from ...services import access, clock, uow
from ...services.accounts import sign_in, tokens, units
from .support import ApiError, allow, body, current_user, listing, page_args, read

bp = Blueprint("accounts", __name__)


@bp.post("/auth/token")
@allow(access.PUBLIC)
def token():
    data = body()
    username, password = read(data, ("username", "password"))
    # The first FREE_ATTEMPTS failures answer 401 (the last of them starts the lock); while the
    # account is locked every attempt, even with the right password, answers 429.
    with uow.command():
        result = sign_in.authenticate(username, password)
        if result.user is not None:
            issued, expires = tokens.issue(result.user)
    if result.user is None:
        if result.already_locked:
            wait = max(1, int((result.locked_until - clock.now()).total_seconds()) + 1)
            raise ApiError(
                429,
                "too_many_attempts",
                "Too many failed sign-ins; try again later.",
                headers={"Retry-After": str(wait)},
            )
        raise ApiError(401, "unauthorized", "Wrong username or password.")
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
