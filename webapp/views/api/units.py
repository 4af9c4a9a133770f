from flask import jsonify, request

from ...services import auth, tokens, units, uow
from . import ApiError, authenticated, body, bp, expect, listing, page_args


@bp.post("/auth/token")
def token():
    data = body()
    username, password = expect(data, "username", str), expect(data, "password", str)
    with uow.command():
        result = auth.authenticate(username, password)
        if result.user is not None:
            issued, expires = tokens.issue(result.user)
    if result.user is None:
        if result.locked_until is not None:
            raise ApiError(429, "too_many_attempts", "Too many failed sign-ins; try again later.")
        raise ApiError(401, "unauthorized", "Wrong username or password.")
    return jsonify(token=issued, expires_at=expires.isoformat())


@bp.get("/units")
@authenticated
def unit_list():
    page, per_page = page_args()
    parent = request.args.get("parent") or None
    rows = units.children(parent)
    items = [{"code": u.code, "name": u.name, "level": u.level, "parent": parent} for u in rows]
    return listing(items[(page - 1) * per_page : page * per_page], page, per_page, len(items))


@bp.delete("/users/<username>/tokens")
@authenticated
def revoke(username: str):
    from . import current_user

    with uow.command():
        count = tokens.revoke_all(current_user(), username)
    return jsonify(revoked=count)
