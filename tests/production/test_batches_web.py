"""The batch pages: a lead makes and sends a dispatch batch, the centre sees it, an officer of
the unit receives a parcel by ticking the cards that arrived; lists and batches as CSV and XLSX."""

import csv
import io
import re

import pytest
from flask_babel import refresh
from openpyxl import load_workbook

from tests.support.api import snapshot
from tests.support.cases import approved
from tests.support.production import batch, cards, member_codes, parcels
from tests.support.web import HTMX, login
from webapp.services.production import batches, delivery
from webapp.services.uow import command


@pytest.fixture
def client(app):
    return app.test_client()


def flashes(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)
    ]


def test_a_lead_sees_the_ready_cases_makes_a_batch_and_sends_it(client, world):
    codes = sorted(approved(world) for _ in range(2))
    login(client, "lead_a")
    page = client.get("/batches/").get_data(as_text=True)
    assert "Hồ sơ đã duyệt chưa vào lô" in page and "Phường Hoa Lư" in page
    assert "Lập lô gửi sản xuất" in page
    made = client.post("/batches/", data={"unit": "13300"})
    assert made.status_code == 303 and made.headers["Location"].endswith("/batches/SX-13300-0001")
    detail = client.get("/batches/SX-13300-0001").get_data(as_text=True)
    assert "Đã lập lô SX-13300-0001" in " ".join(flashes(detail))
    assert all(c in detail for c in codes) and "Chờ sản xuất: 2" in detail
    assert "Gửi lô đi sản xuất" in detail
    sent = client.post("/batches/SX-13300-0001/send")
    assert sent.status_code == 303
    detail = client.get("/batches/SX-13300-0001").get_data(as_text=True)
    assert "Đã gửi lô SX-13300-0001 đi sản xuất." in flashes(detail)
    assert "Gửi lô đi sản xuất" not in detail and "Đã gửi sản xuất" in detail
    page = client.get("/batches/").get_data(as_text=True)
    assert "Hồ sơ đã duyệt chưa vào lô" not in page and "SX-13300-0001" in page


def test_nothing_to_batch_says_so_and_changes_nothing(client, world):
    login(client, "lead_a")
    before = snapshot()
    response = client.post("/batches/", data={"unit": "13300"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["Đơn vị không có hồ sơ đã duyệt nào chưa vào lô."]
    other = client.post("/batches/", data={"unit": "13301"})
    page = client.get(other.headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["Không có đơn vị này trong phạm vi của bạn."]
    assert snapshot() == before


def test_an_officer_receives_the_ticked_cards_of_a_parcel(client, world):
    codes = sorted(approved(world) for _ in range(3))
    with command():
        code = batches.create_dispatch(world.lead, "13300", send=True).code
    delivery.record_cards(world.production, code, cards(*codes))
    (parcel,) = parcels()
    login(client, "police_a")
    page = client.get("/batches/").get_data(as_text=True)  # officers land on the parcels
    assert parcel.code in page and "Đang chuyển về" in page and "0 / 3" in page
    detail = client.get(f"/batches/{parcel.code}").get_data(as_text=True)
    assert detail.count('name="case"') == 3 and detail.count("checked") >= 3
    response = client.post(f"/batches/{parcel.code}/receive", data={"case": codes[:2]})
    assert response.status_code == 303
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(detail) == ["Đã nhận 2 thẻ về đơn vị."]
    assert detail.count('name="case"') == 1 and "Đã nhận: 2" in detail and "Chờ nhận thẻ: 1" in detail
    response = client.post(f"/batches/{parcel.code}/receive", data={"case": codes}, headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith(parcel.code)
    detail = client.get(f"/batches/{parcel.code}").get_data(as_text=True)
    assert flashes(detail) == ["Đã nhận 1 thẻ về đơn vị.", "2 thẻ đã được nhận từ trước."]
    assert "Không còn thẻ nào của lô chờ nhận." in detail and "Đã nhận đủ" in detail
    assert batch(parcel.code).status == "received"


def test_receiving_without_ticking_anything_changes_nothing(client, world):
    code = approved(world)
    with command():
        dispatch = batches.create_dispatch(world.lead, "13300", send=True).code
    delivery.record_cards(world.production, dispatch, cards(code))
    (parcel,) = parcels()
    login(client, "police_a")
    before = snapshot()
    response = client.post(f"/batches/{parcel.code}/receive", data={})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["Chọn ít nhất một thẻ đã nhận."]
    response = client.post(f"/batches/{parcel.code}/receive", data={"case": ["HS-2026-999999"]})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["Không thuộc lô: HS-2026-999999."]
    assert snapshot() == before


def test_the_centre_sees_sent_batches_only(client, world):
    approved(world)
    with command():
        open_code = batches.create_dispatch(world.lead, "13300").code
    approved(world, unit=world.commune_b, police=world.police_b)
    with command():
        sent = batches.create_dispatch(world.admin, "13301", send=True).code
    login(client, "production")
    page = client.get("/batches/").get_data(as_text=True)
    assert sent in page and open_code not in page
    assert "Hồ sơ đã duyệt chưa vào lô" not in page and "Lập lô gửi sản xuất" not in page
    assert client.get(f"/batches/{open_code}").status_code == 404
    detail = client.get(f"/batches/{sent}").get_data(as_text=True)
    assert "Gửi lô đi sản xuất" not in detail and 'name="case"' not in detail


@pytest.mark.parametrize(
    ("username", "index", "detail", "send", "receive"),
    [
        ("justice_a", 403, 403, 403, 403),
        ("approval", 403, 403, 403, 403),
        # The route's role gate comes before the scope: a role that never sends gets 403
        # (whatever the batch, so nothing is revealed); one that receives, 404 out of scope.
        ("police_b", 200, 404, 403, 404),
        ("police_hn", 200, 404, 403, 404),
        ("police_a", 200, 200, 403, 303),  # a dispatch batch is not received: said in a flash
        ("supervisor", 200, 200, 403, 403),
    ],
)
def test_who_may_open_and_act_on_a_batch(client, world, username, index, detail, send, receive):
    code = approved(world)
    with command():
        dispatch = batches.create_dispatch(world.lead, "13300").code
    login(client, username)
    before = snapshot()
    assert client.get("/batches/").status_code == index
    assert client.get(f"/batches/{dispatch}").status_code == detail
    assert client.post(f"/batches/{dispatch}/send").status_code == send
    assert client.post(f"/batches/{dispatch}/receive", data={"case": [code]}).status_code == receive
    assert snapshot() == before


def test_a_police_officer_may_not_make_a_batch(client, world):
    approved(world)
    login(client, "police_a")
    page = client.get("/batches/?kind=dispatch").get_data(as_text=True)
    assert "Hồ sơ đã duyệt chưa vào lô" in page and "Lập lô gửi sản xuất" not in page
    before = snapshot()
    assert client.post("/batches/", data={"unit": "13300"}).status_code == 403
    assert snapshot() == before


def test_filters_live_in_the_url_and_htmx_gets_the_results_only(client, world):
    approved(world)
    with command():
        batches.create_dispatch(world.lead, "13300")
    login(client, "supervisor")
    page = client.get("/batches/?kind=dispatch&status=open").get_data(as_text=True)
    assert "SX-13300-0001" in page and 'value="open" selected' in page
    fragment = client.get("/batches/?kind=dispatch&status=sent", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "SX-13300-0001" not in body
    assert "Không có lô nào khớp bộ lọc" in body and "HX-Request" in fragment.headers["Vary"]
    assert "Chưa có lô thẻ nào về đơn vị." in client.get("/batches/?kind=delivery").get_data(as_text=True)
    assert "SX-13300-0001" not in client.get("/batches/?kind=dispatch&unit=13301").get_data(as_text=True)
    assert "SX-13300-0001" in client.get("/batches/?kind=whatever&unit=13300").get_data(as_text=True)


def test_a_batch_and_the_list_as_csv_and_xlsx(client, world):
    codes = sorted(approved(world) for _ in range(2))
    with command():
        code = batches.create_dispatch(world.lead, "13300", send=True).code
    delivery.record_cards(world.production, code, cards(codes[0]))
    login(client, "lead_a")
    response = client.get(f"/batches/{code}?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"{code}-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Mã hồ sơ", "Số định danh", "Họ và tên", "Ngày sinh", "Đơn vị", "Số thẻ", "Tình trạng"]
    assert [(r[0], r[2], r[3], r[5], r[6]) for r in rows[1:]] == [
        (codes[0], "Nguyễn Thị Lan", "17/05/1990", f"C{codes[0][-6:]}", "Đã có thẻ"),
        (codes[1], "Nguyễn Thị Lan", "17/05/1990", "", "Chờ sản xuất"),
    ]
    with client.get(f"/batches/{code}?format=xlsx") as response:  # closing it closes the spooled file
        book = load_workbook(io.BytesIO(response.get_data()))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0][0] == "Mã hồ sơ" and [v[0] for v in values[1:]] == codes
    listed = client.get("/batches/?kind=dispatch&format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(listed)))
    assert rows[0][:4] == ["Mã lô", "Đơn vị", "Tên đơn vị", "Trạng thái"]
    assert rows[1][:4] == [code, "13300", "Phường Hoa Lư", "Đã gửi sản xuất"] and rows[1][5:7] == ["2", "1"]
    with client.get("/batches/?kind=dispatch&format=xlsx") as response:
        book = load_workbook(io.BytesIO(response.get_data()))
    assert list(book.active.iter_rows(values_only=True))[1][0] == code
    assert client.get(f"/batches/{code}?format=pdf").status_code == 404


def test_the_pages_speak_english_when_asked(client, world):
    code = approved(world)
    with command():
        dispatch = batches.create_dispatch(world.lead, "13300").code
    login(client, "lead_a")
    with client.session_transaction() as s:
        s["lang"] = "en"
    refresh()
    page = client.get(f"/batches/{dispatch}").get_data(as_text=True)
    assert "Send the batch for production" in page and "Waiting for production: 1" in page
    assert code in page
    assert "Production and delivery batches" in client.get("/batches/").get_data(as_text=True)
    assert member_codes(dispatch) == [code]


def test_a_page_number_past_any_list_is_an_empty_page_not_a_crash(client, world):
    login(client, "lead_a")
    response = client.get("/batches/?page=99999999999999999999")
    assert response.status_code == 200
