"""Sign-in: one answer, in one time, for an unknown user, an inactive one and a wrong password.

An unknown username still costs one password hash (against a dummy), so that neither the answer
nor its time tells which usernames exist. Repeated failures are throttled by the caller
(views/accounts/throttle.py, per client address and per account from a client), never by locking
the account for everyone. A hash of an older method is replaced at the owner's next successful
sign-in (passwords.needs_rehash)."""

from dataclasses import dataclass

from sqlalchemy import select

from ...models import User, db
from .. import clock
from . import passwords


@dataclass
class SignIn:
    user: User | None  # None: refused


def authenticate(username: str, password: str) -> SignIn:
    """Check a password; on success note the time of the sign-in (the caller commits)."""
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None:
        passwords.check_nobody(password)
        return SignIn(None)
    if not passwords.check(user.password_hash, password or "") or not user.active:
        return SignIn(None)
    if passwords.needs_rehash(user.password_hash):
        # The password is known only now: an old scrypt hash becomes argon2id (once per account).
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    db.session.flush()
    return SignIn(user)
