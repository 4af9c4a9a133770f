"""The day's appointment list of a station as a file: a line per person, in the day's order."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.support.appointments import book
from tests.support.stations import TOMORROW, household, slot_id
from tests.support.web import login

# Every test here runs on the frozen Monday of tests/support/appointments.py.
pytestmark = pytest.mark.usefixtures("monday")


def lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_day_s_list_downloads_a_line_per_person(app, world, station):
    late = book(world.police, slot_id(station, TOMORROW, "09:00"), household(world, 1, "HO-9"))
    early = book(world.police, slot_id(station, TOMORROW, "08:00"), household(world, 2, "HO-8"))
    client = login(app.test_client(), "police_a")
    response = client.get(f"/stations/{station}?date={TOMORROW.isoformat()}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = lines(response)
    assert rows[0][:4] == ["Giờ", "Mã", "Công dân", "Số định danh"]
    assert [r[0] for r in rows[1:]] == ["08:00", "08:00", "09:00"]  # the household of two first
    assert {r[1].replace("-", "").replace(" ", "") for r in rows[1:]} == {early, late}
    assert {r[6] for r in rows[1:]} == {"Đã đặt lịch"}
    response = client.get(f"/stations/{station}?date={TOMORROW.isoformat()}&format=xlsx")
    data = response.get_data()
    response.close()
    assert load_workbook(io.BytesIO(data)).active.max_row == 4
    assert client.get(f"/stations/{station}?format=pdf").status_code == 404


def test_another_commune_cannot_download_it(app, world, station):
    book(world.police, slot_id(station, TOMORROW, "08:00"), household(world, 1, "HO-1"))
    client = login(app.test_client(), "police_b")
    assert client.get(f"/stations/{station}?date={TOMORROW.isoformat()}&format=csv").status_code == 404
