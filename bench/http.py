"""`python -m bench http`: what officers feel, measured from outside. The real server (gunicorn
with gunicorn.conf.py) on a fresh SQLite file and, when TEST_DATABASE_URL names a PostgreSQL
server, on a database of its own; residents registered, then whole cases driven through the JSON
API (a quarter through the justice office) by 1, 8 and 32 concurrent clients.

Prints per run: cases issued per second, task completions per second, p50/p95/p99 per call kind
(start, task read, complete, production callback), errors (must be 0) and the server's CPU
seconds per completion; the last line is JSON. `--nodes 2` starts two servers on two ports and
the clients alternate between them, case by case.

The clients run on the same machine as the server and take part of its CPU: the figures are a
floor for what a separate client machine would see.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .common import databases_to_run, percentile
from .http_client import KINDS, run_clients

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def seed(uri: str, residents: int) -> dict[str, str]:
    """Migrate, create a commune with its officers and residents; API tokens for each role."""
    from flask_migrate import upgrade

    from webapp.models import db
    from webapp.services.accounts import tokens, units, users
    from webapp.services.residents import registry
    from webapp.services.residents.personal_id import make_personal_id
    from webapp.services.uow import command

    from .common import bench_app

    app = bench_app(uri)
    with app.app_context():
        upgrade()
        with command():
            root = units.ensure("37", "Ninh Bình", "province", None)
            ward = units.ensure("13300", "Phường Hoa Lư", "commune", root)
            officers = {
                role: users.create(
                    f"bench_{role}",
                    role,
                    (ward if role in ("police", "justice") else root).code,
                    "bench-pass-1",
                )
                for role in ("police", "justice", "approval", "production")
            }
            for i in range(residents):
                pid = make_personal_id("037", 1990, "female", i + 1)
                record = {"full_name": "Nguyễn Thị Lan", "birth_date": "1990-05-17", "sex": "female"}
                registry.upsert(None, pid, {**record, "permanent_unit": ward.code})
            issued = {role: tokens.issue(user)[0] for role, user in officers.items()}
        db.session.remove()
        db.engine.dispose()
    return issued


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(uri: str, workdir: str, port: int, name: str):
    """A gunicorn node on `port`, up once /healthz answers; stopped (SIGTERM) afterwards."""
    env = {
        **os.environ,
        "DATABASE_URL": uri,
        "SECRET_KEY": "bench",
        "BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        "UPLOAD_DIR": str(Path(workdir) / "uploads"),
        "PYTHONUNBUFFERED": "1",
    }
    log = open(Path(workdir) / f"{name}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(port, proc)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_until_up(port: int, proc, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server on port {port} stopped (exit {proc.returncode}); see its log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer /healthz within {seconds:.0f} s")


def cpu_seconds(pid: int) -> float:
    """CPU time of a gunicorn master, its live workers and the workers it already reaped."""

    def times(p: int, reaped: bool) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        used = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if reaped else 0)
        return used / TICKS

    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return times(pid, True) + sum(times(k, False) for k in kids)


def one_database(
    label: str, uri: str, clients_list: list[int], nodes: int, per_client: int, min_cases: int
) -> dict:
    plan = [max(min_cases, per_client * c) for c in clients_list]
    tokens = seed(uri, sum(plan))
    results = {}
    with tempfile.TemporaryDirectory() as workdir, ExitStack() as stack:
        ports = [_free_port() for _ in range(nodes)]
        procs = [stack.enter_context(server(uri, workdir, p, f"node{i}")) for i, p in enumerate(ports)]
        print(f"[{label}] {nodes} gunicorn node(s) on ports {ports}; cases per run {plan}")
        first = 0
        for clients, cases in zip(clients_list, plan, strict=True):
            work = [
                (make_pid(first + i + 1), (first + i) % 4 == 0, f"C{first + i + 1:09d}") for i in range(cases)
            ]
            first += cases
            cpu_before = sum(cpu_seconds(p.pid) for p in procs)
            tally, seconds = run_clients(clients, work, ports, tokens)
            cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
            results[clients] = report(label, clients, tally, seconds, cpu)
    if uri.startswith("postgresql"):
        storage_per_case(uri)
    return results


TABLES = ("cases", "case_events", "case_tasks", "residents", "stage_counts", "outbox", "cards", "batch_cases")


def storage_per_case(uri: str) -> None:
    """Rows and bytes per issued case on PostgreSQL (heap, TOAST and each index), for sizing."""
    import psycopg
    from sqlalchemy import make_url

    plain = make_url(uri).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0] or 1
        print(f"  storage per case ({cases} cases, every one issued, with its whole audit trail):")
        for table in TABLES:
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                continue
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            heap, total = conn.execute(
                "SELECT pg_table_size(%s), pg_total_relation_size(%s)", (table, table)
            ).fetchone()
            print(
                f"     {table:<13} {rows / cases:5.2f} rows  {heap / cases:8.0f} B table  "
                f"{(total - heap) / cases:8.0f} B indexes"
            )
            for name, size in conn.execute(
                "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
                "WHERE relname = %s ORDER BY 2 DESC",
                (table,),
            ):
                print(f"        {name:<44} {size / cases:8.0f} B")


def make_pid(serial: int) -> str:
    from webapp.services.residents.personal_id import make_personal_id

    return make_personal_id("037", 1990, "female", serial)


def report(label: str, clients: int, tally, seconds: float, cpu: float) -> dict:
    rate = tally.completions / seconds
    print(
        f"  {clients:>2} client(s): {tally.issued} cases issued in {seconds:.1f} s "
        f"= {tally.issued / seconds:.1f}/s, "
        f"{rate:.1f} completions/s, errors {len(tally.errors)}, "
        f"server CPU {1000 * cpu / max(1, tally.completions):.1f} ms per completion"
    )
    out = {
        "completions_per_s": round(rate, 1),
        "errors": len(tally.errors),
        "issued_per_s": round(tally.issued / seconds, 2),
    }
    for kind in KINDS:
        values = tally.times.get(kind) or [0.0]
        p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
        calls = len(tally.times.get(kind, []))
        print(f"     {kind:<9} p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms  ({calls} calls)")
        out[f"{kind}_p50_ms"], out[f"{kind}_p95_ms"] = round(p50, 1), round(p95, 1)
    for text in tally.errors[:5]:
        print(f"     error: {text}")
    out["cpu_ms_per_completion"] = round(1000 * cpu / max(1, tally.completions), 2)
    return out


def run(
    clients_list: list[int], databases: list[str] | None, nodes: int, per_client: int, min_cases: int = 16
) -> int:
    from .common import sqlite_file

    pg_url, databases = databases_to_run(databases)
    load = os.getloadavg()
    print(
        f"bench http: clients {clients_list}, {nodes} node(s), "
        f"load average before {load[0]:.2f}, {os.cpu_count()} CPUs"
    )
    measured = {}
    for label in databases:
        if label == "sqlite":
            with sqlite_file("http") as uri:
                measured[label] = one_database(label, uri, clients_list, nodes, per_client, min_cases)
        else:
            measured[label] = one_database(
                label, _fresh_postgres(pg_url), clients_list, nodes, per_client, min_cases
            )
    key = lambda db, c: f"{db}/{c}"  # noqa: E731
    summary = {
        "clients": clients_list,
        "nodes": nodes,
        "completions_per_s": {
            key(d, c): r["completions_per_s"] for d, rs in measured.items() for c, r in rs.items()
        },
        "complete_p50_ms": {
            key(d, c): r["complete_p50_ms"] for d, rs in measured.items() for c, r in rs.items()
        },
        "complete_p95_ms": {
            key(d, c): r["complete_p95_ms"] for d, rs in measured.items() for c, r in rs.items()
        },
        "cpu_ms_per_completion": {
            key(d, c): r["cpu_ms_per_completion"] for d, rs in measured.items() for c, r in rs.items()
        },
        "errors": sum(r["errors"] for rs in measured.values() for r in rs.values()),
    }
    print(json.dumps(summary))
    return 0 if summary["errors"] == 0 else 1


def _fresh_postgres(url: str) -> str:
    """The database TEST_DATABASE_URL names, emptied (its public schema dropped and rebuilt)."""
    import psycopg
    from sqlalchemy import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url
