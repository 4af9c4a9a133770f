"""Rows written in bulk for the benchmarks' seeder (bench/seed.py): COPY on PostgreSQL,
executemany on SQLite, each value converted to what the column stores."""

import json
from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime


def _sqlite_time(value: datetime) -> str:
    """How SQLAlchemy stores a UTC timestamp on SQLite: naive, with microseconds. Every time the
    seeder makes is in UTC already (isoformat is much faster than strftime)."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


class Writer:
    """Rows as dicts of column values (every row the same columns; the others get their
    database default): COPY on PostgreSQL, executemany on SQLite, in the caller's transaction
    (the SQLAlchemy connection's own DBAPI connection)."""

    def __init__(self, conn):
        self.raw = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"

    def write(self, table, dicts: list[dict]) -> None:
        if not dicts:
            return
        columns = tuple(dicts[0])
        rows = [tuple(d[c] for c in columns) for d in dicts]
        convert = [(i, c) for i, c in enumerate(self._converters(table, columns)) if c]
        if convert:
            rows = [_converted(r, convert) for r in rows]
        names = ", ".join(columns)
        if self.postgres:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)

    def _converters(self, table, columns):
        out = []
        for name in columns:
            kind = table.c[name].type
            if "JSON" in type(kind).__name__:
                out.append(json.dumps)
            elif self.postgres:
                out.append(None)  # COPY takes aware timestamps, dates and bytes as they are
            elif isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
                out.append(_sqlite_time)
            elif isinstance(kind, Date):
                out.append(date.isoformat)
            else:
                out.append(None)
        return out


def _converted(row: tuple, convert: list) -> list:
    row = list(row)
    for i, c in convert:
        if row[i] is not None:
            row[i] = c(row[i])
    return row
