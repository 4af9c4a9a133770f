"""Portraits: JPEG or PNG checked by content, size-limited, stored once by SHA-256 outside the
database, served only to those who may see the case; the web upload and the API PUT."""

import hashlib
import io
from pathlib import Path

import pytest
import schemathesis
from PIL import Image
from schemathesis.config import SchemathesisConfig
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.support.api import Api, snapshot
from tests.support.cases import CLEAN, DOB, case, do, start, task_of
from tests.support.web import HTMX, login
from webapp.models import Attachment, CaseEvent, db
from webapp.services.cases import portraits, tasks
from webapp.services.errors import Conflict, Forbidden, Invalid
from webapp.services.uow import command
from webapp.views.api import openapi


def image(fmt="JPEG", size=(300, 400), color=(200, 170, 150)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


JPEG = image()
PNG = image("PNG", color=(10, 20, 30))


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    """Files of this test go to a directory of its own."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def at_biometrics(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    return code


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows() -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Attachment).order_by(Attachment.id)))


def put(world, code: str, data: bytes) -> Attachment:
    with command():
        attachment, _new = portraits.upload(world.police, case(code), data)
    return attachment


# --- the service -------------------------------------------------------------------------------


def test_a_jpeg_is_stored_under_its_hash_with_an_attachment_row(world, uploads, at_biometrics):
    attachment = put(world, at_biometrics, JPEG)
    sha = hashlib.sha256(JPEG).hexdigest()
    assert (attachment.sha256, attachment.content_type, attachment.size) == (sha, "image/jpeg", len(JPEG))
    assert attachment.kind == "portrait" and attachment.created_by_id == world.police.id
    assert files(uploads) == [f"portraits/{sha[:2]}/{sha}.jpg"]  # no temporary file left behind
    assert (uploads / files(uploads)[0]).read_bytes() == JPEG


def test_the_same_content_is_stored_once(world, uploads, at_biometrics):
    first = put(world, at_biometrics, JPEG)
    again = put(world, at_biometrics, JPEG)
    assert again.id == first.id and len(rows()) == 1
    other = start(world.police, world.resident())
    put(world, other, JPEG)  # another case, the same bytes: a second row, still one file
    assert len(rows()) == 2 and len(files(uploads)) == 1
    put(world, at_biometrics, PNG)  # a retake becomes the case's portrait
    assert portraits.latest(case(at_biometrics)).content_type == "image/png" and len(files(uploads)) == 2


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"this is not an image at all", "not a valid JPEG or PNG"),
        (b"", "not a valid JPEG or PNG"),
        (JPEG[: len(JPEG) // 2], "not a valid JPEG or PNG"),  # truncated: the header alone is fine
        (image("GIF"), "not a valid JPEG or PNG"),
        (image("BMP"), "not a valid JPEG or PNG"),
        (image(size=(40, 40)), "each side must be 100 to 4000"),
        (image("PNG", size=(5000, 300)), "each side must be 100 to 4000"),
    ],
    ids=["text", "empty", "truncated-jpeg", "gif", "bmp", "too-small", "too-wide"],
)
def test_anything_but_a_reasonable_jpeg_or_png_is_refused_and_nothing_stored(
    world, uploads, at_biometrics, data, rule
):
    with pytest.raises(Invalid) as caught, command():
        portraits.upload(world.police, case(at_biometrics), data)
    assert rule in caught.value.fields["portrait"][0].en
    assert rows() == [] and files(uploads) == []


def test_a_photo_over_the_limit_is_refused(app, world, uploads, at_biometrics, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", len(JPEG) - 1)
    with pytest.raises(portraits.TooLarge) as caught, command():
        portraits.upload(world.police, case(at_biometrics), JPEG)
    assert caught.value.status == 413 and "at most" in caught.value.fields["portrait"][0].en
    assert rows() == [] and files(uploads) == []


def test_only_intake_police_in_scope_take_a_portrait_and_only_at_intake(world, uploads, at_biometrics):
    with pytest.raises(Forbidden), command():
        portraits.upload(world.approval, case(at_biometrics), JPEG)
    at_justice = start(world.police, world.resident())
    do(world.police, at_justice, "verify_application", DOB)
    # Biometrics captured at the same visit; the case now waits only for the justice office.
    do(world.police, at_justice, "capture_biometrics", {"fingerprints": "ok"})
    with pytest.raises(Conflict), command():
        portraits.upload(world.police, case(at_justice), JPEG)
    assert rows() == [] and files(uploads) == []


def test_completing_biometrics_records_the_portrait(world, uploads, at_biometrics):
    attachment = put(world, at_biometrics, JPEG)
    do(world.police, at_biometrics, "capture_biometrics", {"fingerprints": "ok"})
    detail = db.session.scalar(
        db.select(CaseEvent.detail).where(
            CaseEvent.action == "completed", CaseEvent.step == "capture_biometrics"
        )
    )
    assert detail["portrait"] == attachment.sha256


def test_a_deployment_may_require_the_portrait(app, world, uploads, at_biometrics, monkeypatch):
    monkeypatch.setitem(app.config, "PORTRAIT_REQUIRED", True)
    with pytest.raises(Invalid) as caught, command():
        tasks.complete(
            world.police, task_of(at_biometrics, "capture_biometrics").id, {"fingerprints": "exception"}
        )
    assert "No portrait yet" in caught.value.fields["portrait"][0].en
    assert case(at_biometrics).current_steps == "capture_biometrics"
    put(world, at_biometrics, PNG)
    assert do(world.police, at_biometrics, "capture_biometrics", {"fingerprints": "ok"}).current_steps == (
        "approve_application"
    )


# --- the web -----------------------------------------------------------------------------------


def upload(client, code: str, data: bytes, filename: str, htmx=False):
    task = task_of(code, "capture_biometrics")
    # Encoded here: the test client spools a large body to a file it does not close.
    boundary, body = encode_multipart({"portrait": FileStorage(io.BytesIO(data), filename)})
    return client.post(
        f"/tasks/{task.id}/portrait",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=HTMX if htmx else {},
    )


def test_the_task_page_takes_a_portrait_and_shows_it(app, world, uploads, at_biometrics):
    police = login(app.test_client(), "police_a")
    task = task_of(at_biometrics, "capture_biometrics")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'hx-encoding="multipart/form-data"' in page
    assert "Chưa có ảnh chân dung" in page and 'accept="image/jpeg,image/png"' in page
    response = upload(police, at_biometrics, JPEG, "anh.jpg")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{task.id}")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f"/cases/{at_biometrics}/portrait" in page
    shown = police.get(f"/cases/{at_biometrics}/portrait")
    assert shown.status_code == 200 and shown.data == JPEG and shown.mimetype == "image/jpeg"
    assert (
        shown.headers["Cache-Control"] == "no-store" and shown.headers["X-Content-Type-Options"] == "nosniff"
    )
    assert f"/cases/{at_biometrics}/portrait" in police.get(f"/cases/{at_biometrics}").get_data(as_text=True)


def test_htmx_upload_answers_the_portrait_panel(app, world, uploads, at_biometrics):
    police = login(app.test_client(), "police_a")
    response = upload(police, at_biometrics, PNG, "anh.png", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<article id="portrait-panel"')
    assert "<html" not in body and "image/png" in body


def test_a_png_named_jpg_is_a_png(app, world, uploads, at_biometrics):
    police = login(app.test_client(), "police_a")
    assert upload(police, at_biometrics, PNG, "chan-dung.jpg").status_code == 303
    (row,) = rows()
    assert row.content_type == "image/png" and files(uploads)[0].endswith(".png")
    assert police.get(f"/cases/{at_biometrics}/portrait").mimetype == "image/png"


def test_a_non_image_named_jpg_is_refused_by_its_content(app, world, uploads, at_biometrics):
    police = login(app.test_client(), "police_a")
    response = upload(police, at_biometrics, b"%PDF-1.4 not a photo", "anh.jpg")
    assert response.status_code == 422
    assert "không phải ảnh JPEG hoặc PNG hợp lệ" in response.get_data(as_text=True)
    htmx = upload(police, at_biometrics, b"%PDF-1.4 not a photo", "anh.jpg", htmx=True)
    assert htmx.status_code == 200 and 'role="alert"' in htmx.get_data(as_text=True)
    assert rows() == [] and files(uploads) == []


def test_an_oversized_upload_says_the_limit_beside_the_file_input(app, world, uploads, at_biometrics):
    police = login(app.test_client(), "police_a")
    over_photo_limit = image("PNG", size=(500, 500)) + b"\0" * app.config["PHOTO_MAX_BYTES"]
    response = upload(police, at_biometrics, over_photo_limit, "anh.png", htmx=True)
    assert response.status_code == 200 and "tối đa 512 KB" in response.get_data(as_text=True)
    over_request_limit = b"\xff" * (app.config["MAX_CONTENT_LENGTH"] + 1)  # refused unread
    response = upload(police, at_biometrics, over_request_limit, "anh.jpg", htmx=True)
    assert response.status_code == 200 and "Ảnh quá lớn: tối đa 512 KB" in response.get_data(as_text=True)
    assert upload(police, at_biometrics, over_request_limit, "anh.jpg").status_code == 422
    assert rows() == [] and files(uploads) == []


def test_an_upload_without_a_file_says_so(app, world, uploads, at_biometrics):
    police = login(app.test_client(), "police_a")
    task = task_of(at_biometrics, "capture_biometrics")
    response = police.post(f"/tasks/{task.id}/portrait", data={}, headers=HTMX)
    assert response.status_code == 200 and "Chọn một tệp ảnh" in response.get_data(as_text=True)


def test_out_of_scope_is_404_for_the_portrait_and_the_upload(app, world, uploads, at_biometrics):
    put(world, at_biometrics, JPEG)
    other = login(app.test_client(), "police_b")
    assert other.get(f"/cases/{at_biometrics}/portrait").status_code == 404
    assert upload(other, at_biometrics, PNG, "anh.png").status_code == 404
    assert len(rows()) == 1
    # a department that can see the case sees the portrait
    approval = login(app.test_client(), "approval")
    assert approval.get(f"/cases/{at_biometrics}/portrait").data == JPEG
    police = login(app.test_client(), "police_a")
    fresh = start(world.police, world.resident())
    assert police.get(f"/cases/{fresh}/portrait").status_code == 404  # no portrait yet


def test_a_required_portrait_missing_at_completion_is_shown_in_the_form(
    app, world, uploads, at_biometrics, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTRAIT_REQUIRED", True)
    police = login(app.test_client(), "police_a")
    task = task_of(at_biometrics, "capture_biometrics")
    response = police.post(
        f"/tasks/{task.id}", data={"fingerprints": "ok", "version": case(at_biometrics).version}, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Chưa có ảnh chân dung: tải ảnh lên" in body
    assert case(at_biometrics).current_steps == "capture_biometrics"


# --- the API ------------------------------------------------------------------------------------


class PortraitApi(Api):
    """Also checks each answer against the OpenAPI document."""

    def __init__(self, app):
        super().__init__(app)
        self.schema = schemathesis.openapi.from_dict(openapi.document(), config=SchemathesisConfig())

    def put_portrait(self, code: str, user, data: bytes, content_type: str | None):
        headers = {"Accept-Language": "en", **({"Content-Type": content_type} if content_type else {})}
        response = self.put(f"/cases/{code}/portrait", user, data=data, headers=headers)
        documented = openapi.document()["paths"]["/cases/{code}/portrait"]["put"]["responses"]
        assert str(response.status_code) in documented, response.status_code
        self.schema["/cases/{code}/portrait"]["PUT"].validate_response(response)
        return response


@pytest.fixture
def api(app):
    return PortraitApi(app)


def test_api_put_stores_the_portrait(api, world, uploads, at_biometrics):
    response = api.put_portrait(at_biometrics, world.police, JPEG, "image/jpeg")
    sha = hashlib.sha256(JPEG).hexdigest()
    assert response.status_code == 201
    assert response.get_json() == {"sha256": sha, "content_type": "image/jpeg", "size": len(JPEG)}
    again = api.put_portrait(at_biometrics, world.police, JPEG, "image/jpeg")
    assert again.status_code == 200 and again.get_json()["sha256"] == sha and len(rows()) == 1
    assert api.put_portrait(at_biometrics, world.police, PNG, "image/png").status_code == 201


@pytest.mark.parametrize(
    ("data", "content_type", "status", "field", "rule"),
    [
        (JPEG, "text/plain", 415, "Content-Type", "image/jpeg or image/png"),
        (JPEG, None, 415, "Content-Type", "image/jpeg or image/png"),
        (image("GIF"), "image/gif", 415, "Content-Type", "image/jpeg or image/png"),
        (b"not an image", "image/jpeg", 422, "portrait", "not a valid JPEG or PNG"),
        (PNG, "image/jpeg", 422, "portrait", "a PNG image, not image/jpeg as declared"),
        (JPEG, "image/png", 422, "portrait", "a JPEG image, not image/png as declared"),
    ],
)
def test_api_put_refuses_what_is_not_the_declared_image(
    api, world, uploads, at_biometrics, data, content_type, status, field, rule
):
    api.token(world.police)  # issued before the snapshot
    before = snapshot()
    response = api.put_portrait(at_biometrics, world.police, data, content_type)
    error = response.get_json()["error"]
    assert response.status_code == status and rule in error["fields"][field][0]
    assert snapshot() == before and files(uploads) == []


def test_api_put_over_the_limit_is_413(api, app, world, uploads, at_biometrics, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1000)
    response = api.put_portrait(at_biometrics, world.police, JPEG, "image/jpeg")
    assert response.status_code == 413 and "portrait" in response.get_json()["error"]["fields"]
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    huge = api.put_portrait(
        at_biometrics, world.police, b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1), "image/png"
    )
    assert huge.status_code == 413 and rows() == []


def test_api_put_scope_role_and_state(api, world, uploads, at_biometrics):
    assert api.put_portrait(at_biometrics, world.police_b, JPEG, "image/jpeg").status_code == 404
    assert api.put_portrait("HS-0000-000000", world.police, JPEG, "image/jpeg").status_code == 404
    assert api.put_portrait(at_biometrics, world.approval, JPEG, "image/jpeg").status_code == 403
    assert api.put_portrait(at_biometrics, None, JPEG, "image/jpeg").status_code == 401
    at_justice = start(world.police, world.resident())
    do(world.police, at_justice, "verify_application", DOB)
    do(world.police, at_justice, "capture_biometrics", {"fingerprints": "ok"})  # only justice left
    assert api.put_portrait(at_justice, world.police, JPEG, "image/jpeg").status_code == 409
    assert rows() == [] and files(uploads) == []
