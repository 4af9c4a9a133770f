"""When a signed-in session or an API token stops working.

A session cookie names the user with two counters (`User.get_id`): `generation`, bumped by every
change that must end all access (password changed or reset, deactivation, role or unit change),
which API tokens also carry; and `session_generation`, bumped at sign-out, which ends every
browser session of the account but leaves its API tokens alone. Each request compares them with
the row it loads anyway, so ending access costs one UPDATE and no list of sessions."""

import logging

from ...models import User, db

log = logging.getLogger(__name__)


def end_all_access(user: User, why: str) -> None:
    """Every session and every API token of `user` stops working (in the caller's transaction)."""
    user.generation = (user.generation or 0) + 1
    db.session.flush()
    log.info("all sessions and tokens of %s ended: %s", user.username, why)


def sign_out(user: User) -> None:
    """Every browser session of `user` ends (the cookie in hand and any copy of it)."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


def signed_in(cookie_id: str) -> User | None:
    """The user a session cookie names, while the account is active and the cookie is as new as
    the account's last sign-out and security change (Flask-Login's user loader)."""
    parts = cookie_id.split(".") if isinstance(cookie_id, str) else []
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        return None
    user_id, generation, session_generation = (int(p) for p in parts)
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if (user.generation, user.session_generation) != (generation, session_generation):
        return None
    return user
