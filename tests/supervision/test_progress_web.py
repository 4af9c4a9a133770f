"""The progress pages in the browser's terms: figures with Vietnamese numbers, drill-down,
scope, the quota form, the diagram, the daily report and the files."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.support.cases import CLEAN, DOB, do, finish_from_biometrics, start
from tests.support.vneid import in_every_status
from tests.support.web import login
from webapp.models import Unit, db
from webapp.services.supervision import progress
from webapp.services.uow import command


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def campaign(world):
    """Commune A: one card handed over, one file at the justice office; commune B: one file at
    intake. Quota of the province: 8."""
    w = world
    issued = start(w.police, w.resident())
    do(w.police, issued, "verify_application", CLEAN)
    finish_from_biometrics(w, issued)
    at_justice = start(w.police, w.resident())
    do(w.police, at_justice, "verify_application", DOB)
    do(w.police, at_justice, "capture_biometrics", {"fingerprints": "ok"})  # at the same visit
    start(w.police_b, w.resident(unit=w.commune_b))
    with command():
        progress.set_quota(w.supervisor, "37", "8")
    return w


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_province_page_shows_figures_with_their_parts(campaign, client):
    login(client, "supervisor")
    page = client.get("/progress/?unit=37")
    assert page.status_code == 200
    body = text_of(page)
    assert "Tiến độ: Ninh Bình" in body
    assert "3 / 8 = 37,5%" in body  # applied / quota, Vietnamese decimal comma
    assert "Phường Hoa Lư" in body and "Xã Gia Viễn" in body
    assert 'href="/progress/?unit=13300"' in body
    assert "chưa đặt" in body  # the communes have no quota
    # The forecast: 3 applications this week, 5 to go at 3/7 a day.
    assert "khoảng 12 ngày" in body
    # The chart and its table alternative.
    assert "<svg" in body and "pg-line pg-applied" in body and "Bảng số liệu theo ngày" in body
    # The diagram with its counts in a data attribute.
    counts = re.search(r'data-counts="([^"]*)"', page.get_data(as_text=True)).group(1)
    assert json.loads(counts.replace("&#34;", '"')) == {
        "verify_application": 1,
        "call_civil_status_correction": 1,
    }


def test_english_numbers(campaign, client):
    login(client, "supervisor")
    client.post("/lang/en")
    body = text_of(client.get("/progress/?unit=37"))
    assert "3 / 8 = 37.5%" in body and "Progress" in body


def test_drill_down_to_a_commune_with_its_breadcrumb(campaign, client):
    login(client, "supervisor")
    body = text_of(client.get("/progress/?unit=13300"))
    assert '<a href="/progress/?unit=37">Ninh Bình</a>' in body
    assert '<span aria-current="page">Phường Hoa Lư</span>' in body
    assert "Tiến độ: Phường Hoa Lư" in body


def test_scope_and_roles(campaign, client):
    login(client, "lead_a")
    assert client.get("/progress/").status_code == 200  # their own commune
    assert client.get("/progress/?unit=37").status_code == 404
    assert client.get("/progress/?unit=13301").status_code == 404
    assert client.get("/progress/report?unit=37").status_code == 404
    assert client.get("/progress/?unit=37&format=csv").status_code == 404
    login(client, "supervisor")
    assert client.get("/progress/?unit=00004").status_code == 404
    login(client, "police_a")
    assert client.get("/progress/").status_code == 403
    assert client.get("/progress/diagram.bpmn").status_code == 403
    client.post("/logout")
    assert client.get("/progress/").status_code == 302


def test_the_nav_link_is_for_leads_supervisors_and_admins(campaign, client):
    login(client, "supervisor")
    assert 'href="/progress/"' in text_of(client.get("/"))
    login(client, "police_a")
    assert 'href="/progress/"' not in text_of(client.get("/"))


def test_no_cases_and_no_quota_are_said_plainly(world, client):
    login(client, "supervisor")
    body = text_of(client.get("/progress/?unit=37"))
    assert "Đơn vị này chưa có hồ sơ nào." in body
    assert "Chưa đặt chỉ tiêu cho đơn vị này." in body
    assert "Chưa có chỉ tiêu: không dự báo được." in body
    assert "Chưa có hồ sơ nào qua các khâu trong 30 ngày qua." in body
    assert "Không có hồ sơ nào đang chờ ở bước nào." in body


def test_zero_pace_says_the_quota_is_not_reached(world, client):
    with command():
        progress.set_quota(world.supervisor, "37", "10")
    login(client, "supervisor")
    assert "không đạt được" in text_of(client.get("/progress/?unit=37"))


def test_setting_a_quota(campaign, client):
    login(client, "supervisor")
    response = client.post("/progress/quota?unit=13300", data={"quota": "1.000"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/progress/?unit=13300")
    db.session.expire_all()
    assert db.session.scalar(select(Unit.quota).where(Unit.code == "13300")) == 1000
    assert "2 / 1.000 = 0,2%" in text_of(client.get("/progress/?unit=13300"))


def test_a_bad_quota_is_shown_with_its_rule_and_changes_nothing(campaign, client):
    login(client, "supervisor")
    response = client.post("/progress/quota?unit=37", data={"quota": "-5"})
    assert response.status_code == 422
    body = text_of(response)
    assert "Chỉ tiêu phải là số nguyên từ 0 đến 100.000.000" in body
    assert 'value="-5"' in body and 'aria-invalid="true"' in body
    db.session.expire_all()
    assert db.session.scalar(select(Unit.quota).where(Unit.code == "37")) == 8


def test_leads_see_no_quota_form_and_cannot_post_one(campaign, client):
    login(client, "lead_a")
    assert 'name="quota"' not in text_of(client.get("/progress/"))
    assert client.post("/progress/quota?unit=13300", data={"quota": "5"}).status_code == 403
    login(client, "supervisor")
    assert client.post("/progress/quota?unit=00004", data={"quota": "5"}).status_code == 404


def test_the_diagram_xml_is_served_to_readers(campaign, client):
    login(client, "supervisor")
    main = client.get("/progress/diagram.bpmn")
    assert main.status_code == 200 and main.mimetype == "application/xml"
    assert b'id="call_civil_status_correction"' in main.data
    assert b'id="triage_correction"' in client.get("/progress/diagram.bpmn?process=justice").data
    assert client.get("/progress/diagram.bpmn?process=other").status_code == 404


def test_the_units_table_as_csv(campaign, client):
    login(client, "supervisor")
    response = client.get("/progress/?unit=37&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Mã đơn vị", "Đơn vị", "Phải làm thẻ", "Đã nộp"]
    assert [r[:4] for r in rows[1:]] == [
        ["13300", "Phường Hoa Lư", "2", "2"],
        ["13301", "Xã Gia Viễn", "1", "1"],
        ["37", "Ninh Bình", "3", "3"],  # the unit's own total last
    ]
    assert client.get("/progress/?unit=37&format=pdf").status_code == 404
    commune = client.get("/progress/?unit=13301&format=csv").get_data(as_text=True).lstrip("\ufeff")
    assert [r[:4] for r in csv.reader(io.StringIO(commune))][1:] == [["13301", "Xã Gia Viễn", "1", "1"]]


def test_the_daily_report_page_and_file(campaign, client):
    login(client, "supervisor")
    page = text_of(client.get("/progress/report?unit=37"))
    assert "Báo cáo tiến độ ngày" in page and "Tổng Ninh Bình" in page
    assert "+2" in page and "3 / 8 = 37,5%" in page

    response = client.get("/progress/report?unit=37&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=bao-cao-ngay-37-")
    data = response.data
    response.close()
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    col = {name: n for n, name in enumerate(header)}
    by_code = {r[col["Mã đơn vị"]]: r for r in rows[1:]}
    assert set(by_code) == {"13300", "13301", "37"}
    a, total = by_code["13300"], by_code["37"]
    assert (a[col["Đã nộp"]], a[col["Đang ở Tư pháp"]], a[col["Đã trả thẻ"]]) == (2, 1, 1)
    assert (
        a[col["Nộp hồ sơ trong ngày"]],
        a[col["Chuyển Tư pháp trong ngày"]],
        a[col["Trả thẻ trong ngày"]],
    ) == (2, 1, 1)
    assert (total[col["Đã nộp"]], total[col["Chỉ tiêu"]], total[col["Tỷ lệ đạt chỉ tiêu (%)"]]) == (
        3,
        8,
        37.5,
    )
    assert total[col["Nộp hồ sơ trong ngày"]] == 3


def test_the_backlog_as_a_file(campaign, client):
    login(client, "supervisor")
    response = client.get("/progress/backlog?unit=37&format=csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Bước", "Bộ phận", "Hồ sơ đang chờ"]
    assert rows[1:] == [
        ["Tiếp nhận, đối chiếu hồ sơ", "Công an xã/phường", "1"],
        ["Xác định thủ tục hộ tịch", "Tư pháp – Hộ tịch", "1"],
    ]


def test_each_backlog_step_leads_to_its_stuck_cases(campaign, client):
    login(client, "supervisor")
    body = client.get("/progress/?unit=37").get_data(as_text=True)
    assert 'href="/stuck/?unit=37&amp;step=triage_correction"' in body


def test_a_recount_of_the_residents(campaign, client):
    login(client, "supervisor")
    assert "2 / 2 = 100,0%" in text_of(client.get("/progress/?unit=13300"))  # applied / must apply
    campaign.resident()
    assert "2 / 2 = 100,0%" in text_of(client.get("/progress/?unit=13300"))  # counted once a day
    response = client.post("/progress/recount?unit=13300")
    assert response.status_code == 303 and response.headers["Location"].endswith("/progress/?unit=13300")
    assert "2 / 3 = 66,7%" in text_of(client.get("/progress/?unit=13300"))
    login(client, "lead_a")
    assert client.post("/progress/recount?unit=13300").status_code == 403
    assert "Đếm lại ngay" not in text_of(client.get("/progress/"))


def test_the_report_takes_a_day_or_a_period_and_refuses_a_bad_one(campaign, client):
    from datetime import timedelta

    from webapp.services import clock

    login(client, "supervisor")
    today = clock.today_local()
    week = text_of(client.get(f"/progress/report?unit=37&from={today - timedelta(days=6)}&to={today}"))
    assert f"từ {today - timedelta(days=6):%d/%m/%Y} đến {today:%d/%m/%Y}" in week and "+2" in week
    yesterday = today - timedelta(days=1)
    before = text_of(client.get(f"/progress/report?unit=37&from={yesterday}&to={yesterday}"))
    assert f"ngày {yesterday:%d/%m/%Y}" in before and "+2" not in before
    bad = text_of(client.get(f"/progress/report?unit=37&from={today}&to={yesterday}"))
    assert "Khoảng ngày không hợp lệ" in bad and f"ngày {today:%d/%m/%Y}" in bad
    future = text_of(client.get(f"/progress/report?unit=37&from={today + timedelta(days=1)}"))
    assert "Khoảng ngày không hợp lệ" in future


# --- VNeID level 2 for chip-card holders in the files and the report ---------------------------

FIGURE_HEADERS = [
    "Mã đơn vị",
    "Đơn vị",
    "Phải làm thẻ",
    "Đã nộp",
    "Đang ở Tư pháp",
    "Đã duyệt",
    "Đã sản xuất",
    "Đã trả thẻ",
    "ĐDĐT mức 2 đã kích hoạt",
    "Chỉ tiêu",
    "Tỷ lệ đạt chỉ tiêu (%)",
]
DAY_HEADERS = [
    "Nộp hồ sơ trong ngày",
    "Chuyển Tư pháp trong ngày",
    "Phê duyệt trong ngày",
    "Sản xuất thẻ trong ngày",
    "Trả thẻ trong ngày",
    "Kích hoạt ĐDĐT trong ngày",
]
VNEID_HEADERS = [
    f"Định danh điện tử mức 2 cho người đã có thẻ: {figure}"
    for figure in ("đã đề nghị", "đã kích hoạt", "đang xử lý", "không thực hiện được")
]
# in_every_status(): 6 requested, 1 activated, 3 in progress, 2 that could not be done, all in A.
VNEID_CELLS = [["13300", "6", "1", "3", "2"], ["13301", "0", "0", "0", "0"], ["37", "6", "1", "3", "2"]]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_units_file_ends_with_the_vneid_line(campaign, client):
    """The page's VNeID line per unit, after the columns that were there (which keep their
    places); a commune without requests has zeros, not empty cells."""
    in_every_status(campaign)
    login(client, "supervisor")
    rows = csv_rows(client.get("/progress/?unit=37&format=csv"))
    assert rows[0] == FIGURE_HEADERS + VNEID_HEADERS
    assert [r[:1] + r[len(FIGURE_HEADERS) :] for r in rows[1:]] == VNEID_CELLS
    commune = csv_rows(client.get("/progress/?unit=13301&format=csv"))
    assert commune[1][len(FIGURE_HEADERS) :] == ["0", "0", "0", "0"]
    client.post("/lang/en")
    english = csv_rows(client.get("/progress/?unit=37&format=csv"))[0][len(FIGURE_HEADERS) :]
    assert english == [
        f"VNeID level 2 for card holders: {figure}"
        for figure in ("requested", "activated", "in progress", "could not be done")
    ]


def test_the_daily_report_ends_with_the_vneid_line(campaign, client):
    in_every_status(campaign)
    login(client, "supervisor")
    rows = csv_rows(client.get("/progress/report?unit=37&format=csv"))
    assert rows[0] == FIGURE_HEADERS + DAY_HEADERS + VNEID_HEADERS  # after the day's columns
    start = len(FIGURE_HEADERS) + len(DAY_HEADERS)
    assert [r[:1] + r[start:] for r in rows[1:]] == VNEID_CELLS
    assert [r[:4] for r in rows[1:]] == [  # the figures before them unchanged
        ["13300", "Phường Hoa Lư", "2", "2"],
        ["13301", "Xã Gia Viễn", "1", "1"],
        ["37", "Ninh Bình", "3", "3"],
    ]
    page = text_of(client.get("/progress/report?unit=37"))
    section = page[page.index('id="report-vneid"') :]
    assert "Định danh điện tử mức 2 cho người đã có thẻ" in section
    assert 'Phường Hoa Lư <small class="muted">13300</small></td> <td class="num">6</td>' in section
    assert '<td class="num">1</td> <td class="num">3</td> <td class="num">2</td>' in section
    assert 'Xã Gia Viễn <small class="muted">13301</small></td> <td class="num">0</td>' in section
    assert 'Tổng Ninh Bình</th> <td class="num">6</td>' in section
