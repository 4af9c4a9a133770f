"""Shared by the benchmarks: which databases a run measures, a database of the run's own (a
temporary SQLite file or a PostgreSQL database), the app on it, the statements a request runs,
and percentiles."""

import logging
import os
import statistics
import tempfile
import time
from contextlib import contextmanager

from sqlalchemy import event


def databases_to_run(databases: list[str] | None) -> tuple[str, list[str]]:
    """TEST_DATABASE_URL and the databases to measure: those asked for, else SQLite and, when
    TEST_DATABASE_URL names a PostgreSQL server, PostgreSQL too."""
    pg_url = os.environ.get("TEST_DATABASE_URL", "")
    if databases is None:
        databases = ["sqlite"] + (["postgresql"] if pg_url.startswith("postgresql") else [])
    if "postgresql" in databases and not pg_url.startswith("postgresql"):
        raise SystemExit("PostgreSQL needs TEST_DATABASE_URL=postgresql+psycopg://user@host:port/db")
    return pg_url, databases


@contextmanager
def postgres_database(url: str, name: str):
    """A database `name` of our own on the server `url` names, dropped afterwards."""
    import psycopg
    from sqlalchemy import make_url

    base = make_url(url)
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def sqlite_file(name: str = "bench"):
    """A SQLite database in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/{name}.sqlite"


def bench_app(uri: str):
    """The app on `uri`, as the benchmarks run it: cheap password hashes, quiet logs."""
    from webapp import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "argon2id:m=64,t=1,p=1",
        }
    )
    logging.getLogger("webapp").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return app


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@contextmanager
def captured(engine):
    """Statements run meanwhile, with their parameters and execution time (ms)."""
    found = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        found.append(((time.perf_counter() - conn.info.pop("bench_t0")) * 1000, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def explain_plan(engine, statement: str, parameters) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in cursor.fetchall()]
    finally:
        raw.rollback()
        raw.close()
