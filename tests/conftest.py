"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set), migrated
once per session with the project's Alembic migrations, emptied after every test."""

import os
from datetime import date

import pytest
from flask import g, request_started
from flask_migrate import upgrade
from helpers import PASSWORD  # noqa: E402
from sqlalchemy import text

from webapp import create_app
from webapp.models import db
from webapp.services import residents, units, users
from webapp.services.personal_id import make_personal_id
from webapp.services.uow import command


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # cheap hashes keep the suite fast
            # Uploaded files of the session stay out of the developer's instance folder.
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        }
    )
    # Tests hold an app context, which Flask reuses for test-client requests; forget the
    # previous request's signed-in user as a real request (with its own context) would.
    request_started.connect(lambda sender, **extra: g.pop("_login_user", None), app, weak=False)
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


@pytest.fixture(autouse=True)
def ctx(app, request):
    with app.app_context():
        yield
        db.session.rollback()
        if request.node.get_closest_marker("no_db") is None:
            # Plain DELETEs: on tables this small they are cheaper than TRUNCATE's exclusive lock.
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
        db.session.remove()


@pytest.fixture
def postgres_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")


class World:
    """A province with two communes and an officer of every role; factories for residents."""

    def __init__(self):
        with command():
            self.province = units.ensure("37", "Ninh Bình", "province", None)
            self.commune_a = units.ensure("13300", "Phường Hoa Lư", "commune", self.province)
            self.commune_b = units.ensure("13301", "Xã Gia Viễn", "commune", self.province)
            self.other_province = units.ensure("01", "Hà Nội", "province", None)
            self.other_commune = units.ensure("00004", "Phường Ba Đình", "commune", self.other_province)
            make = lambda name, role, unit: users.create(name, role, unit.code, PASSWORD, name)  # noqa: E731
            self.police = make("police_a", "police", self.commune_a)
            self.police2 = make("police_a2", "police", self.commune_a)
            self.lead = make("lead_a", "police_lead", self.commune_a)
            self.justice = make("justice_a", "justice", self.commune_a)
            self.police_b = make("police_b", "police", self.commune_b)
            self.justice_b = make("justice_b", "justice", self.commune_b)
            self.approval = make("approval", "approval", self.province)
            self.production = make("production", "production", self.province)
            self.supervisor = make("supervisor", "supervisor", self.province)
            self.admin = make("admin", "admin", self.province)
            self.outsider = make("police_hn", "police", self.other_commune)
        self._serial = 0

    def resident(
        self,
        born=date(1990, 5, 17),
        sex="female",
        unit=None,
        status="alive",
        precision="day",
        province="037",
        name="Nguyễn Thị Lan",
    ) -> str:
        self._serial += 1
        pid = make_personal_id(province, born.year, sex, self._serial)
        with command():
            residents.upsert(
                None,
                pid,
                {
                    "full_name": name,
                    "birth_date": born.isoformat(),
                    "sex": sex,
                    "birth_date_precision": precision,
                    "status": status,
                    "permanent_unit": (unit or self.commune_a).code,
                },
            )
        return pid


@pytest.fixture
def world():
    return World()
