"""The cooperation pages over HTTP: send a request by picking a commune by name, the
receiving unit's queue, the answer, the listing's one-step "away" request."""

from sqlalchemy import select

from tests.support.web import HTMX, login
from webapp.models import Case, CooperationRequest, db
from webapp.services.residents.registry import get


def test_the_unit_picker_finds_a_commune_of_another_province_without_diacritics(app, world):
    client = login(app.test_client(), "police_a")
    html = client.get("/cooperation/units?q=ba dinh", headers=HTMX).get_data(as_text=True)
    assert '<option value="Phường Ba Đình · Hà Nội (00004)">' in html
    assert "Gia Viễn" not in html
    assert client.get("/cooperation/units?q=", headers=HTMX).get_data(as_text=True).strip() == ""


def test_a_request_sent_by_name_is_answered_by_the_other_province_and_seen_by_both(app, world):
    pid = world.resident()
    home = login(app.test_client(), "police_a")
    sent = home.post(
        "/cooperation/",
        data={
            "personal_id": pid,
            "kind": "take_application",
            "unit": "Phường Ba Đình · Hà Nội (00004)",
            "message": "Sinh viên",
        },
    )
    assert sent.status_code == 303
    [request] = db.session.scalars(select(CooperationRequest)).all()
    assert (
        home.get("/cooperation/?box=outgoing").get_data(as_text=True).count(f'id="request-{request.id}"') == 1
    )
    there = login(app.test_client(), "police_hn")
    queue = there.get("/cooperation/").get_data(as_text=True)
    assert f'id="request-{request.id}"' in queue and "Nguyễn Thị Lan" in queue
    page = there.get(f"/cooperation/{request.id}").get_data(as_text=True)
    assert "Trả lời đề nghị" in page and "Sinh viên" in page
    # The choice is a named group: a screen reader says what the radio buttons answer.
    assert "<legend>Kết quả thực hiện</legend>" in page
    missing = there.post(f"/cooperation/{request.id}/answer", data={"result": ""})
    assert missing.status_code == 422 and "Hãy chọn kết quả." in missing.get_data(as_text=True)
    answered = there.post(
        f"/cooperation/{request.id}/answer", data={"result": "done", "answer": "Đã thu nhận"}
    )
    assert answered.status_code == 303
    case = db.session.scalar(select(Case))
    assert case.unit.code == "00004"
    # The home unit's listing shows the case and the answer.
    listing = home.get("/listing/").get_data(as_text=True)
    assert case.code in listing and "Đã thực hiện" in listing and "Đã thu nhận" in listing
    # A third unit neither sees the request nor may answer it.
    third = login(app.test_client(), "police_b")
    assert third.get(f"/cooperation/{request.id}").status_code == 404
    assert third.post(f"/cooperation/{request.id}/answer", data={"result": "done"}).status_code == 404


def test_a_bad_request_form_keeps_what_was_typed_and_names_each_field(app, world):
    client = login(app.test_client(), "police_a")
    data = {"personal_id": "123", "kind": "take_application", "unit": "khong co xa nay", "message": ""}
    plain = client.post("/cooperation/", data=data)
    html = plain.get_data(as_text=True)
    assert plain.status_code == 422
    assert "Không có công dân với số định danh này." in html and "Hãy chọn đơn vị nhận" in html
    assert "Hãy ghi nội dung." in html and 'value="khong co xa nay"' in html
    htmx = client.post("/cooperation/", data=data, headers=HTMX)
    assert htmx.status_code == 200 and htmx.get_data(as_text=True).lstrip().startswith("<form")
    assert db.session.scalars(select(CooperationRequest)).all() == []


def test_the_listing_away_mark_with_ask_sends_the_request(app, world):
    pid = world.resident()
    resident = get(pid)
    client = login(app.test_client(), "police_a")
    response = client.post(
        f"/listing/residents/{resident.id}/status",
        data={"status": "away", "away_unit": "Phường Ba Đình · Hà Nội (00004)", "ask": "1", "listed_at": ""},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đề nghị số" in html and "Phường Ba Đình" in html
    [request] = db.session.scalars(select(CooperationRequest)).all()
    assert request.kind == "take_application" and request.to_unit.code == "00004"
    assert (
        login(app.test_client(), "police_hn")
        .get("/cooperation/")
        .get_data(as_text=True)
        .count("Nguyễn Thị Lan")
        == 1
    )


def test_roles_without_cooperation_get_403(app, world):
    client = login(app.test_client(), "justice_a")
    assert client.get("/cooperation/new").status_code == 403
    assert client.post("/cooperation/", data={"kind": "verify"}).status_code == 403
