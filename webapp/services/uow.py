"""The transaction boundary: one commit per request or CLI command, rollback on any error."""

from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from ..models import db
from .case_engine import STALE
from .errors import Conflict


@contextmanager
def command():
    try:
        yield
        db.session.commit()
    except StaleDataError:
        # Another transaction changed the case between our read and our write.
        db.session.rollback()
        raise Conflict(STALE) from None
    except BaseException:
        db.session.rollback()
        raise
