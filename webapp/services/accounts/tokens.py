"""API tokens: issued on sign-in, expiring, revocable by an administrator, stored hashed."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...models import ApiToken, User, db
from .. import clock
from . import audit, users

LIFETIME = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = clock.now() + LIFETIME
    db.session.add(
        ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires, generation=user.generation)
    )
    db.session.flush()
    return token, expires


def user_for(token: str) -> User | None:
    """The active user a live token belongs to, else None. A token issued before the user's last
    security change (password, role, unit, status: `User.generation`) is dead."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        return None
    if not row.user.active or row.generation != row.user.generation:
        return None
    return row.user


def revoke_all(admin: User, username: str) -> int:
    """An administrator revokes every live token of an account they manage; returns how many."""
    user = users.get_by_username(admin, username)
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    audit.record(admin, user, "tokens_revoked", {"tokens": [result.rowcount, 0]})
    return result.rowcount
