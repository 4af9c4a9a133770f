"""An XLSX upload is a ZIP archive, checked before anything opens it: what it unpacks to in all
and how tightly one part is compressed are capped (config), so a zip bomb (136 KB that expands to
60 MB) is refused without being parsed. Uploads are imported by the background worker only."""

import io
import os
import zipfile

import openpyxl
import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from tests.support.paths import ROOT
from tests.support.web import login
from webapp.models import ImportJob, db
from webapp.services import worker
from webapp.services.residents import import_jobs
from webapp.services.uow import command

from .test_import_web import upload

SAMPLE = (ROOT / "docs" / "samples" / "residents.xlsx").read_bytes()


def zip_bomb() -> bytes:
    """The sample workbook whose sheet is 60 MB (a row, then blank space XML allows between tags,
    which deflates a thousandfold), padded with an incompressible picture to 136 KB."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>personal_id</t></is></c></row>'
        + b" " * 60_000_000
        + b"</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(SAMPLE)) as sample,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for part in sample.infolist():
            data = sheet if part.filename == "xl/worksheets/sheet1.xml" else sample.read(part)
            bomb.writestr(part.filename, data, compresslevel=9)
        bomb.writestr("xl/media/image1.png", os.urandom(136 * 1024 - out.tell() - 400), zipfile.ZIP_STORED)
    return out.getvalue()


BOMB = zip_bomb()


# Uploaded files of each test in its own folder (tests/support/imports.py).
pytestmark = pytest.mark.usefixtures("upload_dir")


@pytest.fixture
def never_parsed(monkeypatch):
    """openpyxl must not even open the workbook."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_the_bomb_is_what_the_issue_describes():
    with zipfile.ZipFile(io.BytesIO(BOMB)) as archive:
        unpacked = sum(p.file_size for p in archive.infolist())
    assert 130 * 1024 < len(BOMB) <= 137 * 1024 and 59_000_000 < unpacked < 61_000_000


def test_a_zip_bomb_upload_is_refused_before_anything_opens_it(app, world, upload_dir, never_parsed):
    client = login(app.test_client(), "lead_a")
    response = upload(client, BOMB, name="residents.xlsx")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "vượt giới hạn 100 lần" in body and "tệp không được mở" in body
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert list((upload_dir / "imports").iterdir()) == []  # nothing kept
    client.post("/lang/en")
    refresh()  # the test's app context outlives requests: forget the locale it cached
    body = upload(client, BOMB, name="residents.xlsx").get_data(as_text=True)
    assert "over the limit of 100 to 1" in body


def test_a_queued_bomb_fails_in_the_worker_without_being_parsed(world, never_parsed):
    """A file that reached the queue another way (the command line, an older upload)."""
    with command():
        job = import_jobs.create_job(world.lead, "residents.xlsx", len(BOMB))
    import_jobs.upload_path(job).write_bytes(BOMB)
    assert worker.run_queued_imports() == 1
    db.session.expire_all()
    failed = db.session.get(ImportJob, job.id)
    assert failed.status == "failed" and "over the limit of 100 to 1" in failed.error
    assert failed.rows == 0


def test_the_limits_come_from_the_config_and_the_error_names_them(app, world, monkeypatch, never_parsed):
    monkeypatch.setitem(app.config, "IMPORT_XLSX_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
    monkeypatch.setitem(app.config, "IMPORT_XLSX_MAX_RATIO", 10_000)
    client = login(app.test_client(), "lead_a")
    body = upload(client, BOMB, name="residents.xlsx").get_data(as_text=True)
    assert "Tệp XLSX giải nén ra 58 MB, vượt giới hạn 50 MB" in body


def test_a_real_workbook_passes_and_the_worker_imports_it(app, world):
    client = login(app.test_client(), "lead_a")
    response = upload(client, SAMPLE, name="residents.xlsx")
    assert response.status_code == 303
    db.session.rollback()
    (job,) = db.session.scalars(select(ImportJob)).all()
    assert job.status == "queued"  # the web process started nothing
    worker.run_queued_imports()
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).status == "done"
