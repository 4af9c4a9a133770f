"""How a request's transaction ends and when a pooled connection is checked (services/uow.py):
a request that only read ends with a COMMIT on PostgreSQL, so psycopg keeps its prepared
statements; nothing unsaved or written is ever committed that way; a connection that sat idle
is pinged, and a dead one replaced before a request uses it."""

import threading

import pytest
from sqlalchemy import create_engine, event, select, text

from webapp import create_app
from webapp.models import Unit, db
from webapp.services import uow


def _in_own_context(app, call):
    """Run `call` on a thread of its own: a request there pushes and pops its own app context,
    as under a real server (the tests' fixture otherwise lends it one that stays open)."""
    out = {}

    def run():
        out["value"] = call()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return out["value"]


@pytest.fixture
def ends(app):
    """How transactions ended meanwhile: a list of "commit"/"rollback"."""
    seen = []
    listeners = {kind: (lambda conn, kind=kind: seen.append(kind)) for kind in ("commit", "rollback")}
    for kind, listener in listeners.items():
        event.listen(db.engine, kind, listener)
    yield seen
    for kind, listener in listeners.items():
        event.remove(db.engine, kind, listener)


def test_a_request_that_only_reads_ends_with_a_commit_on_postgresql(app, postgres_only, ends):
    answer = _in_own_context(app, lambda: app.test_client().get("/healthz"))
    assert answer.status_code == 200
    assert ends == ["commit"]


def test_a_read_only_transaction_is_committed_only_on_postgresql(app, ends):
    db.session.scalar(select(Unit.id).limit(1))
    uow._end_read_only(None)
    expected = ["commit"] if db.engine.dialect.name == "postgresql" else []
    assert ends == expected


def test_an_unsaved_change_is_never_committed_at_the_end_of_a_request(app, ends):
    with uow.command():
        db.session.add(Unit(code="99", name="Tỉnh Thử", level="province", path="/99/"))
    unit = db.session.scalar(select(Unit).where(Unit.code == "99"))
    unit.name = "Đổi nhưng không lưu"  # changed in the session, never flushed
    uow._end_read_only(None)
    db.session.rollback()  # what Flask-SQLAlchemy's teardown does next
    assert ends[-1] == "rollback"
    assert db.session.scalar(select(Unit.name).where(Unit.code == "99")) == "Tỉnh Thử"


def test_a_statement_that_wrote_is_never_committed_at_the_end_of_a_request(app, ends):
    db.session.execute(
        text("INSERT INTO units (code, name, level, path) VALUES ('98', 'Tỉnh Ghi', 'province', '/98/')")
    )
    uow._end_read_only(None)
    db.session.rollback()
    assert "commit" not in ends
    assert db.session.scalar(select(Unit.id).where(Unit.code == "98")) is None


def test_a_request_that_failed_is_never_committed(app, ends):
    db.session.scalar(select(Unit.id).limit(1))
    uow._end_read_only(RuntimeError("the view failed"))
    db.session.rollback()
    assert ends == ["rollback"]


def test_a_connection_killed_while_idle_is_replaced_before_a_request_uses_it(app, postgres_only, monkeypatch):
    monkeypatch.setattr(uow, "IDLE_PING_SECONDS", 0.0)
    db.session.remove()
    db.engine.dispose()  # one pooled connection from here on: the one the next read uses
    first = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()  # back to the pool, idle
    other = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    other.dispose()
    # Without the ping this read would fail ("terminating connection due to administrator command").
    second = db.session.scalar(text("SELECT pg_backend_pid()"))
    assert second != first


@pytest.fixture
def production_app(app, postgres_only):
    """The app as a server runs it (TESTING off: an unexpected error is answered with the 500
    page, so the teardown sees no exception), on the suite's database."""
    served = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        }
    )
    yield served
    with served.app_context():
        db.engine.dispose()


def test_a_connection_killed_between_requests_costs_one_answer_and_leaks_no_session(production_app):
    """Killed within the idle window (no ping): the next request fails with the 500 page, the
    end of that request neither raises nor keeps its broken session, and the request after it
    is served on a new connection."""
    client = production_app.test_client()
    sessions = len(db.session.registry.registry)

    def pid():
        with production_app.app_context():
            found = db.session.scalar(text("SELECT pg_backend_pid()"))
            db.session.remove()
            return found

    first = _in_own_context(production_app, pid)
    other = create_engine(production_app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    other.dispose()
    failed = _in_own_context(production_app, lambda: client.get("/healthz"))
    assert failed.status_code == 500
    assert len(db.session.registry.registry) == sessions  # nothing left behind
    served = _in_own_context(production_app, lambda: client.get("/healthz"))
    assert served.status_code == 200
    assert _in_own_context(production_app, pid) != first


def test_prepared_statements_survive_read_only_requests_and_the_idle_ping(app, postgres_only, monkeypatch):
    """What the two rules are for: the statements a connection runs often stay prepared on the
    server from one request to the next, through the end of a read-only request and the ping
    of a connection that sat idle (forced here on every checkout)."""
    monkeypatch.setattr(uow, "IDLE_PING_SECONDS", 0.0)
    db.session.remove()
    db.engine.dispose()  # one pooled connection: the next requests share it

    def request(reads: int) -> int:
        for _ in range(reads):
            db.session.scalar(select(Unit.id).where(Unit.code == "không có"))
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        uow._end_read_only(None)  # as at the end of a request, then back to the pool
        db.session.remove()
        return prepared

    assert request(reads=6) >= 1  # psycopg prepares a statement on its sixth run
    assert request(reads=0) >= 1  # still there after the COMMIT and the ping
