"""Resident file imports: recent jobs, the upload form, a job's page whose progress polls itself
while the background worker imports the file, the rejected-rows report and the sample files.

The upload is the one request body allowed over the app-wide 1 MB: the view raises the limit to
IMPORT_MAX_BYTES for itself before the form is read. CSRFProtect would read the form earlier,
under the 1 MB limit, so this one view is exempt from it and its FlaskForm checks the token."""

import logging

from flask import Blueprint, abort, current_app, redirect, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ...config import ROOT
from ...forms.imports import ImportForm
from ...i18n import message
from ...services import access, uow
from ...services.accounts import access_log
from ...services.residents import import_jobs
from ...web import allow, csrf, render

log = logging.getLogger(__name__)
bp = Blueprint("imports", __name__, url_prefix="/residents/imports")

PER_PAGE = 20
FORM_ROOM = 64 * 1024  # the multipart envelope and the CSRF token around the file
STATUSES = {
    "queued": _l("Đang chờ"),
    "running": _l("Đang nhập"),
    "done": _l("Hoàn tất"),
    "failed": _l("Không nhập được"),
}
SAMPLES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/")
@allow(access.IMPORT_RESIDENTS)
def index():
    return _index(ImportForm(formdata=None))


@bp.post("/")
@allow(access.IMPORT_RESIDENTS)
@csrf.exempt
def upload():
    if not access.can_import_residents(current_user):
        abort(403)  # before the body is read: only importers may send a large one
    limit = current_app.config["IMPORT_MAX_BYTES"]
    request.max_content_length = limit + FORM_ROOM
    try:
        form = ImportForm()
        valid = form.validate_on_submit()
        if valid:
            with uow.command():
                upload = form.file.data
                job = import_jobs.save_upload(current_user, upload.filename or "", upload.stream, limit)
    except RequestEntityTooLarge:
        return _too_large(limit)
    except import_jobs.TooLarge as exc:
        return _too_large(limit, message(exc.message))
    except import_jobs.FileProblem as exc:  # an XLSX archive past the unpacking limits
        form.file.errors = [message(exc.message)]
        return _index(form, status=422)
    if not valid:
        return _index(form, status=422)
    # The background worker (services/worker.py) imports it; the job page polls its progress.
    return redirect(url_for("imports.detail", job_id=job.id), 303)


@bp.get("/<int:job_id>")
@allow(access.IMPORT_RESIDENTS)
def detail(job_id: int):
    job = import_jobs.get_job(current_user, job_id)
    names = import_jobs.uploader_names([job])
    return render(
        "imports/detail.html",
        block="progress",
        job=job,
        uploader=names.get(job.created_by_id),
        problem=import_jobs.error_message(job),
        statuses=STATUSES,
    )


@bp.get("/<int:job_id>/report.csv")
@allow(access.IMPORT_RESIDENTS)
def report(job_id: int):
    job = import_jobs.get_job(current_user, job_id)
    path = import_jobs.report_path(job)
    if not path.exists():
        abort(404)
    with uow.command():  # the rejected rows, with the file's personal data
        access_log.exported(current_user, f"import-{job.id}-rejected", job.rejected)
    return send_file(
        path, mimetype="text/csv", as_attachment=True, download_name=f"import-{job.id}-rejected.csv"
    )


@bp.get("/sample.<ext>")
@allow(access.IMPORT_RESIDENTS)
def sample(ext: str):
    if ext not in SAMPLES:
        abort(404)
    if not access.can_import_residents(current_user):
        abort(403)
    path = ROOT / "docs" / "samples" / f"residents.{ext}"
    return send_file(path, mimetype=SAMPLES[ext], as_attachment=True, download_name=f"residents.{ext}")


def _index(form: ImportForm, status: int = 200, page: int | None = None):
    page = max(request.args.get("page", 1, type=int), 1) if page is None else page
    jobs, total = import_jobs.list_jobs(current_user, page, PER_PAGE)
    return render(
        "imports/index.html",
        block="jobs",
        status=status,
        form=form,
        jobs=jobs,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        names=import_jobs.uploader_names(jobs),
        max_mb=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024),
        statuses=STATUSES,
    )


def _too_large(limit: int, text: str | None = None):
    form = ImportForm(formdata=None)
    mb = limit // (1024 * 1024)
    form.file.errors = [text or message(import_jobs.too_large_message(limit))]
    log.info("%s: upload over %s MB refused", current_user.username, mb)
    return _index(form, status=413, page=1)
