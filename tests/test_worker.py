"""The background worker: a round fires due timers and sends the notifications they caused,
runs imports left queued, survives a failing case, stops between items; on SQLite one worker
only; on PostgreSQL two workers side by side never fire a timer or send a message twice."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.cases import DOB, do, start
from tests.support.imports import csv_bytes, person
from tests.support.paths import ROOT
from webapp.models import Case, CaseEvent, ImportJob, OutboxMessage, Resident, Unit, User, db
from webapp.services import clock, worker
from webapp.services.cases import commands as cases
from webapp.services.messaging import notifiers, outbox
from webapp.services.residents import import_jobs
from webapp.services.uow import command

TWO_WORKERS = "two workers claim work with FOR UPDATE SKIP LOCKED, which needs PostgreSQL (TEST_DATABASE_URL)"


@pytest.fixture(autouse=True)
def file_backend(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "NOTIFY_BACKEND", "file")
    monkeypatch.setitem(app.config, "NOTIFY_FILE", str(tmp_path / "notifications.jsonl"))
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "notifications.jsonl"


@pytest.fixture
def on_postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(TWO_WORKERS)


@pytest.fixture
def on_sqlite(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the one-worker lock file is for SQLite only")


CASE_JOBS = ("timers", "outbox", "imports")  # without the daily count


def waiting_for_documents(world, n: int) -> list[str]:
    codes = []
    for _ in range(n):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": False})
        codes.append(code)
    return codes


def latest_timer() -> float:
    return db.session.scalar(select(func.max(Case.next_timer_at))).timestamp() + 60


def fired_per_case() -> dict[str, collections.Counter]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Case.code, CaseEvent.action)
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.action.in_(("timer_fired", "reminded", "escalated")))
    ).all()
    found = collections.defaultdict(collections.Counter)
    for code, action in rows:
        found[code][action] += 1
    return found


def lines(path: Path) -> list[dict]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


# --- one worker ------------------------------------------------------------------------------------


def test_a_round_fires_due_timers_and_sends_what_they_caused(world, file_backend):
    codes = waiting_for_documents(world, 3)
    assert worker.run_round(CASE_JOBS) == worker.Round()  # nothing due yet
    with time_machine.travel(latest_timer(), tick=False):
        result = worker.run_round()
        assert (result.timers, result.sent, result.failed) == (3, 3, 0)
        assert not worker.run_round()  # and nothing twice
    assert {code: dict(c) for code, c in fired_per_case().items()} == {
        c: {"timer_fired": 1, "reminded": 1} for c in codes
    }
    sent = lines(file_backend)
    assert sorted(m["body"]["case"] for m in sent) == sorted(codes)
    assert {(m["kind"], m["recipient"]) for m in sent} == {("reminder", "justice_a")}


def test_the_first_round_of_a_day_counts_the_resident_figures_once(world):
    from webapp.services.supervision import progress

    world.resident()
    world.resident(unit=world.commune_b)
    units = db.session.scalar(select(func.count()).select_from(Unit))
    assert worker.daily_recount() == units  # every unit
    assert worker.daily_recount() == 0  # once a day
    world.resident()  # registered later that day: in tomorrow's figures
    assert progress.page(world.supervisor, "37").figures.total.eligible == 2
    with time_machine.travel(clock.now() + timedelta(days=1), tick=False):
        assert worker.run_round(("daily",)) == worker.Round(daily=units)
        # The round ended its session: the supervisor is loaded again.
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        assert progress.page(supervisor, "37").figures.total.eligible == 3


def test_worker_command_once_prints_the_round(app, world, file_backend):
    waiting_for_documents(world, 1)
    runner = app.test_cli_runner()
    with time_machine.travel(latest_timer(), tick=False):
        result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "timers fired: 1, messages sent: 1, failed attempts: 0, imports run: 0" in result.output
    assert len(lines(file_backend)) == 1
    bad = runner.invoke(args=["worker", "--once", "--batch", "0"])
    assert bad.exit_code == 2 and "--batch" in bad.output


def test_a_case_whose_timers_crash_waits_and_the_others_fire(world, monkeypatch):
    bad, good = waiting_for_documents(world, 2)
    real = cases.fire_timers

    def fire(case):
        if case.code == bad:
            raise RuntimeError("spec missing")
        return real(case)

    monkeypatch.setattr(cases, "fire_timers", fire)
    moment = latest_timer()
    with time_machine.travel(moment, tick=False):
        assert worker.fire_due_timers() == 1
    assert set(fired_per_case()) == {good}
    db.session.expire_all()
    pushed = db.session.scalar(select(Case.next_timer_at).where(Case.code == bad))
    assert pushed.timestamp() == pytest.approx(moment + worker.TIMER_RETRY.total_seconds())


def test_stop_is_honoured_between_items(world):
    waiting_for_documents(world, 3)
    stop = threading.Event()
    real = cases.fire_timers

    def fire_then_stop(case):
        stop.set()  # a signal arrives while the first case is being fired
        return real(case)

    with time_machine.travel(latest_timer(), tick=False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(cases, "fire_timers", fire_then_stop)
            assert worker.run_round(stop=stop) == worker.Round(timers=1)
        assert worker.run_round().timers == 2  # the rest on the next run
    stopped = threading.Event()
    stopped.set()
    assert worker.run(stopped, interval=0.01) == worker.Round()


def queued_import(world, age: timedelta, keep_file=True) -> int:
    content = csv_bytes([person(), person()])
    with command():
        job = import_jobs.create_job(world.lead, "residents.csv", len(content))
        job.created_at = clock.now() - age
    if keep_file:
        import_jobs.upload_path(job).write_bytes(content)
    return job.id


def test_the_worker_runs_every_queued_import_and_fails_one_whose_file_is_gone(world):
    left = queued_import(world, timedelta(minutes=10))
    fresh = queued_import(world, timedelta(seconds=0))
    lost = queued_import(world, timedelta(hours=1), keep_file=False)
    assert worker.run_queued_imports() == 3
    db.session.expire_all()
    assert db.session.get(ImportJob, left).status == "done"
    assert db.session.get(ImportJob, left).created == 2
    assert db.session.get(ImportJob, fresh).status == "done"  # uploads wait for no grace period
    job = db.session.get(ImportJob, lost)
    assert job.status == "failed" and "no longer on the server" in job.error
    assert db.session.scalar(select(func.count()).select_from(Resident)) == 4
    assert worker.run_queued_imports() == 0


def test_second_worker_on_sqlite_refuses(app, on_sqlite):
    runner = app.test_cli_runner()
    with worker.single_on_sqlite() as lock:
        assert lock is not None and lock.read_text() == str(os.getpid())
        with pytest.raises(worker.AlreadyRunning, match="SQLite takes one worker"), worker.single_on_sqlite():
            pass
        result = runner.invoke(args=["worker", "--once"])
        assert result.exit_code == 1 and "already runs" in result.output
    with worker.single_on_sqlite():  # released with the first
        pass


def test_sigterm_stops_a_running_worker_cleanly(app, world):
    """A real process, as systemd runs it: it starts, works, and exits 0 on SIGTERM."""
    with command():
        outbox.enqueue("reminder", "log", "lead_a", "Từ tiến trình riêng", {})
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test",
        "NOTIFY_BACKEND": "log",
        "NOTIFY_FAIL": "",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.scalar(select(OutboxMessage.status)) == "sent":
                break
            time.sleep(0.1)
        db.session.rollback()  # no snapshot held while the other process works
        if db.engine.dialect.name == "sqlite":
            # It holds the one-worker lock.
            with pytest.raises(worker.AlreadyRunning), worker.single_on_sqlite():
                pass
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-2000:]
    assert "SIGTERM received: stopping after the current item" in err and "worker stopped" in err
    assert "messages sent: 1" in err
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"


# --- two workers (PostgreSQL) ---------------------------------------------------------------------


def side_by_side(app, target, n=2) -> list:
    """Run `target` in n threads at once, each with its own app context, session and connection."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = target()
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_two_workers_fire_every_due_timer_once(app, world, on_postgres, file_backend):
    codes = waiting_for_documents(world, 24)
    with time_machine.travel(latest_timer(), tick=True):
        rounds = side_by_side(app, lambda: worker.run_round(("timers", "outbox"), batch=3))
        assert not worker.run_round(("timers", "outbox"))  # nothing left behind
    assert sum(r.timers for r in rounds) == 24 and sum(r.sent for r in rounds) == 24
    per_case = fired_per_case()
    assert set(per_case) == set(codes)
    assert all(
        dict(c) == {"timer_fired": 1, "reminded": 1} for c in per_case.values()
    )  # no timer fired twice
    ids = [m["id"] for m in lines(file_backend)]
    assert len(ids) == len(set(ids)) == 24  # each notification sent once


def test_two_workers_send_each_message_once(app, world, on_postgres, file_backend, monkeypatch):
    with command():
        for i in range(300):
            outbox.enqueue("reminder", "file", f"user{i}", f"Tin {i}", {"i": i})
    real = notifiers.FileNotifier.send

    def slow(self, message):  # a real channel takes time; let the workers overlap
        time.sleep(0.002)
        real(self, message)

    monkeypatch.setattr(notifiers.FileNotifier, "send", slow)
    results = side_by_side(app, lambda: worker.deliver_due(batch=5))
    assert sum(sent for sent, _failed in results) == 300
    assert all(sent > 0 for sent, _failed in results), results  # both worked, on different rows
    ids = collections.Counter(m["id"] for m in lines(file_backend))
    assert len(ids) == 300 and set(ids.values()) == {1}
    db.session.expire_all()
    statuses = db.session.execute(
        select(OutboxMessage.status, func.count(), func.max(OutboxMessage.attempts)).group_by(
            OutboxMessage.status
        )
    ).all()
    assert [tuple(r) for r in statuses] == [("sent", 300, 1)]


def test_a_message_locked_by_one_worker_is_skipped_by_the_other(app, world, on_postgres):
    with command():
        first = outbox.enqueue("reminder", "log", "a", "1", {})
        second = outbox.enqueue("reminder", "log", "b", "2", {})
    first_id, second_id = first.id, second.id
    with command():
        held = outbox.claim_due(1)  # this transaction holds the first one
        assert [m.id for m in held] == [first_id]
        other = side_by_side(app, lambda: [m.id for m in outbox.claim_due(10)], n=1)[0]
        assert other == [second_id]
