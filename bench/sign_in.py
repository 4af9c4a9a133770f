"""Server time of signing in (POST /login) with the production hash settings.

Nearly all of a sign-in is the password hash, so the benchmark uses the app's real
PASSWORD_HASH_METHOD (config.py), not the tests' cheap one. It measures, each `--requests` times:
a right password, a wrong one and an unknown username (which checks a dummy hash: it must take as
long as a wrong password), and the first sign-in of an account whose hash is still the old scrypt
one (checked with scrypt, then rehashed with the current method)."""

import statistics
import time

from .common import percentile, sqlite_file

PASSWORD = "bench-password-2026"
OLD_METHOD = "scrypt"  # werkzeug's scrypt, N=2^15, r=8, p=1: the hash before argon2id


def _app(uri: str, method: str | None):
    import logging

    from webapp import create_app

    config = {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    if method:
        config["PASSWORD_HASH_METHOD"] = method
    app = create_app(config)
    logging.getLogger("webapp").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return app


def _seed(app, accounts: int) -> None:
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from webapp.models import Unit, User, db
    from webapp.services.accounts import passwords

    with app.app_context():
        upgrade()
        unit = Unit(code="37", name="Ninh Bình", level="province", path="/37/")
        db.session.add(unit)
        db.session.flush()
        officer = {"role": "police", "department": "police", "unit_id": unit.id}
        db.session.add(User(username="officer", password_hash=passwords.hash_password(PASSWORD), **officer))
        for n in range(accounts):  # old hashes: each is rehashed at its first sign-in
            old = generate_password_hash(PASSWORD, method=OLD_METHOD)
            db.session.add(User(username=f"old{n}", password_hash=old, **officer))
        db.session.commit()


def _timed(client, username: str, password: str, n: int) -> tuple[float, int]:
    # A client address per request: the failures measured must not be throttled.
    start = time.perf_counter()
    response = client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250 + 1}"},
    )
    return (time.perf_counter() - start) * 1000, response.status_code


def run(requests: int = 20, method: str | None = None) -> int:
    with sqlite_file("sign_in") as uri:
        app = _app(uri, method)
        _seed(app, requests)
        print(f"PASSWORD_HASH_METHOD = {app.config['PASSWORD_HASH_METHOD']}")
        print(f"{'sign-in (ms of server time)':<40}{'median':>8}{'p95':>8}{'max':>8}")
        cases = [
            ("right password", lambda n: ("officer", PASSWORD), 302),
            ("wrong password", lambda n: ("officer", "wrong-password-1"), 401),
            ("unknown username (dummy hash)", lambda n: (f"nobody{n}", "wrong-password-1"), 401),
            ("old scrypt hash: check + rehash", lambda n: (f"old{n}", PASSWORD), 302),
            ("the same account again (rehashed)", lambda n: (f"old{n}", PASSWORD), 302),
        ]
        with app.app_context():
            for label, who, expected in cases:
                times = []
                for n in range(requests):
                    client = app.test_client()
                    ms, status = _timed(client, *who(n), n)
                    if status != expected:
                        raise SystemExit(f"{label}: answered {status}, expected {expected}")
                    times.append(ms)
                print(
                    f"{label:<40}{statistics.median(times):8.0f}{percentile(times, 95):8.0f}{max(times):8.0f}"
                )
    return 0
