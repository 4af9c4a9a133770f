"""Shared by the benchmarks (bench/web.py, bench/imports.py): which databases a run measures, and
a PostgreSQL database of the run's own."""

import os
from contextlib import contextmanager


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
