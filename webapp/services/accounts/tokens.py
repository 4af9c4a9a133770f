"""API tokens: issued on sign-in, expiring, revocable by an administrator, stored hashed."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...models import ApiToken, User, db
from .. import clock
from ..errors import Forbidden, Msg, NotFound

LIFETIME = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = clock.now() + LIFETIME
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires))
    db.session.flush()
    return token, expires


def user_for(token: str) -> User | None:
    """The active user a live token belongs to, else None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now() or not row.user.active:
        return None
    return row.user


def revoke_all(admin: User, username: str) -> int:
    """An administrator revokes every live token of a user; returns how many."""
    if admin.role != "admin":
        raise Forbidden(
            Msg("Chỉ quản trị thu hồi được mã truy cập.", "Only an administrator revokes tokens.")
        )
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(Msg("Không có người dùng này.", "No such user."))
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return result.rowcount
