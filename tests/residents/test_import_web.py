"""The import pages: who may use them, the upload (size limit, file type, CSRF), the job page whose
progress polls itself until the import is done, the rejected-rows report, the list of jobs."""

import io
import re
import threading

import pytest
from flask_babel import refresh
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.support.imports import count_residents, csv_bytes, job, person
from tests.support.web import HTMX, login
from webapp.models import ImportJob, db
from webapp.services import uow, worker
from webapp.services.accounts import users
from webapp.services.residents import import_jobs

POLL = 'hx-trigger="every 1s"'


# Uploaded files of each test in its own folder (tests/support/imports.py).
pytestmark = pytest.mark.usefixtures("upload_dir")


@pytest.fixture
def client(app):
    return app.test_client()


def upload(client, content: bytes, name: str = "residents.csv", **kw):
    # Encoded in memory: the test client would spool a large body to a temporary file that it
    # never closes when the app refuses the body unread (the 413).
    fields = MultiDict({"file": FileStorage(io.BytesIO(content), filename=name), **kw})
    boundary, body = encode_multipart(fields)
    return client.post(
        "/residents/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def wait_done(job_id: int) -> ImportJob:
    """The upload only queues the job: nothing imports it until the background worker's round
    (run here, as `flask worker` would)."""
    db.session.rollback()
    assert job(job_id).status == "queued"
    assert not [t for t in threading.enumerate() if t.name.startswith("import-")]
    worker.run_queued_imports()
    db.session.rollback()  # a fresh snapshot
    return job(job_id)


def job_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ImportJob))


def job_id_of(response) -> int:
    return int(re.search(r"/residents/imports/(\d+)$", response.headers["Location"]).group(1))


# --- who may use the pages ---------------------------------------------------------------------


def test_signed_out_visitors_go_to_the_login_page(world, client):
    for url in ("/residents/imports/", "/residents/imports/1", "/residents/imports/1/report.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert upload(client, csv_bytes([person()])).status_code == 302
    assert job_count() == 0


@pytest.mark.parametrize("username", ["police_a", "justice_a", "approval", "supervisor", "production"])
def test_roles_that_do_not_import_get_403_and_nothing_is_saved(world, client, username, upload_dir):
    login(client, username)
    assert client.get("/residents/imports/").status_code == 403
    assert upload(client, csv_bytes([person()])).status_code == 403
    assert client.get("/residents/imports/sample.csv").status_code == 403
    assert job_count() == 0 and count_residents() == 0
    assert not any(upload_dir.glob("imports/*"))


def test_a_role_that_may_not_import_is_refused_before_its_body_is_read(world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024 * 1024)
    login(client, "police_a")
    assert upload(client, b"x" * (2 * 1024 * 1024)).status_code == 403  # not 413: never read


def test_the_page_shows_the_form_the_format_and_an_empty_list(world, client):
    login(client, "lead_a")
    page = client.get("/residents/imports/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'accept=".csv,.xlsx"' in page
    assert "personal_id, old_id_number, full_name" in page
    assert "Chưa có lần nhập nào" in page
    with client.get("/residents/imports/sample.csv") as sample:
        assert sample.status_code == 200 and sample.get_data().startswith(b"personal_id,old_id_number")
    with client.get("/residents/imports/sample.xlsx") as sample:
        assert sample.get_data()[:4] == b"PK\x03\x04"
    assert client.get("/residents/imports/sample.txt").status_code == 404


# --- upload, progress, report ------------------------------------------------------------------


def test_an_upload_is_imported_in_the_background_and_its_page_stops_polling(world, client, upload_dir):
    login(client, "lead_a")
    bad = person(sex="x", personal_id="037190700001")
    response = upload(client, csv_bytes([person(), bad, person()]))
    assert response.status_code == 303
    job_id = job_id_of(response)
    assert (upload_dir / "imports" / f"{job_id}.csv").exists()
    done = wait_done(job_id)
    assert (done.status, done.rows, done.created, done.rejected) == ("done", 3, 2, 1)
    assert (done.created_by_id, done.unit_id) == (world.lead.id, world.commune_a.id)
    page = client.get(f"/residents/imports/{job_id}").get_data(as_text=True)
    assert "residents.csv" in page and "lead_a" in page and "Hoàn tất" in page
    assert POLL not in page
    assert "037190700001" in page and "Giới tính phải là male hoặc female." in page
    fragment = client.get(f"/residents/imports/{job_id}", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in body and POLL not in body
    with client.get(f"/residents/imports/{job_id}/report.csv") as report:
        assert report.status_code == 200 and report.mimetype == "text/csv"
        lines = report.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "row,personal_id,field,reason_vi,reason_en"
    assert lines[1].startswith("3,037190700001,sex,")
    listing = client.get("/residents/imports/").get_data(as_text=True)
    assert f'href="/residents/imports/{job_id}"' in listing


def test_a_running_job_polls_every_second(world, client):
    with uow.command():
        running = import_jobs.create_job(world.lead, "big.csv", 1000)
        running.status, running.read_bytes, running.rows = "running", 250, 40
    login(client, "lead_a")
    body = client.get(f"/residents/imports/{running.id}", headers=HTMX).get_data(as_text=True)
    assert POLL in body and 'hx-swap="outerHTML"' in body
    assert 'value="250" max="1000"' in body and "25%" in body
    with uow.command():
        running.status = "queued"
        running.rows = 0
    body = client.get(f"/residents/imports/{running.id}", headers=HTMX).get_data(as_text=True)
    assert POLL in body and "Đang kiểm tra toàn bộ tệp" in body


def test_a_failed_file_says_why_in_the_page_language(world, client):
    login(client, "lead_a")
    response = upload(client, b"hello,world\r\n1,2\r\n")
    done = wait_done(job_id_of(response))
    assert done.status == "failed"
    page = client.get(f"/residents/imports/{done.id}").get_data(as_text=True)
    assert "Dòng tiêu đề không đúng định dạng" in page and "Không có dòng nào được ghi." in page
    client.post("/lang/en")
    refresh()  # the test's app context outlives requests: forget the locale it cached
    page = client.get(f"/residents/imports/{done.id}").get_data(as_text=True)
    assert "The header row does not match the format" in page
    assert count_residents() == 0


def test_the_wrong_file_type_or_no_file_is_refused_beside_the_field(world, client, upload_dir):
    login(client, "lead_a")
    response = upload(client, csv_bytes([person()]), name="residents.txt")
    assert response.status_code == 422
    assert "Chỉ nhận tệp .csv hoặc .xlsx." in response.get_data(as_text=True)
    response = client.post("/residents/imports/", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Hãy chọn một tệp." in response.get_data(as_text=True)
    assert job_count() == 0 and not any(upload_dir.glob("imports/*"))


def test_an_oversized_upload_is_a_413_with_a_clear_message(world, client, app, upload_dir, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2 * 1024 * 1024)
    login(client, "lead_a")
    big = csv_bytes([person()]) + b"x" * (3 * 1024 * 1024)
    response = upload(client, big)
    assert response.status_code == 413
    assert "Tệp lớn hơn 2 MB, không nhận." in response.get_data(as_text=True)
    assert job_count() == 0 and not any(upload_dir.glob("imports/*"))


def test_the_upload_limit_is_raised_for_this_view_only(world, client, app):
    """A 1.5 MB file passes here while the app-wide limit (1 MB) still holds elsewhere."""
    login(client, "lead_a")
    rows = [person() for _ in range(11_000)]
    content = csv_bytes(rows)
    assert 1024 * 1024 < len(content) < app.config["IMPORT_MAX_BYTES"]
    response = upload(client, content)
    assert response.status_code == 303
    done = wait_done(job_id_of(response))
    assert (done.status, done.created) == ("done", 11_000)
    elsewhere = client.post("/login", data={"username": "x" * (1100 * 1024)})
    assert elsewhere.status_code == 413


def test_the_upload_form_checks_its_csrf_token(world, client, app, monkeypatch, upload_dir):
    login(client, "lead_a")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = upload(client, csv_bytes([person()]))
    assert refused.status_code == 422 and job_count() == 0
    page = client.get("/residents/imports/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = upload(client, csv_bytes([person()]), csrf_token=token)
    assert accepted.status_code == 303
    assert wait_done(job_id_of(accepted)).status == "done"


# --- scope and the list ------------------------------------------------------------------------


def test_jobs_are_seen_in_the_uploaders_subtree_only(world, client):
    with uow.command():
        lead_b = users.create("lead_b", "police_lead", "13301", "secret-pass-1", "Lead B")
        mine = import_jobs.create_job(world.lead, "a.csv", 1)
        theirs = import_jobs.create_job(lead_b, "b.csv", 1)
        system = import_jobs.create_job(None, "cli.csv", 1)
    login(client, "lead_a")
    assert client.get(f"/residents/imports/{mine.id}").status_code == 200
    for other in (theirs.id, system.id, 999999):
        assert client.get(f"/residents/imports/{other}").status_code == 404
        assert client.get(f"/residents/imports/{other}/report.csv").status_code == 404
    listing = client.get("/residents/imports/").get_data(as_text=True)
    assert "a.csv" in listing and "b.csv" not in listing and "cli.csv" not in listing
    login(client, "admin")
    listing = client.get("/residents/imports/").get_data(as_text=True)
    assert all(name in listing for name in ("a.csv", "b.csv", "cli.csv"))
    assert "dòng lệnh" in listing  # the command line's jobs have no uploader
    with uow.command():
        users.create("admin_hn", "admin", "01", "secret-pass-1", "Admin HN")
    login(client, "admin_hn")  # an administrator of another province sees none of Ninh Bình's
    listing = client.get("/residents/imports/").get_data(as_text=True)
    assert "a.csv" not in listing and "b.csv" not in listing
    assert client.get(f"/residents/imports/{mine.id}").status_code == 404


def test_the_list_pages_by_twenty_newest_first(world, client):
    with uow.command():
        for i in range(25):
            import_jobs.create_job(world.lead, f"file-{i:02d}.csv", 1)
    login(client, "lead_a")
    first = client.get("/residents/imports/").get_data(as_text=True)
    assert "file-24.csv" in first and "file-05.csv" in first and "file-04.csv" not in first
    assert "Trang 1 / 2" in first and "?page=2" in first
    second = client.get("/residents/imports/?page=2", headers=HTMX)
    body = second.get_data(as_text=True)
    assert "<html" not in body and "file-04.csv" in body and "file-05.csv" not in body
    beyond = client.get("/residents/imports/?page=9").get_data(as_text=True)
    assert "Trang này không có lần nhập nào." in beyond
