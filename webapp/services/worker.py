"""The background worker's rounds: fire due timers, send due outbox messages, run resident
imports (uploads queue them), count the day's resident figures once a day (docs/worker.md). Each item
is its own transaction; a stop request is honoured between items, so the current one always
finishes.

On PostgreSQL any number of workers may run: timers and messages are claimed with `FOR UPDATE
SKIP LOCKED`. SQLite has one writer, so there a worker holds a lock file beside the database and
a second one refuses to start.
"""

import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text, update

from ..models import Case, ImportJob, db
from . import clock, uow
from .cases import commands
from .errors import Conflict, Msg
from .messaging import outbox
from .residents import import_jobs
from .supervision import progress_figures

log = logging.getLogger(__name__)

JOBS = ("timers", "outbox", "imports", "daily")
DAILY_LOCK = 740_601  # PostgreSQL advisory lock: one worker counts the day's figures
TIMER_RETRY = timedelta(minutes=5)  # a timer whose firing crashed is tried again after this
LOST_FILE = Msg(
    "Tệp tải lên không còn trên máy chủ; hãy tải lên lại.",
    "The uploaded file is no longer on the server; upload it again.",
)


@dataclass
class Round:
    timers: int = 0
    sent: int = 0
    failed: int = 0
    imports: int = 0
    daily: int = 0  # units whose resident figures were counted

    def __add__(self, other: "Round") -> "Round":
        return Round(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def __str__(self) -> str:
        return (
            f"timers fired: {self.timers}, messages sent: {self.sent}, failed attempts: {self.failed}, "
            f"imports run: {self.imports}, units counted: {self.daily}"
        )


class AlreadyRunning(Exception):
    """Another worker holds the SQLite database's worker lock."""


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def fire_due_timers(stop: threading.Event | None = None, limit: int | None = None) -> int:
    """Fire every due timer, one case per transaction. A case whose firing raises is logged and
    tried again after TIMER_RETRY, so it cannot hold up the others; a busy database ends the
    round (the next round tries again)."""
    fired = 0
    while not _stopped(stop) and (limit is None or fired < limit):
        case_id = code = None
        try:
            with uow.command():
                case = commands.claim_due_case()
                if case is None:
                    break
                case_id, code = case.id, case.code
                commands.fire_timers(case)
            fired += 1
        except Conflict as exc:
            log.info("timers of case %s not fired now: %s", code, exc.message.en)
            break
        except Exception:
            if case_id is None:
                raise
            log.exception("firing the timers of case %s failed; retrying in %s", code, TIMER_RETRY)
            with uow.command():
                db.session.execute(
                    update(Case).where(Case.id == case_id).values(next_timer_at=clock.now() + TIMER_RETRY)
                )
    return fired


def deliver_due(batch: int = 50, stop: threading.Event | None = None) -> tuple[int, int]:
    """Send due messages, `batch` per transaction, until none is due. (sent, failed attempts)"""
    sent = failed = 0
    while not _stopped(stop):
        with uow.command():
            messages = outbox.claim_due(batch)
            for message in messages:
                if outbox.deliver(message):
                    sent += 1
                else:
                    failed += 1
        if len(messages) < batch:
            break
    return sent, failed


def run_queued_imports(stop: threading.Event | None = None) -> int:
    """Run queued resident imports, oldest first, one at a time. Uploads are imported here only,
    never on a thread of the web process."""
    done = 0
    while not _stopped(stop):
        query = select(ImportJob.id).where(ImportJob.status == "queued").order_by(ImportJob.id).limit(1)
        if db.session.get_bind().dialect.name == "postgresql":
            # Held until the import marks the job running (its first commit).
            query = query.with_for_update(skip_locked=True)
        job_id = db.session.scalar(query)
        if job_id is None:
            db.session.rollback()
            break
        job = db.session.get(ImportJob, job_id)
        if not import_jobs.upload_path(job).exists():
            _lost(job_id)
        else:
            log.info("running import %s left queued", job_id)
            import_jobs.run_upload(job_id)
        done += 1
    return done


def _lost(job_id: int) -> None:
    log.warning("import %s: uploaded file missing, marked failed", job_id)
    with uow.command():
        error = json.dumps({"vi": LOST_FILE.vi, "en": LOST_FILE.en}, ensure_ascii=False)
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status="failed", error=error, finished_at=clock.now())
        )


def daily_recount() -> int:
    """Once a local day, the first round after midnight: count today's resident figures (who
    must apply, level-2 eIDs activated) of every unit, so that no progress page waits for a
    province's count. One transaction; on PostgreSQL one worker does it (an advisory lock) and
    the others go on. Returns the units counted, 0 when today's figures are there."""
    if progress_figures.counted_today():
        db.session.rollback()
        return 0
    with uow.command():
        if db.session.get_bind().dialect.name == "postgresql":
            if not db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": DAILY_LOCK}):
                return 0  # another worker is counting
            if progress_figures.counted_today():  # it finished just before we took the lock
                return 0
        started = time.perf_counter()
        units = progress_figures.recount_residents()
    log.info("resident figures of %s units counted in %.1fs", units, time.perf_counter() - started)
    return units


def run_round(jobs: tuple[str, ...] = JOBS, batch: int = 50, stop: threading.Event | None = None) -> Round:
    """One round: timers first (their notifications are then sent in the same round)."""
    result = Round()
    if "timers" in jobs:
        result.timers = fire_due_timers(stop)
    if "outbox" in jobs:
        result.sent, result.failed = deliver_due(batch, stop)
    if "imports" in jobs:
        result.imports = run_queued_imports(stop)
    if "daily" in jobs and not _stopped(stop):
        result.daily = daily_recount()
    db.session.remove()  # no connection or snapshot kept open while sleeping
    return result


def run(
    stop: threading.Event,
    interval: float = 5.0,
    batch: int = 50,
    jobs: tuple[str, ...] = JOBS,
    once: bool = False,
    report=None,
) -> Round:
    """Rounds until `stop` is set (or one round with `once`), sleeping `interval` seconds when a
    round found nothing to do. A failing round is logged and the next one tried."""
    total = Round()
    while not stop.is_set():
        started = time.perf_counter()
        try:
            result = run_round(jobs, batch, stop)
        except Exception:
            log.exception("worker round failed")
            db.session.remove()
            result = Round()
            if once:
                raise
        total = total + result
        if result or once:
            log.info("worker round in %.2fs: %s", time.perf_counter() - started, result)
            if report is not None:
                report(result)
        if once:
            break
        if not result:
            stop.wait(interval)
    return total


@contextmanager
def single_on_sqlite():
    """On SQLite, hold an exclusive lock file beside the database for the worker's lifetime;
    AlreadyRunning if another process holds it. Nothing on PostgreSQL."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield None
        return
    import fcntl  # POSIX; the worker is deployed on Linux

    path = Path(url.database).with_name(Path(url.database).name + ".worker.lock")
    handle = open(path, "a+")  # noqa: SIM115 (held for the lifetime of the context)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise AlreadyRunning(
                f"another worker (pid {holder}) already runs on {url.database}; SQLite takes one "
                "worker (several need PostgreSQL)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield path
    finally:
        handle.close()  # closing releases the lock
