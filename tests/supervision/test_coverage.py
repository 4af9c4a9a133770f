"""Coverage: applied / eligible per unit and per child unit, and the eligible figure of progress."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask_babel import refresh
from sqlalchemy import insert, select

from tests.support.api import Api
from tests.support.cases import start
from tests.support.web import login
from webapp.models import Resident, db
from webapp.services.errors import Forbidden, NotFound
from webapp.services.residents import eligibility
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.supervision import coverage, progress_figures
from webapp.services.uow import command

TODAY = date(2026, 6, 15)


@pytest.fixture
def today():
    with time_machine.travel(datetime(2026, 6, 15, 5, 0, tzinfo=UTC), tick=False):
        yield TODAY


@pytest.fixture
def client(app):
    return app.test_client()


def aged(years: int) -> date:
    return eligibility.years_before(TODAY, years) - timedelta(days=30)


def person(w, years: int, card="none", issued_at=None, **kw) -> Resident:
    born = aged(years)
    pid = w.resident(born=born, **kw)
    resident = db.session.scalar(select(Resident).where(Resident.personal_id == pid))
    with command():
        resident.card_state = card
        resident.card_issued_on = None if issued_at is None else born.replace(year=born.year + issued_at)
    return resident


@pytest.fixture
def campaign(world, today):
    """Commune A: 4 who must apply (2 applied), a child, a valid chip card, a deceased man;
    commune B: 2 who must apply, 1 applied and then got the new card."""
    a = [person(world, 30), person(world, 45, "cmnd"), person(world, 26, "chip", 20), person(world, 60)]
    person(world, 9)
    person(world, 35, "chip", 30)
    person(world, 70, status="deceased")
    b = [person(world, 20, unit=world.commune_b), person(world, 41, unit=world.commune_b)]
    for resident in (a[0], a[1]):
        start(world.police, resident.personal_id)
    start(world.police_b, b[0].personal_id)
    with command():  # issued: the card state moves on, the resident stays in the figure
        b[0].card_state, b[0].card_issued_on = "chip", TODAY
    return a, b


def test_coverage_of_a_province_and_its_communes(world, campaign):
    c = coverage.coverage(world.supervisor, None)
    assert (c.total.unit, c.total.applied, c.total.eligible) == (world.province, 3, 6)
    assert c.total.ratio == 0.5
    assert [(f.unit.code, f.applied, f.eligible) for f in c.children] == [("13300", 2, 4), ("13301", 1, 2)]
    assert c.trail == [world.province]
    commune = coverage.coverage(world.supervisor, "13301")
    assert (commune.total.applied, commune.total.eligible, commune.children) == (1, 2, [])
    assert commune.trail == [world.province, world.commune_b]
    assert coverage.coverage(world.police_b, None).trail == [world.commune_b]  # not the province above


def test_a_unit_without_residents_is_zero_over_zero(world, today):
    c = coverage.coverage(world.admin, "37")
    assert (c.total.applied, c.total.eligible, c.total.ratio) == (0, 0, None)
    assert [(f.unit.code, f.eligible) for f in c.children] == [("13300", 0), ("13301", 0)]


def test_deceased_and_withdrawn_do_not_count(world, campaign):
    a, _b = campaign
    with command():
        a[3].status = "deceased"
    c = coverage.coverage(world.police, None)
    assert (c.total.applied, c.total.eligible) == (2, 3)


def test_coverage_is_for_police_and_supervisors_within_their_scope(world, campaign):
    for user, code in (
        (world.police_b, "13300"),
        (world.police, "37"),
        (world.admin, "nope"),
        (world.outsider, "37"),
    ):
        with pytest.raises(NotFound):
            coverage.coverage(user, code)
    for user in (world.justice, world.approval, world.production):
        with pytest.raises(Forbidden):
            coverage.coverage(user, None)


def test_progress_counts_eligible_by_the_table(world, campaign, app):
    body = Api(app).get("/stats/progress", world.supervisor).get_json()
    # 4 + 2 by the rule and the applied; not the child, the valid chip card or the deceased
    # (the stand-in "alive and 14+" would have said 8).
    assert (body["eligible"], body["applied"]) == (6, 3)


def test_the_page_shows_the_figure_with_vietnamese_numbers_and_drills_down(world, today, client):
    rows = [
        {
            "personal_id": make_personal_id("037", 1990, "male", n),
            "full_name": f"Công dân {n}",
            "name_key": f"cong dan {n}",
            "birth_date": date(1990, 1, 1),
            "sex": "male",
            "permanent_unit_id": world.commune_a.id if n % 3 else world.commune_b.id,
        }
        for n in range(1, 1235)
    ]
    with command():
        db.session.execute(insert(Resident), rows)
    for n in (1, 2):
        start(world.police, make_personal_id("037", 1990, "male", n))
    login(client, "supervisor")
    page = client.get("/listing/coverage").get_data(as_text=True)
    assert "2 / 1.234 = 0,2%" in page
    assert "Ninh Bình" in page and "/listing/coverage?unit=13300" in page
    commune = client.get("/listing/coverage?unit=13300").get_data(as_text=True)
    assert "2 / 823 = 0,2%" in commune
    assert "/listing/?unit=13300" not in commune  # a supervisor does not do the listing
    client.post("/lang/en")
    refresh()  # the test's app context (reused by the client) keeps the locale it computed
    english = client.get("/listing/coverage").get_data(as_text=True)
    assert "2 / 1,234 = 0.2%" in english


def test_the_page_outside_scope_is_404_and_for_other_roles_403(world, today, client):
    login(client, "police_b")
    assert client.get("/listing/coverage?unit=13300").status_code == 404
    assert client.get("/listing/coverage?unit=01").status_code == 404
    assert client.get("/listing/coverage").status_code == 200
    login(client, "justice_a")
    assert client.get("/listing/coverage").status_code == 403


def test_the_coverage_table_downloads_as_csv_and_xlsx(world, campaign, client):
    import csv
    import io

    from openpyxl import load_workbook

    login(client, "supervisor")
    response = client.get("/listing/coverage?unit=37&format=csv")
    assert response.status_code == 200 and "do-phu-37" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows == [
        ["Mã đơn vị", "Đơn vị", "Đã nộp", "Phải làm thẻ", "Tỷ lệ (%)"],
        ["13300", "Phường Hoa Lư", "2", "4", "50,0"],
        ["13301", "Xã Gia Viễn", "1", "2", "50,0"],
        ["37", "Ninh Bình", "3", "6", "50,0"],
    ]
    response = client.get("/listing/coverage?unit=13301&format=xlsx")
    data = response.get_data()
    response.close()
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]] == ["13301", "Xã Gia Viễn", 1, 2, 50]
    assert client.get("/listing/coverage?unit=01&format=csv").status_code == 404  # outside scope


def test_above_a_commune_coverage_reads_the_day_s_count_and_a_commune_is_live(world, campaign):
    a, _b = campaign
    before = coverage.coverage(world.supervisor, None)  # counts the province's residents for the day
    assert (before.total.applied, before.total.eligible) == (3, 6)
    start(world.police, a[3].personal_id)  # one more application in commune A today
    province = coverage.coverage(world.supervisor, None)
    assert (province.total.applied, province.today) == (3, TODAY)  # the day's count
    assert coverage.coverage(world.supervisor, "13300").total.applied == 3  # the commune: live
    with command():
        progress_figures.recount_residents()  # what the worker does the next morning
    assert coverage.coverage(world.supervisor, None).total.applied == 4
