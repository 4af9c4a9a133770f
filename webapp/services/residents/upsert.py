"""The import's write of one batch: the rows go into a temporary table (executemany, no indexes),
then one INSERT ... SELECT ... ON CONFLICT (personal_id) DO UPDATE moves them into `residents`.

Why two steps: the costly part, maintaining the residents table's indexes, then runs inside one
statement, during which the sqlite3 and psycopg drivers release the GIL, so the checking of the
next batch proceeds on the other core (import_batches). An executemany of the upsert itself
would take the GIL back for every row and the two threads would mostly wait on each other.

The row values reach the driver as plain tuples (on PostgreSQL through one COPY): at a million
rows SQLAlchemy's per-row parameter processing would cost more than the database's work, so the
values that need converting for the driver (dates on SQLite) go through the column types' own
bind processors here, once per value.
Existing rows keep what the import does not carry: created_at, the door-to-door listing, the eID.
"""

from datetime import date, datetime
from operator import itemgetter

from sqlalchemy import Column, MetaData, Table, delete, literal, select, text, true
from sqlalchemy.dialects import postgresql, sqlite

from ...models import Resident, db
from .rows import RECORD_COLUMNS

ROW_COLUMNS = RECORD_COLUMNS  # what a file row sets (personal_id first)
UPDATED = (*ROW_COLUMNS[1:], "updated_at")  # what a re-import replaces
RESIDENTS = Resident.__table__
# Per connection, never in the schema: its own MetaData keeps it out of migrations.
STAGE = Table(
    "resident_import_rows",
    MetaData(),
    *(Column(name, RESIDENTS.c[name].type) for name in ROW_COLUMNS),
    prefixes=["TEMPORARY"],
)
CREATE_STAGE = text(
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE.name} AS "
    f"SELECT {', '.join(ROW_COLUMNS)} FROM {RESIDENTS.name} WHERE 1 = 0"
)


def _faster(convert):
    """date.isoformat (in C) where it gives what the column type's processor gives (SQLite's DATE
    stores "YYYY-MM-DD"); the processor itself otherwise."""
    probe = date(1990, 5, 7)
    return date.isoformat if convert(probe) == probe.isoformat() else convert


class Upsert:
    """The statements for this database, and a function from a row's values to the driver's
    parameters."""

    def __init__(self, now: datetime):
        dialect = db.engine.dialect
        compiled = STAGE.insert().values({name: None for name in ROW_COLUMNS}).compile(dialect=dialect)
        self.stage_sql = str(compiled)
        names = list(compiled.positiontup) if compiled.positional else list(ROW_COLUMNS)
        assert sorted(names) == sorted(ROW_COLUMNS), names
        # PostgreSQL takes the batch with one COPY (a statement per row costs the server more).
        self.copy_sql = (
            f"COPY {STAGE.name} ({', '.join(ROW_COLUMNS)}) FROM STDIN"
            if dialect.name == "postgresql"
            else None
        )
        # A tuple in the order the statement (or COPY) takes, built in C.
        self.pick = itemgetter(*(ROW_COLUMNS if self.copy_sql else names))
        self.per_row = [
            (name, _faster(convert))
            for name in ROW_COLUMNS
            if (convert := RESIDENTS.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        insert = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(RESIDENTS)
        rows = select(
            *(STAGE.c[name] for name in ROW_COLUMNS),
            literal(now, RESIDENTS.c.created_at.type),
            literal(now, RESIDENTS.c.updated_at.type),
            literal("not_visited"),
        ).where(true())  # SQLite reads "SELECT ... ON CONFLICT" as a join without a WHERE
        merge = insert.from_select([*ROW_COLUMNS, "created_at", "updated_at", "listing_status"], rows)
        self.merge = merge.on_conflict_do_update(
            index_elements=[RESIDENTS.c.personal_id], set_={name: merge.excluded[name] for name in UPDATED}
        )

    def params(self, values: dict):
        """The driver's parameters for one row's values (a dict with ROW_COLUMNS; it is reused)."""
        for name, convert in self.per_row:
            if values[name] is not None:
                values[name] = convert(values[name])
        return self.pick(values)

    def stage(self, rows: list) -> list[tuple[str, int, int | None]]:
        """Put a batch in the temporary table; returns (personal_id, permanent unit, temporary
        unit) of those already registered."""
        session = db.session
        session.execute(CREATE_STAGE)
        session.execute(delete(STAGE))
        if self.copy_sql:
            driver = session.connection().connection.dbapi_connection
            with driver.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            session.connection().exec_driver_sql(self.stage_sql, rows)
        existing = select(STAGE.c.personal_id, RESIDENTS.c.permanent_unit_id, RESIDENTS.c.temporary_unit_id)
        joined = existing.join(RESIDENTS, RESIDENTS.c.personal_id == STAGE.c.personal_id)
        return [tuple(row) for row in session.execute(joined)]

    def drop(self, pids: set[str]) -> None:
        """Leave these staged rows out of the merge."""
        db.session.execute(delete(STAGE).where(STAGE.c.personal_id.in_(sorted(pids))))

    def execute(self) -> None:
        """Move the staged rows into residents: one statement."""
        db.session.execute(self.merge)
