"""The transaction boundary: one commit per request or CLI command, rollback on any error.

SQLite has one writer at a time. Left to itself, a second writer polls for the lock with growing
sleeps (busy_timeout), which turns a few milliseconds of waiting into tens; so on SQLite every
command first takes an exclusive lock on a file beside the database (flock: the kernel wakes the
next waiter the moment the lock is free, across every process and thread of the node), and the
commands run one after the other. Pages that only read never take it (WAL: readers never wait).
"""

import fcntl
import threading
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..models import db
from .errors import STALE, Conflict, Msg

BUSY = Msg("Hệ thống đang bận với hồ sơ này; hãy thử lại.", "The system is busy with this case; try again.")


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
