"""The unit-subtree filter, written so that each database can use an index for it."""

from sqlalchemy import and_

from ..models import db


def subtree(column, path: str):
    """Rows whose unit path lies under `path` ("/37/" covers "/37/13300/").

    PostgreSQL: a prefix LIKE, served by the varchar_pattern_ops index. SQLite never uses an
    index for LIKE on a normal column, so there it is a range: paths hold only digits and "/",
    and "0" is the character right after "/"."""
    if db.session.get_bind().dialect.name == "sqlite":
        return and_(column >= path, column < path[:-1] + "0")
    return column.startswith(path, autoescape=True)


def covers(path: str, unit_path: str) -> bool:
    """The same rule in Python: `unit_path` lies in the subtree rooted at `path`."""
    return unit_path.startswith(path)
