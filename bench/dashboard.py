"""Dashboard benchmark: server time of the supervisors' pages on a database of N cases.

Seeds (bench/seed.py, its DASHBOARD profile) Ninh Bình with its 129 communes, residents and N cases (default
a million) standing where the April 2021 picture says, then a supervisor of the province,
signed in through the login form, asks in turn for

* the province progress page, ``/progress/?unit=37``,
* a commune drill-down, ``/progress/?unit=<the busiest commune>``,
* the stuck-cases list, first page, ``/stuck/?unit=37``,

through Flask's test client, in-process: the figures are server time (routing, queries,
template rendering), without a network or a WSGI server. After a warm-up each page is asked
`--requests` times, interleaved. The database is SQLite (a temporary file) and, when
TEST_DATABASE_URL names a PostgreSQL database, also that database: its schema is dropped and
rebuilt (give it a database of its own, e.g. ``bench8``). Prints p50/p95 per page and database;
the last line is JSON with the PostgreSQL figures when PostgreSQL was measured, else SQLite's.
"""

import json
import os
import random
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import func, make_url, select, text

from .common import bench_app, captured, explain_plan, percentile, sqlite_file
from .profiles import DASHBOARD, PASSWORD, PROVINCE, SUPERVISOR
from .seed import Seeder, World

PAGES = ("province", "commune", "stuck")
TARGET_MS = 300.0
WARMUP = 3


def urls(app, world: World) -> dict[str, str | None]:
    """The pages' URLs from their endpoints; a page whose view is not there yet is None."""
    from flask import url_for
    from werkzeug.routing import BuildError

    out = {}
    with app.test_request_context():
        for name, endpoint, unit in (
            ("province", "progress.index", world.province),
            ("commune", "progress.index", world.commune),
            ("stuck", "stuck.index", world.province),
        ):
            try:
                out[name] = url_for(endpoint, unit=unit)
            except BuildError:
                out[name] = None
    return out


def measure(app, world: World, requests: int, explain: bool = False) -> dict[str, list[float]]:
    client = app.test_client()
    response = client.post("/login", data={"username": world.supervisor, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    pages = {name: url for name, url in urls(app, world).items() if url}
    for name in PAGES:
        if name not in pages:
            print(f"  {name:<9} no such page in this build: not measured")
    times: dict[str, list[float]] = {name: [] for name in pages}
    for i in range(WARMUP + requests):  # interleaved: a noisy moment slows every page alike
        for name, url in pages.items():
            start = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (url, response.status_code, body[:300])
            if i == 0:
                print(f"  {name:<9} {url}: {len(body):,} bytes")
            if i >= WARMUP:
                times[name].append(elapsed)
    _where_the_time_goes(app, client, pages, explain)
    return times


def _where_the_time_goes(app, client, pages: dict[str, str], explain: bool) -> None:
    """One more request of each page with its statements timed: the slow ones (and with
    --explain, their plans: EXPLAIN ANALYZE on PostgreSQL, the query plan on SQLite)."""
    from webapp.models import db

    with app.app_context():
        engine = db.engine
    for name, url in pages.items():
        with captured(engine) as found:
            start = time.perf_counter()
            client.get(url).get_data()
            total_ms = (time.perf_counter() - start) * 1000
        sql_ms = sum(ms for ms, _, _ in found)
        print(
            f"  {name:<9} one request {total_ms:7.1f} ms: {len(found)} statements, {sql_ms:.1f} ms executing"
        )
        for ms, statement, parameters in sorted(found, key=lambda f: f[0], reverse=True)[:6]:
            if ms < 5.0:
                break
            print(f"    {ms:7.1f} ms  {' '.join(statement.split())[:200]}")
            if explain:
                for line in explain_plan(engine, statement, parameters):
                    print(f"              | {line}")


def seeded_world() -> World | None:
    """The world an earlier run seeded in this database (--reuse), or None."""
    from webapp.models import Case, CaseTask, Resident, Unit, User, db

    if db.session.scalar(select(User.id).where(User.username == SUPERVISOR)) is None:
        return None
    busiest = db.session.scalar(
        select(Unit.code)
        .join(Case, Case.unit_id == Unit.id)
        .group_by(Unit.code)
        .order_by(func.count().desc())
    )
    where = Counter()
    for status, steps, n in db.session.execute(
        select(Case.status, Case.current_steps, func.count()).group_by(Case.status, Case.current_steps)
    ):
        where[steps if status in ("open", "error") else status] += n
    counts = {
        t.__tablename__: db.session.scalar(select(func.count()).select_from(t))
        for t in (Resident, Case, CaseTask)
    }
    now = datetime.now(UTC)
    overdue = db.session.scalar(select(func.count()).where(CaseTask.due_at < now))
    return World(str(PROVINCE), busiest, "", "", SUPERVISOR, 0.0, counts, where, overdue)


@contextmanager
def _postgres(url: str, reuse: bool):
    """The database TEST_DATABASE_URL names, emptied (its public schema dropped and rebuilt)
    unless an earlier run's data is to be measured again."""
    import psycopg

    if not reuse:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
    yield url


def one_database(
    label: str, uri: str, cases: int, requests: int, explain: bool = False, reuse: bool = False
) -> dict[str, float]:
    from flask_migrate import upgrade

    from webapp.models import db

    app = bench_app(uri)
    with app.app_context():
        upgrade()
        world = (reuse and seeded_world()) or Seeder(cases, random.Random(20210420), DASHBOARD).run()
        size = _size(db)
        db.session.remove()
    rows = ", ".join(f"{n:,} {t}" for t, n in world.counts.items())
    seeded = f"in {world.seconds:.1f} s" if world.seconds else "by an earlier run"
    print(f"[{label}] seeded {rows} {seeded} ({size})")
    total = sum(world.where.values()) or 1
    shares = ", ".join(f"{k} {100 * n / total:.1f}%" for k, n in world.where.most_common())
    print(f"  where cases stand: {shares}")
    print(f"  open tasks past their time limit: {world.overdue_tasks:,}; drill-down commune {world.commune}")
    times = measure(app, world, requests, explain)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    print(f"  {'page':<10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  ({requests} requests each)")
    result = {}
    for name, values in times.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        flag = "" if p95 <= TARGET_MS else f"  over {TARGET_MS:.0f} ms"
        print(f"  {name:<10}{p50:9.1f}{p95:9.1f}{max(values):9.1f}{flag}")
        result[name] = p95
    return result


def _size(db) -> str:
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
    pages = db.session.scalar(text("PRAGMA page_count")) * db.session.scalar(text("PRAGMA page_size"))
    return f"{pages / 2**20:,.0f} MB"


def run(
    cases: int, requests: int, databases: list[str] | None = None, explain: bool = False, reuse: bool = False
) -> int:
    if not 1 <= cases <= 2_500_000:  # personal ID serials: three blocks of a million residents
        raise SystemExit("--cases must be between 1 and 2500000")
    pg_url = os.environ.get("TEST_DATABASE_URL", "")
    if databases is None:
        databases = ["sqlite"] + (["postgresql"] if pg_url.startswith("postgresql") else [])
    if "postgresql" in databases and not pg_url.startswith("postgresql"):
        raise SystemExit("PostgreSQL needs TEST_DATABASE_URL=postgresql+psycopg://user@host:port/db")
    print(f"dashboard benchmark: {cases:,} cases, {requests} requests per page, on {' and '.join(databases)}")
    results = {}
    for name in databases:
        with _postgres(pg_url, reuse) if name == "postgresql" else sqlite_file("dashboard") as uri:
            results[name] = one_database(name, uri, cases, requests, explain, reuse and name == "postgresql")
    shown = results.get("postgresql") or results[databases[0]]

    def p95(*pages):
        found = [shown[p] for p in pages if p in shown]
        return round(max(found), 1) if found else None

    print(
        json.dumps(
            {"cases": cases, "progress_p95_ms": p95("province", "commune"), "stuck_p95_ms": p95("stuck")}
        )
    )
    return 0
