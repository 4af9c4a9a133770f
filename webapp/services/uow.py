"""The transaction boundary: one commit per request or CLI command, rollback on any error.

How a request that only read ends, and when a pooled connection is checked (PostgreSQL):
psycopg keeps the statements a connection runs often as server-side prepared statements (no
parse and plan each time), but forgets them all on every ROLLBACK. Ending each read-only request
with a rollback (Flask-SQLAlchemy's default) threw them away every other request, and cost a
DEALLOCATE ALL on the next. So a request that ran nothing but SELECTs and holds no unsaved
change ends with a COMMIT, which for such a transaction does the same; anything else still rolls
back. And instead of a ping on every checkout (pool_pre_ping: one more round trip per request), a
connection is pinged only when it has sat unused in the pool for IDLE_PING_SECONDS: a server
restart is then noticed by the ping or, within that window, by one failed request after which
SQLAlchemy replaces every pooled connection.

SQLite has one writer at a time. Left to itself, a second writer polls for the lock with growing
sleeps (busy_timeout), which turns a few milliseconds of waiting into tens; so on SQLite every
command first takes an exclusive lock on a file beside the database (flock: the kernel wakes the
next waiter the moment the lock is free, across every process and thread of the node), and the
commands run one after the other. Pages that only read never take it (WAL: readers never wait).
"""

import fcntl
import logging
import threading
import time
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import Pool

from ..models import db
from .errors import STALE, Conflict, Msg

BUSY = Msg("Hệ thống đang bận với hồ sơ này; hãy thử lại.", "The system is busy with this case; try again.")


log = logging.getLogger(__name__)
_HELD = threading.local()  # commands nested in this thread share the outer one's lock


@contextmanager
def _one_writer():
    bind = db.session.get_bind()
    path = bind.url.database if bind.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or getattr(_HELD, "depth", 0):
        _HELD.depth = getattr(_HELD, "depth", 0) + 1
        try:
            yield
        finally:
            _HELD.depth -= 1
        return
    with open(f"{path}.writer", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _HELD.depth = 1
        try:
            yield
        finally:
            _HELD.depth = 0
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def command():
    try:
        with _one_writer():
            yield
            db.session.commit()
    except StaleDataError:
        # Another transaction changed the case between our read and our write.
        db.session.rollback()
        raise Conflict(STALE) from None
    except OperationalError as exc:
        db.session.rollback()
        # SQLite refuses a second writer whose snapshot is stale: the same conflict, told plainly.
        if "locked" in str(exc.orig) or "busy" in str(exc.orig).lower():
            raise Conflict(BUSY) from None
        raise
    except BaseException:
        db.session.rollback()
        raise


def ping() -> None:
    """The database answers (a health check)."""
    db.session.execute(text("SELECT 1"))


IDLE_PING_SECONDS = 30.0
_WROTE = "uow_wrote"  # a connection's info: this transaction ran something other than a SELECT
_RETURNED = "uow_returned_at"  # a pooled connection's info: when it was last given back
_CONNECTION = "uow_connection"  # a session's info: the connection its transaction holds


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask runs them in
    # reverse): the session is still open.
    app.teardown_appcontext(_end_read_only)


def engine_options(app: Flask) -> None:
    """Before the engine is made: on PostgreSQL the pool hands out the connection used last
    (LIFO), so a few connections stay warm (prepared statements, no idle ping) and the others
    idle until the server's own timeouts close them."""
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_use_lifo": True,
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }


def _end_read_only(exc) -> None:
    """Never raises: a failure here would skip Flask-SQLAlchemy's cleanup and leave a broken
    session for a later request. It never opens a connection either: only the one this
    session's transaction already holds is looked at."""
    try:
        session = db.session()
        if exc is not None or not session.is_active or not session.in_transaction():
            return
        conn = session.info.get(_CONNECTION)
        if conn is None or conn.invalidated or conn.closed or conn.dialect.name != "postgresql":
            return  # nothing read; or SQLite, which ends as before
        if session.new or session.dirty or session.deleted:
            return  # an unsaved change is never committed by accident
        if conn.info.get(_WROTE):
            return
        session.commit()
    except Exception:  # Flask-SQLAlchemy's teardown, next, rolls back and closes
        log.warning("ending a read-only transaction failed", exc_info=True)


@event.listens_for(Session, "after_begin")
def _note_connection(session, _transaction, connection):
    session.info[_CONNECTION] = connection


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany):
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn):
    if not conn.invalidated:  # an invalidated one has no info until it reconnects (cleared then)
        conn.info.pop(_WROTE, None)


@event.listens_for(Pool, "checkin")
def _returned(_dbapi_connection, record):
    if record is not None:
        record.info.pop(_WROTE, None)
        record.info[_RETURNED] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy):
    returned = record.info.get(_RETURNED)
    if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
        return
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return  # a file: nothing to lose
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.commit()  # not rollback(): psycopg would drop its prepared statements
    except Exception as exc:
        # The server went away (a restart): every connection from before it is dead too, so
        # the pool replaces them all, as pool_pre_ping does, and retries with a new one.
        raise InvalidatePoolError(str(exc)) from exc
