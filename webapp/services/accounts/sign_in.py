"""Sign-in: password check with growing lockouts after repeated failures."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ...models import User, db
from .. import clock

# After this many consecutive failures the account waits; every further failure doubles the wait.
FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)


@dataclass
class SignIn:
    user: User | None  # None: refused
    locked_until: datetime | None = None
    already_locked: bool = False  # refused because the account was locked before this attempt


def authenticate(username: str, password: str) -> SignIn:
    """Check a password. An unknown user and a wrong password get the same answer, so that
    usernames cannot be probed. Failures are counted: the caller commits either way."""
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    now = clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return SignIn(None, user.locked_until, already_locked=True)
    if user is None or not user.active or not user.check_password(password or ""):
        if user is None:
            return SignIn(None)
        user.failed_logins += 1
        over = user.failed_logins - FREE_ATTEMPTS
        if over >= 0:
            user.locked_until = now + min(FIRST_LOCK * (2**over), LONGEST_LOCK)
        db.session.flush()
        return SignIn(None, user.locked_until)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    db.session.flush()
    return SignIn(user)
