"""The app and its database for tests: a real database (an SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), migrated once per session with the project's Alembic migrations and
emptied after every test."""

import os

import pytest
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import text

from webapp import create_app
from webapp.models import db
from webapp.views.accounts import throttle


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "argon2id:m=64,t=1,p=1",  # cheap hashes keep the suite fast
            # Uploaded files of the session stay out of the developer's instance folder.
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        }
    )

    # Tests hold an app context, which Flask reuses for test-client requests; forget the
    # previous request's signed-in user, locale and translations (Flask-Babel and
    # i18n.translations cache them per context) as a real request, with its own context, would.
    def fresh_request(sender, **extra):
        for cached in ("_login_user", "_flask_babel", "_translations"):
            g.pop(cached, None)

    request_started.connect(fresh_request, app, weak=False)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def pytest_configure(config):
    config.addinivalue_line("markers", "no_db: the test touches no database; skip the cleanup")
    _own_database_per_worker()


def _own_database_per_worker() -> None:
    """Under pytest-xdist (`make test` runs two workers) each worker gets a PostgreSQL database of
    its own, next to the one TEST_DATABASE_URL names, so that dropping and migrating a schema never
    meets another worker. Set in the environment, it reaches what tests start (benchmarks,
    gunicorn nodes). SQLite needs nothing: each worker has its own temporary file."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL")
    if not worker or not url or not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def ctx(app, request):
    """Every test runs in an app context; the tables are emptied after it."""
    with app.app_context():
        yield
        throttle.limiter.reset()  # sign-in failure counters live in this process's memory
        db.session.rollback()
        if request.node.get_closest_marker("no_db") is None:
            # Plain DELETEs: on tables this small they are cheaper than TRUNCATE's exclusive lock.
            postgres = db.engine.dialect.name == "postgresql"
            for table in reversed(db.metadata.sorted_tables):
                if postgres and table.name == "access_log":
                    # Its trigger refuses DELETE (append-only); TRUNCATE is the owner's way out.
                    db.session.execute(text("TRUNCATE access_log"))
                else:
                    db.session.execute(table.delete())
            db.session.commit()
        db.session.remove()


@pytest.fixture
def postgres_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
