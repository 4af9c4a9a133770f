"""Sign-in throttling (web and API), with Flask-Limiter's counters.

Only failures count, in two windows: per client address (FAILS_PER_CLIENT, whatever the
account) and per account from one client address (FAILS_PER_ACCOUNT_CLIENT). A client past either
gets 429 and waits. An account is never locked for everyone: its owner, from a client that has
not been failing, signs in with the right password while an attacker elsewhere is held back.
Unknown and real usernames are counted alike, so the throttle tells nothing about which exist.
The counters live where RATELIMIT_STORAGE_URI (or REDIS_URL) says: Redis shares them between
app nodes; memory:// keeps them in this process."""

import time

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

limiter = Limiter(key_func=get_remote_address, default_limits=[])

FAILS_PER_CLIENT = parse("30 per 15 minutes")
FAILS_PER_ACCOUNT_CLIENT = parse("5 per 15 minutes")


def _keys(username) -> list[tuple]:
    client = get_remote_address() or "-"
    account = username.casefold()[:80] if isinstance(username, str) else ""
    return [
        (FAILS_PER_CLIENT, "sign-in-client", client),
        (FAILS_PER_ACCOUNT_CLIENT, "sign-in", account, client),
    ]


def wait_seconds(username) -> int:
    """0 when this client may try to sign in as `username`; else how long it must wait."""
    wait = 0
    for limit, *key in _keys(username):
        if not limiter.limiter.test(limit, *key):
            reset_at, _remaining = limiter.limiter.get_window_stats(limit, *key)
            wait = max(wait, int(reset_at - _now()) + 1)
    return wait


def failed(username) -> None:
    for limit, *key in _keys(username):
        limiter.limiter.hit(limit, *key)


def _now() -> float:
    return time.time()


def init_app(app: Flask) -> None:
    limiter.init_app(app)
