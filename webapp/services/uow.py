"""The transaction boundary: one commit per request or CLI command, rollback on any error."""

from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..models import db
from .errors import STALE, Conflict, Msg

BUSY = Msg("Hệ thống đang bận với hồ sơ này; hãy thử lại.", "The system is busy with this case; try again.")


@contextmanager
def command():
    try:
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
