"""The listing pages in the browser's terms: the page, htmx fragments, inline changes, errors."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.support.cases import start
from tests.support.web import HTMX, login
from webapp.models import Resident, db
from webapp.services.uow import command


@pytest.fixture
def police(app, world):
    return login(app.test_client(), "police_a")


def resident(world, name="Nguyễn Văn Ánh", born=date(1990, 5, 17), household=None, unit=None) -> Resident:
    pid = world.resident(name=name, born=born, unit=unit)
    found = db.session.scalar(select(Resident).where(Resident.personal_id == pid))
    if household:
        with command():
            found.household_id = household
    return found


def reload(r: Resident) -> Resident:
    db.session.expire_all()
    return db.session.get(Resident, r.id)


def test_the_page_lists_who_must_apply_in_the_officer_s_commune(world, police):
    anh = resident(world)
    resident(world, name="Bé Na", born=date(2020, 1, 1))  # under 14: not listed
    resident(world, name="Lê Thị Hoa", unit=world.commune_b)  # another commune
    response = police.get("/listing/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rà soát dân cư" in page and "Phường Hoa Lư" in page
    assert "Nguyễn Văn Ánh" in page and anh.personal_id in page and "Cấp mới (từ 14 tuổi)" in page
    assert "Bé Na" not in page and "Lê Thị Hoa" not in page
    assert "Chưa rà soát: 1" in page and "Đã nộp hồ sơ: 0 / 1" in page


def test_filters_answer_htmx_with_the_results_block_and_live_in_the_url(world, police):
    resident(world)
    hoa = resident(world, name="Lê Thị Hoa")
    start(world.police, hoa.personal_id)
    response = police.get("/listing/?q=le thi hoa&applied=yes", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "<table" in body
    assert "HX-Request" in response.headers["Vary"]
    assert "Lê Thị Hoa" in body and "Nguyễn Văn Ánh" not in body and "HS-" in body
    assert "Nguyễn Văn Ánh" in police.get("/listing/?applied=no").get_data(as_text=True)


def test_empty_states_say_why(world, police):
    assert "chưa có công dân nào phải làm thẻ" in police.get("/listing/").get_data(as_text=True)
    resident(world)
    assert "Không có công dân nào khớp bộ lọc" in police.get("/listing/?q=zzz").get_data(as_text=True)


def test_a_status_changes_inline_without_a_reload(world, police):
    anh = resident(world)
    editor = police.get(f"/listing/residents/{anh.id}/edit", headers=HTMX)
    body = editor.get_data(as_text=True)
    assert editor.status_code == 200 and "<html" not in body and 'name="status"' in body
    assert body.lstrip().startswith(f'<tr id="resident-{anh.id}-edit"')
    saved = police.post(
        f"/listing/residents/{anh.id}/status",
        data={"status": "home_visit", "note": "Bị liệt, cần đến nhà", "listed_at": ""},
        headers=HTMX,
    )
    row = saved.get_data(as_text=True)
    assert saved.status_code == 200 and row.lstrip().startswith(f'<tr id="resident-{anh.id}"')
    assert "Cần đến tận nhà" in row and "Bị liệt, cần đến nhà" in row and "police_a" in row
    assert reload(anh).listing_status == "home_visit"
    cancel = police.get(f"/listing/residents/{anh.id}", headers=HTMX).get_data(as_text=True)
    assert cancel.lstrip().startswith(f'<tr id="resident-{anh.id}"') and "Cần đến tận nhà" in cancel


def test_a_bad_change_comes_back_in_the_form_with_the_field_s_error(world, police):
    anh = resident(world)
    fragment = police.post(f"/listing/residents/{anh.id}/status", data={"status": "deceased"}, headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert "Hãy đánh dấu xác nhận" in body and 'aria-invalid="true"' in body
    page = police.post(f"/listing/residents/{anh.id}/status", data={"status": "away", "away_unit": "99999"})
    assert page.status_code == 422 and "Không tìm thấy đơn vị “99999”" in page.get_data(as_text=True)
    after = reload(anh)
    assert (after.listing_status, after.status, after.listed_at) == ("not_visited", "alive", None)


def test_without_javascript_the_change_redirects_back_to_the_listing(world, police):
    anh = resident(world)
    edit_page = police.get(f"/listing/residents/{anh.id}/edit?back=/listing/%3Fstatus%3Daway")
    assert edit_page.status_code == 200 and "<html" in edit_page.get_data(as_text=True)
    response = police.post(
        f"/listing/residents/{anh.id}/status",
        data={"status": "away", "away_unit": "13301", "back": "/listing/?status=away"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/listing/?status=away"
    assert (reload(anh).listing_status, reload(anh).away_unit_id) == ("away", world.commune_b.id)
    assert "Đã cập nhật tình trạng rà soát." in police.get("/listing/?status=away").get_data(as_text=True)
    evil = police.post(
        f"/listing/residents/{anh.id}/status", data={"status": "away", "back": "https://evil.example/"}
    )
    assert evil.headers["Location"] == "/listing/"


def test_a_change_on_a_stale_row_is_a_409(world, police):
    anh = resident(world)
    seen = police.get(f"/listing/residents/{anh.id}/edit", headers=HTMX)
    assert 'name="listed_at" value=""' in seen.get_data(as_text=True)
    other = login(police.application.test_client(), "police_a2")
    assert (
        other.post(
            f"/listing/residents/{anh.id}/status", data={"status": "away", "listed_at": ""}
        ).status_code
        == 303
    )
    stale = police.post(
        f"/listing/residents/{anh.id}/status", data={"status": "home_visit", "listed_at": ""}, headers=HTMX
    )
    assert stale.status_code == 409 and "Cán bộ khác vừa cập nhật" in stale.get_data(as_text=True)
    assert reload(anh).listing_status == "away"


def test_a_household_changes_at_once(world, police):
    a = resident(world, household="HK-1")
    b = resident(world, name="Trần Thị Bích", household="HK-1")
    page = police.get("/listing/?household=HK-1").get_data(as_text=True)
    assert "Cập nhật cả hộ" in page and "Đang xem hộ HK-1" in page
    response = police.post(
        "/listing/households/status",
        data={"household": "HK-1", "status": "away", "note": "Vào Nam"},
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and "<html" not in body and "Đã cập nhật 2 người trong hộ HK-1." in body
    )
    assert {reload(a).listing_status, reload(b).listing_status} == {"away"}
    bad = police.post("/listing/households/status", data={"household": "HK-1", "status": "booked"})
    assert bad.status_code == 422 and "do lịch hẹn tự ghi" in bad.get_data(as_text=True)
    plain = police.post("/listing/households/status", data={"household": "HK-1", "status": "home_visit"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/listing/?household=HK-1"


def test_only_listers_within_their_scope(app, world, police):
    elsewhere = resident(world, unit=world.commune_b)
    assert police.get("/listing/?unit=13301").status_code == 404
    assert police.get("/listing/?unit=37").status_code == 404
    assert police.get(f"/listing/residents/{elsewhere.id}/edit").status_code == 404
    assert (
        police.post(f"/listing/residents/{elsewhere.id}/status", data={"status": "away"}).status_code == 404
    )
    assert (
        police.post(
            "/listing/households/status", data={"unit": "13301", "household": "x", "status": "away"}
        ).status_code
        == 404
    )
    justice = login(app.test_client(), "justice_a")
    assert justice.get("/listing/").status_code == 403
    assert (
        justice.post(f"/listing/residents/{elsewhere.id}/status", data={"status": "away"}).status_code == 403
    )
    admin = login(app.test_client(), "admin")
    page = admin.get("/listing/?unit=13301").get_data(as_text=True)
    assert "Xã Gia Viễn" in page and elsewhere.personal_id in page
    own = admin.get("/listing/").get_data(as_text=True)  # a province: choose a commune first
    assert "chọn một xã, phường của Ninh Bình" in own and elsewhere.personal_id not in own
    assert '<option value="13301"' in own and "/listing/coverage?unit=37" in own
    anonymous = app.test_client().get("/listing/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert reload(elsewhere).listing_status == "not_visited"


def test_the_page_in_english(world, police):
    resident(world)
    police.post("/lang/en")
    from flask_babel import refresh

    refresh()
    page = police.get("/listing/").get_data(as_text=True)
    assert "Door-to-door listing" in page and "New card (from 14)" in page and "Not visited" in page


def test_the_filtered_list_downloads_whole_as_csv_and_xlsx(world, police, monkeypatch):
    import csv
    import io

    from openpyxl import load_workbook

    from webapp.services.residents import listing

    monkeypatch.setattr(listing, "PER_PAGE", 1)  # the file has every page
    anh = resident(world, household="HO-1")
    hoa = resident(world, name="Lê Thị Hoa", household="HO-1")
    resident(world, name="Trần Văn Bình")  # another household: filtered out
    start(world.police, hoa.personal_id)
    response = police.get("/listing/?household=HO-1&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Công dân", "Số định danh", "Ngày sinh"]
    by_id = {r[1]: r for r in rows[1:]}
    assert set(by_id) == {anh.personal_id, hoa.personal_id}
    assert by_id[anh.personal_id][5] == "Cấp mới (từ 14 tuổi)" and by_id[anh.personal_id][6] == ""
    assert by_id[hoa.personal_id][6].startswith("HS-")  # her case
    assert by_id[anh.personal_id][7] == "Chưa rà soát"
    response = police.get("/listing/?format=xlsx")
    data = response.get_data()
    response.close()
    assert load_workbook(io.BytesIO(data)).active.max_row == 4  # header and three residents
    assert police.get("/listing/?format=doc").status_code == 404
