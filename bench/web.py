"""Web benchmark: server time of the pages officers use most, on a database of N cases.

Seeds (bench/seed.py, its WEB profile) a province with 20 communes, officers, residents with
Vietnamese names, N cases spread over communes and steps (open or issued), their task
projection rows and whole audit trail, in bulk; one case is started through the services and
its stored workflow state is reused by every bulk case (the pages measured never read it).
Then a police officer of the busiest commune, signed in through the login form, asks in turn for

* the inbox first page, ``/?scope=queue``,
* an inbox search by name, ``/?scope=queue&q=nguyen van``,
* a case page, ``/cases/<code>`` (a different case of the commune each time),

through Flask's test client, in-process: the figures are server time (routing, queries,
template rendering), without a network or a WSGI server. The database is SQLite (a temporary
file) and, when TEST_DATABASE_URL names a PostgreSQL server, also PostgreSQL, in a database
``bench_web`` created for the run and dropped after it. Prints a table per database; the last
line is JSON with the worst p95 over the databases measured.
"""

import json
import random
import re
import time

from .common import (
    bench_app,
    captured,
    databases_to_run,
    explain_plan,
    percentile,
    postgres_database,
    sqlite_file,
)
from .profiles import PASSWORD, WEB
from .seed import Seeder, World

WARMUP = 20
TARGET_MS = 50.0
PG_DATABASE = "bench_web"
SEARCH = "nguyen van"
PAGES = ("inbox", "search", "case")


def measure(app, world: World, requests: int, explain: bool) -> dict[str, list[float]]:
    from webapp.models import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    response = client.post("/login", data={"username": world.officer, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    urls = {
        "inbox": lambda i: "/?scope=queue",
        "search": lambda i: "/?scope=queue&q=" + SEARCH.replace(" ", "+"),
        "case": lambda i: f"/cases/{world.case_codes[i % len(world.case_codes)]}",
    }
    for name in PAGES:  # what a page shows, once, to know that it is the page we mean
        body = client.get(urls[name](0)).get_data(as_text=True)
        total = re.search(r"Tổng: (\d+) việc", body)
        shown = f"{total.group(1)} tasks listed" if total else f"{len(body)} bytes"
        print(f"  {name:<7} {urls[name](0)}: {shown}")
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    for i in range(WARMUP + requests):  # interleaved: a noisy moment slows every page alike
        for name in PAGES:
            url = urls[name](i)
            start = time.perf_counter()
            response = client.get(url)
            response.get_data()
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= WARMUP:
                times[name].append(elapsed)
    # One more request of each page with its statements timed: where the time goes.
    for name in PAGES:
        with captured(engine) as found:
            start = time.perf_counter()
            client.get(urls[name](1)).get_data()
            total_ms = (time.perf_counter() - start) * 1000
        sql_ms = sum(ms for ms, _, _ in found)
        print(
            f"  {name:<7} one request {total_ms:6.1f} ms: {len(found)} statements, {sql_ms:.1f} ms executing"
        )
        for ms, statement, parameters in sorted(found, key=lambda f: f[0], reverse=True):
            if not explain and ms < 1.0:
                continue
            print(f"    {ms:6.2f} ms  {' '.join(statement.split())[:160]}")
            if explain:
                for line in explain_plan(engine, statement, parameters):
                    print(f"              | {line}")
    return times


# --- databases -----------------------------------------------------------------------------


def one_database(label: str, uri: str, cases: int, requests: int, explain: bool) -> dict[str, float]:
    from flask_migrate import upgrade

    from webapp.models import db

    app = bench_app(uri)
    with app.app_context():
        upgrade()
        world = Seeder(cases, random.Random(20250701), WEB).run()
        db.session.remove()
    rows = ", ".join(f"{n:,} {t}" for t, n in world.counts.items())
    print(f"[{label}] seeded {rows} in {world.seconds:.1f} s")
    print(
        f"  officer {world.officer} of {world.commune_path}: {len(world.case_codes):,} cases in the commune, "
        f"{world.queue_size:,} police tasks in its queue ({world.queue_overdue:,} overdue)"
    )
    times = measure(app, world, requests, explain)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    print(f"  {'page':<8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  ({requests} requests each)")
    result = {}
    for name in PAGES:
        p50, p95 = percentile(times[name], 50), percentile(times[name], 95)
        flag = "" if p95 <= TARGET_MS else f"  over {TARGET_MS:.0f} ms"
        print(f"  {name:<8}{p50:9.1f}{p95:9.1f}{max(times[name]):9.1f}{flag}")
        result[name] = p95
    return result


def run(cases: int, requests: int, databases: list[str] | None = None, explain: bool = False) -> int:
    if not 1 <= cases <= 800_000:  # residents are 1.2 x cases; ID serials have six digits
        raise SystemExit("--cases must be between 1 and 800000")
    pg_url, databases = databases_to_run(databases)
    print(f"web benchmark: {cases:,} cases, {requests} requests per page, on {' and '.join(databases)}")
    worst = dict.fromkeys(PAGES, 0.0)
    for name in databases:
        with postgres_database(pg_url, PG_DATABASE) if name == "postgresql" else sqlite_file() as uri:
            result = one_database(name, uri, cases, requests, explain)
        worst = {page: max(worst[page], result[page]) for page in PAGES}
    print(
        json.dumps(
            {
                "cases": cases,
                "inbox_p95_ms": round(worst["inbox"], 1),
                "search_p95_ms": round(worst["search"], 1),
                "case_p95_ms": round(worst["case"], 1),
            }
        )
    )
    return 0
