"""The law in force on the application date and the statutory return date (legal_time_limits.dmn):
stamped on each case at intake, shown by the API; a changed row changes the date."""

from datetime import date, datetime

import pytest
import time_machine

from tests.support.api import new_pid, started
from tests.support.cases import case, start
from tests.support.web import login
from vntime import LOCAL_TZ
from webapp.services import laws, workflow_store
from webapp.services.uow import command
from workflows import Engine, load_bundle

# Monday 2 December 2024, 09:00 in Vietnam: 7 working days later is Wednesday 11 December.
MONDAY = datetime(2024, 12, 2, 9, 0, tzinfo=LOCAL_TZ)
# Friday 28 June 2024 under the 2014 law; the 2023 law from Monday 1 July 2024.
BEFORE_CUTOVER = datetime(2024, 6, 28, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def unforced(app, monkeypatch):
    """The date decides the law (no IDENTITY_LAW override)."""
    monkeypatch.setitem(app.config, "IDENTITY_LAW", None)


def set_area(unit, area):
    with command():
        unit.area_class = area


def test_the_law_follows_the_application_date(app, unforced, monkeypatch):
    assert laws.law_on(date(2024, 6, 30)) == "2014"
    assert laws.law_on(date(2024, 7, 1)) == "2023"
    monkeypatch.setitem(app.config, "IDENTITY_LAW_2023_FROM", "2025-01-01")
    assert laws.law_on(date(2024, 12, 31)) == "2014"
    monkeypatch.setitem(app.config, "IDENTITY_LAW", "2023")  # forced for a drill
    assert laws.law_on(date(2020, 1, 1)) == "2023"


def test_a_2023_case_is_due_in_7_working_days(world, unforced):
    with time_machine.travel(MONDAY, tick=False):
        code = start(world.police, world.resident())
    stored = case(code)
    assert (stored.law, stored.legal_due_on) == ("2023", date(2024, 12, 11))


@pytest.mark.parametrize(
    ("area", "kind", "due"),
    [
        ("urban", "new", date(2024, 7, 9)),  # 7 working days after Friday 28 June
        ("rural", "new", date(2024, 7, 19)),  # 15
        ("remote", "new", date(2024, 7, 26)),  # 20
        (None, "new", date(2024, 7, 19)),  # no area anywhere up the tree: elsewhere
    ],
)
def test_a_2014_case_is_due_by_its_units_area(world, unforced, area, kind, due):
    set_area(world.province, area)  # the commune has none: its province's class applies
    with time_machine.travel(BEFORE_CUTOVER, tick=False):
        code = start(world.police, world.resident(), kind)
    stored = case(code)
    assert (stored.law, stored.legal_due_on) == ("2014", due)


def test_the_api_shows_law_and_legal_due_date(api, world, unforced):
    pid = new_pid(born=date(1990, 5, 17), sex="female", serial=777)
    api.put(
        f"/residents/{pid}",
        world.police,
        json={
            "full_name": "Lê Thị Hà",
            "birth_date": "1990-05-17",
            "sex": "female",
            "permanent_unit": "13300",
        },
    )
    with time_machine.travel(MONDAY, tick=False):
        out = started(api, world.police, pid)
    assert (out["law"], out["legal_due_on"]) == ("2023", "2024-12-11")
    assert api.get(f"/cases/{out['code']}", world.police).get_json()["legal_due_on"] == "2024-12-11"


def test_changing_a_row_of_the_table_changes_the_due_date(app, world, unforced):
    original = app.extensions[workflow_store.EXTENSION]
    sources = dict(original.current.sources)
    table = sources["legal_time_limits.dmn"]
    row = table.index('<rule id="legal_time_limit_r0">')
    sources["legal_time_limits.dmn"] = table[:row] + table[row:].replace(
        "<text>7</text>", "<text>10</text>", 1
    )
    app.extensions[workflow_store.EXTENSION] = Engine(load_bundle(sources))
    try:
        with time_machine.travel(MONDAY, tick=False):
            code = start(world.police, world.resident())
    finally:
        app.extensions[workflow_store.EXTENSION] = original
    assert case(code).legal_due_on == date(2024, 12, 16)  # 10 working days


# --- time at the justice office (justice_time_limits.dmn, "extends_legal_due") ---------------

WEDNESDAY = datetime(2024, 12, 4, 10, 0, tzinfo=LOCAL_TZ)


def _to_justice(world, procedure: str) -> str:
    from tests.support.cases import DOB, do

    with time_machine.travel(MONDAY, tick=False):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(world.justice, code, "triage_correction", {"procedure": procedure, "documents_complete": True})
    return code


def _record(world, code: str) -> None:
    from tests.support.cases import CORRECTION, do

    with time_machine.travel(WEDNESDAY, tick=False):
        do(world.justice, code, "record_correction", {**CORRECTION, "decision_date": "2024-12-04"})


def test_days_at_the_justice_office_move_the_legal_due_date(app, world, unforced):
    code = _to_justice(world, "correction")
    assert case(code).legal_due_on == date(2024, 12, 11)
    _record(world, code)  # sent Monday, result Wednesday: 2 working days there
    assert case(code).legal_due_on == date(2024, 12, 13)
    page = login(app.test_client(), "police_a").get(f"/cases/{code}").get_data(as_text=True)
    assert "Hạn trả thẻ theo luật lùi 2 ngày làm việc (thời gian ở Tư pháp): 11/12/2024 → 13/12/2024" in page


def test_a_file_returned_to_the_police_does_not_move_it(world, unforced):
    """The record was the police's to fix: the citizen's file was complete at intake."""
    from tests.support.cases import DOB, do

    with time_machine.travel(MONDAY, tick=False):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
    with time_machine.travel(WEDNESDAY, tick=False):
        do(
            world.justice,
            code,
            "triage_correction",
            {"procedure": "return_to_police", "documents_complete": True, "reason": "Dữ liệu dân cư sai"},
        )
    assert case(code).legal_due_on == date(2024, 12, 11)


def test_a_row_that_says_no_extension_moves_nothing(app, world, unforced):
    original = app.extensions[workflow_store.EXTENSION]
    sources = dict(original.current.sources)
    table = sources["justice_time_limits.dmn"]
    row = table.index('<rule id="justice_time_limit_r1">')  # correction
    sources["justice_time_limits.dmn"] = table[:row] + table[row:].replace(
        "<text>True</text>", "<text>False</text>", 1
    )
    app.extensions[workflow_store.EXTENSION] = Engine(load_bundle(sources))
    try:
        code = _to_justice(world, "correction")
        _record(world, code)
    finally:
        app.extensions[workflow_store.EXTENSION] = original
    assert case(code).legal_due_on == date(2024, 12, 11)


def test_a_second_justice_round_counts_its_own_days(world, unforced):
    from tests.support.cases import CORRECTION, do

    code = _to_justice(world, "correction")
    _record(world, code)  # Monday → Wednesday: 11 → 13 December
    with time_machine.travel(datetime(2024, 12, 5, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        do(world.police, code, "update_population_record", {"confirmed": False, "note": "Tên vẫn sai"})
        do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    with time_machine.travel(datetime(2024, 12, 6, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        do(world.justice, code, "record_correction", {**CORRECTION, "decision_date": "2024-12-06"})
    assert case(code).legal_due_on == date(2024, 12, 16)  # + 1 (Thursday → Friday), not + 3
