"""Importing a resident file (docs/resident-import.md): every row is checked whole against the
rules the API applies (rows.py), valid rows are written in batches, one transaction each,
through INSERT ... ON CONFLICT (personal_id) DO UPDATE (upsert.py), and every rejected row
goes to a report (row, field, reason). A problem with the whole file (encoding, columns, no rows)
is found before anything is written and fails the job.

The job row (ImportJob) carries the progress the web page polls. `run` is the whole import of one
job, run by the background worker (services/worker.py) for an upload, or by a CLI command; never
on a thread of the web process.
"""

import json
import logging
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select, update

from ...models import ImportJob, Unit, UnitCrosswalk, User, db
from .. import access, clock, uow
from ..errors import Forbidden, Msg, NotFound, ServiceError
from ..scope import subtree
from .files import ArchiveLimits, FileProblem, Layout, check_archive, kind_of, open_rows, scan
from .import_batches import Batch, Checker, Writer
from .upsert import Upsert

log = logging.getLogger(__name__)

NOT_IMPORTER = Msg(
    "Vai trò của bạn không nhập được dữ liệu dân cư.", "Your role may not import resident files."
)
NO_JOB = Msg("Không có lần nhập này.", "No such import.")
FAILED = Msg(
    "Lỗi hệ thống khi nhập; các lô đã ghi trước đó được giữ lại.",
    "A system error stopped the import; the batches written before it are kept.",
)


# --- files and jobs ------------------------------------------------------------------------


def import_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(job: ImportJob) -> Path:
    """Where an uploaded file is kept: named by the job, with the file's own extension."""
    suffix = ".xlsx" if job.filename.lower().endswith(".xlsx") else ".csv"
    return import_dir() / f"{job.id}{suffix}"


def report_path(job: ImportJob) -> Path:
    return report_path_for(job.id)


def report_path_for(job_id: int) -> Path:
    return import_dir() / f"{job_id}-report.csv"


def create_job(actor: User | None, filename: str, total_bytes: int) -> ImportJob:
    """A queued job; `actor` None is the system (the command line: no scope limit)."""
    if actor is not None and not access.can_import_residents(actor):
        raise Forbidden(NOT_IMPORTER)
    job = ImportJob(
        filename=filename[-255:],
        total_bytes=total_bytes,
        status="queued",
        report=[],
        created_by_id=actor.id if actor else None,
        unit_id=actor.unit_id if actor else None,
    )
    db.session.add(job)
    db.session.flush()
    return job


def _visible(user: User):
    """Jobs a user may see: those of their unit's subtree; an administrator also the command
    line's (no unit). Nobody sees another subtree's jobs."""
    query = select(ImportJob).outerjoin(Unit, Unit.id == ImportJob.unit_id)
    in_scope = subtree(Unit.path, user.unit.path)
    if user.role == "admin":
        return query.where(in_scope | ImportJob.unit_id.is_(None))
    return query.where(in_scope)


def list_jobs(user: User, page: int, per_page: int) -> tuple[list[ImportJob], int]:
    if not access.can_import_residents(user):
        raise Forbidden(NOT_IMPORTER)
    query = _visible(user)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(ImportJob.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def uploader_names(jobs: list[ImportJob]) -> dict[int, str]:
    """User id -> username of whoever uploaded these jobs (the command line has none)."""
    ids = {job.created_by_id for job in jobs if job.created_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def get_job(user: User, job_id: int) -> ImportJob:
    """The job, or NotFound when it is missing or outside the user's scope."""
    if not access.can_import_residents(user):
        raise Forbidden(NOT_IMPORTER)
    job = db.session.scalar(_visible(user).where(ImportJob.id == job_id))
    if job is None:
        raise NotFound(NO_JOB)
    return job


def error_message(job: ImportJob) -> Msg | None:
    """Why a job failed, in both languages (stored as JSON in `error`)."""
    if not job.error:
        return None
    try:
        data = json.loads(job.error)
        return Msg(data["vi"], data["en"])
    except (ValueError, KeyError, TypeError):
        return Msg(job.error, job.error)


class TooLarge(ServiceError):
    code, status = "too_large", 413


def archive_limits() -> ArchiveLimits:
    config = current_app.config
    return ArchiveLimits(config["IMPORT_XLSX_MAX_UNPACKED_BYTES"], config["IMPORT_XLSX_MAX_RATIO"])


def save_upload(actor: User, filename: str, stream: BinaryIO, max_bytes: int) -> ImportJob:
    """Copy an uploaded file under UPLOAD_DIR/imports/ (by chunks, never whole in memory) and
    queue its job for the background worker. Over `max_bytes`: TooLarge; an XLSX archive past the
    unpacking limits: FileProblem (its directory is read, nothing unpacked); either way nothing is
    kept."""
    if not access.can_import_residents(actor):
        raise Forbidden(NOT_IMPORTER)
    fd, part = tempfile.mkstemp(dir=import_dir(), prefix="upload-", suffix=".part")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(too_large_message(max_bytes))
                out.write(chunk)
        if size and kind_of(Path(part)) == "xlsx":
            check_archive(Path(part), archive_limits())
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "residents.csv"
        job = create_job(actor, name, size)
        os.replace(part, upload_path(job))
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    log.info("%s uploaded %s (%s bytes) as import %s", actor.username, name, size, job.id)
    return job


def too_large_message(max_bytes: int) -> Msg:
    mb = max_bytes // (1024 * 1024)
    return Msg(f"Tệp lớn hơn {mb} MB, không nhận.", f"The file is larger than {mb} MB and was refused.")


def run_upload(job_id: int) -> ImportJob:
    """The import of an uploaded file, from its job id alone."""
    job = db.session.get(ImportJob, job_id)
    return run(job_id, upload_path(job))


# --- the import ----------------------------------------------------------------------------


def unit_codes() -> dict[str, int]:
    """Every code a file may name -> unit id: today's codes, and the older codes of the crosswalk
    (today's code wins where an old code is reused)."""
    codes = dict(db.session.execute(select(UnitCrosswalk.old_code, UnitCrosswalk.unit_id)).all())
    codes.update(db.session.execute(select(Unit.code, Unit.id)).all())
    return codes


def _allowed_units(actor: User | None) -> set[int] | None:
    """Unit ids the importer may write to; None is everywhere (system, administrator)."""
    if actor is None or actor.role == "admin":
        return None
    return set(db.session.scalars(select(Unit.id).where(subtree(Unit.path, actor.unit.path))))


Progress = Callable[[dict], None]


def run(job_id: int, path: Path, progress: Progress | None = None) -> ImportJob:
    """Import the file of a queued job; returns the finished job (done or failed). Whoever created
    the job sets the scope (None: the system). `progress` gets the counts after every batch. Never
    raises for a bad file."""
    job = db.session.get(ImportJob, job_id)
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    with uow.command():
        job.status = "running"
        job.total_bytes = total = path.stat().st_size
    try:
        if actor is not None and not access.can_import_residents(actor):
            raise FileProblem(NOT_IMPORTER)
        layout = scan(path, archive_limits())
        _import(job_id, actor, path, layout, total, progress)
        _finish(job_id, "done", None)
    except FileProblem as exc:
        log.info("import %s refused: %s", job_id, exc.message.en)
        _finish(job_id, "failed", exc.message)
    except Exception:
        log.exception("import %s failed", job_id)
        db.session.rollback()
        _finish(job_id, "failed", FAILED)
    job = db.session.get(ImportJob, job_id)
    log.info(
        "import %s (%s) %s: %s rows, %s created, %s updated, %s rejected",
        job.id,
        job.filename,
        job.status,
        job.rows,
        job.created,
        job.updated,
        job.rejected,
    )
    return job


def _import(job_id: int, actor: User | None, path: Path, layout: Layout, total: int, progress) -> None:
    """Check rows here and write the batches on a second thread, one batch behind (see
    import_batches): at most two batches wait, so memory stays flat."""
    allowed = _allowed_units(actor)
    upsert = Upsert(clock.now())
    checker = Checker(layout, unit_codes(), allowed, upsert, clock.today_local())
    # End this session's read: an open snapshot would keep SQLite from checkpointing the WAL (and
    # leave PostgreSQL "idle in transaction") for the whole import.
    db.session.rollback()
    app = current_app._get_current_object()

    failed = threading.Event()

    def write(batch: Batch) -> None:
        if failed.is_set():  # after a failed batch nothing more is written
            return
        try:
            with app.app_context():  # the thread's own session and connection
                writer.write(batch)
        except BaseException:
            failed.set()
            raise

    with (
        open(report_path_for(job_id), "w", encoding="utf-8-sig", newline="") as report_file,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"import-{job_id}") as pool,
    ):
        writer = Writer(job_id, allowed, upsert, report_file, progress, total)
        pending: deque[Future] = deque()
        for number, cells, read_bytes in open_rows(path, layout):
            batch = checker.row(number, cells, read_bytes)
            if batch is not None:
                pending.append(pool.submit(write, batch))
                if len(pending) > 1:
                    pending.popleft().result()  # raises the writer's error here
        pending.append(pool.submit(write, checker.take(total)))
        while pending:
            pending.popleft().result()


def _finish(job_id: int, status: str, problem: Msg | None) -> None:
    with uow.command():
        values = {"status": status, "finished_at": clock.now()}
        if problem is not None:
            values["error"] = json.dumps({"vi": problem.vi, "en": problem.en}, ensure_ascii=False)
        db.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))
