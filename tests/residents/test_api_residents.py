"""PUT/GET /residents/<personal_id>: create or replace, every personal-ID rule a 422 naming it,
roles and scope."""

from datetime import date, timedelta

import pytest

from tests.support.api import RECORD, fields_of, new_pid, snapshot
from webapp.models import Resident, UnitCrosswalk, db
from webapp.services import clock
from webapp.services.residents import personal_id
from webapp.services.uow import command


def put(api, user, pid, record, **kw):
    return api.put(f"/residents/{pid}", user, json=record, **kw)


def test_create_then_update_then_read(api, world):
    pid = new_pid()
    full = {
        **RECORD,
        "birth_date_precision": "month",
        "old_id_number": "164123456",
        "ethnicity": "Kinh",
        "household_id": "HK-001",
        "temporary_unit": "13301",
        "status": "alive",
        "card_state": "chip",
        "card_issued_on": "2021-06-15",
    }
    created = put(api, world.police, pid, full)
    assert created.status_code == 201
    assert created.get_json() == {
        "personal_id": pid,
        **full,
        "hometown": None,
        "place_of_birth": None,
        "flags": [],
        "id_check": {"birth_year": True, "sex": True},
    }
    renamed = put(api, world.lead, pid, {**RECORD, "full_name": "  Trần  Văn   Bình An "})
    assert renamed.status_code == 200
    stored = renamed.get_json()
    assert stored["full_name"] == "Trần Văn Bình An"
    # PUT replaces the record: optional fields left out are cleared, defaults apply
    assert (stored["old_id_number"], stored["ethnicity"], stored["temporary_unit"]) == (None, None, None)
    assert (stored["birth_date_precision"], stored["status"]) == ("day", "alive")
    assert (stored["card_state"], stored["card_issued_on"]) == ("none", None)
    read = api.get(f"/residents/{pid}", world.justice)
    assert read.status_code == 200 and read.get_json() == stored
    db.session.rollback()
    assert db.session.scalar(db.select(Resident.name_key).where(Resident.personal_id == pid)) == (
        "tran van binh an"
    )


MALE_1985 = new_pid()


@pytest.mark.parametrize(
    ("pid", "record", "field", "rule"),
    [
        ("03718500000", RECORD, "personal_id", "exactly 12 digits"),  # 11 digits
        ("0371850000011", RECORD, "personal_id", "exactly 12 digits"),  # 13 digits
        ("０３７１８５９００００１", RECORD, "personal_id", "non-ASCII digits"),  # full-width
        ("03718590000a", RECORD, "personal_id", "not digits"),
        ("037 85900001", RECORD, "personal_id", "spaces inside"),
        ("999185900001", RECORD, "personal_id", "province code 999"),  # no such birth province
        ("003185900001", RECORD, "personal_id", "province code 003"),  # a gap in the list
        (MALE_1985, {**RECORD, "birth_date": "2085-03-02"}, "birth_date", "future"),
        (MALE_1985, {**RECORD, "birth_date": "1985-02-30"}, "birth_date", "Invalid birth date"),
        (MALE_1985, {**RECORD, "birth_date": "02/03/1985"}, "birth_date", "Invalid birth date"),
        (MALE_1985, {**RECORD, "sex": "other"}, "sex", "male or female"),
        (MALE_1985, {**RECORD, "birth_date_precision": "week"}, "birth_date_precision", "day, month"),
        (MALE_1985, {**RECORD, "status": "missing"}, "status", "alive or deceased"),
        (MALE_1985, {**RECORD, "permanent_unit": "99999"}, "permanent_unit", "No unit"),
        (MALE_1985, {**RECORD, "temporary_unit": "99999"}, "temporary_unit", "No unit"),
        (MALE_1985, {**RECORD, "old_id_number": "12345"}, "old_id_number", "9 or 12 digits"),
        (MALE_1985, {**RECORD, "full_name": "   "}, "full_name", "required"),
        (MALE_1985, {**RECORD, "full_name": "x" * 201}, "full_name", "200"),
        (MALE_1985, {**RECORD, "card_state": "passport"}, "card_state", "none, cmnd, chip or lost"),
        (MALE_1985, {**RECORD, "card_state": "chip"}, "card_issued_on", "required when card_state is chip"),
        (
            MALE_1985,
            {**RECORD, "card_state": "cmnd", "card_issued_on": "2021-06-15"},
            "card_issued_on",
            "only",
        ),
        (
            MALE_1985,
            {**RECORD, "card_state": "chip", "card_issued_on": "15/06/2021"},
            "card_issued_on",
            "Invalid",
        ),
        (
            MALE_1985,
            {**RECORD, "card_state": "chip", "card_issued_on": "1985-03-01"},
            "card_issued_on",
            "before",
        ),
        (
            MALE_1985,
            {**RECORD, "card_state": "chip", "card_issued_on": "2085-01-01"},
            "card_issued_on",
            "future",
        ),
        (MALE_1985, {**RECORD, "birth_date": "1985"}, "birth_date", "Invalid birth date"),
    ],
)
def test_each_invalid_value_is_a_422_naming_the_field_and_the_rule(api, world, pid, record, field, rule):
    api.token(world.police)
    before = snapshot()
    response = put(api, world.police, pid, record, headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.get_json()
    problems = response.get_json()["error"]["fields"]
    assert field in problems
    assert any(rule in p for p in problems[field]), problems
    assert snapshot() == before


@pytest.mark.parametrize(
    ("pid", "record", "check"),
    [
        (MALE_1985, {**RECORD, "birth_date": "1986-03-02"}, {"birth_year": False, "sex": True}),
        (MALE_1985, {**RECORD, "sex": "female"}, {"birth_year": True, "sex": False}),
        (
            new_pid(born=date(2005, 1, 1)),
            {**RECORD, "birth_date": "1905-01-01", "sex": "female"},
            {"birth_year": False, "sex": False},
        ),
    ],
)
def test_an_id_that_disagrees_with_the_record_is_stored_and_flagged(api, world, pid, record, check):
    """The campaign's wrong records must get in to be fixed: stored, flagged, readable."""
    response = put(api, world.police, pid, record)
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()
    assert stored["flags"] == ["id_inconsistent"]
    assert stored["id_check"] == check
    assert api.get(f"/residents/{pid}", world.police).get_json()["flags"] == ["id_inconsistent"]
    # Put right, the flag goes.
    decoded = personal_id.decode(pid)
    right = {**RECORD, "birth_date": f"{decoded.birth_year}-01-01", "sex": decoded.sex}
    assert put(api, world.police, pid, right).get_json()["flags"] == []


def test_a_birth_date_tomorrow_is_in_the_future(api, world):
    tomorrow = clock.today_local() + timedelta(days=1)  # in Vietnam
    pid = new_pid(born=tomorrow)
    response = put(api, world.police, pid, {**RECORD, "birth_date": tomorrow.isoformat()})
    assert response.status_code == 422
    assert fields_of(response) == {"birth_date"}


def test_every_missing_field_is_named_at_once(api, world):
    response = put(api, world.police, new_pid(), {})
    assert response.status_code == 422
    assert fields_of(response) >= {"full_name", "birth_date", "sex", "permanent_unit"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"full_name": 5}, "full_name"),
        ({"birth_date": 19850302}, "birth_date"),
        ({"sex": True}, "sex"),
        ({"permanent_unit": 13300}, "permanent_unit"),
        ({"temporary_unit": ["13301"]}, "temporary_unit"),
        ({"status": {"alive": True}}, "status"),
        ({"old_id_number": 164123456}, "old_id_number"),
        ({"card_state": 1}, "card_state"),
        ({"card_issued_on": 20210615}, "card_issued_on"),
    ],
)
def test_a_wrong_json_type_is_400_naming_the_field(api, world, change, field):
    api.token(world.police)
    before = snapshot()
    response = put(api, world.police, new_pid(), {**RECORD, **change})
    assert response.status_code == 400
    assert fields_of(response) == {field}
    assert snapshot() == before


@pytest.mark.parametrize("role", ["justice", "approval", "production", "supervisor"])
def test_roles_that_do_not_edit_residents_get_403(api, world, role):
    user = {"justice": world.justice, "approval": world.approval}.get(role) or getattr(world, role)
    existing = world.resident()
    api.token(user)
    before = snapshot()
    assert put(api, user, new_pid(), RECORD).status_code == 403
    assert (
        put(api, user, existing, {**RECORD, "sex": "female", "birth_date": "1990-05-17"}).status_code == 403
    )
    assert put(api, user, "bad", RECORD).status_code == 403  # the role is checked first
    assert snapshot() == before


def test_a_resident_outside_scope_is_404_to_read_and_to_replace(api, world):
    pid = world.resident()  # commune A
    record = {"full_name": "X", "birth_date": "1990-05-17", "sex": "female", "permanent_unit": "13301"}
    for outsider in (world.outsider, world.police_b):
        assert api.get(f"/residents/{pid}", outsider).status_code == 404
        api.token(outsider)
        before = snapshot()
        assert put(api, outsider, pid, record).status_code == 404
        assert snapshot() == before
    assert api.get(f"/residents/{pid}", world.police).status_code == 200


def test_a_temporary_unit_in_scope_makes_a_resident_visible(api, world):
    pid = new_pid()
    assert put(api, world.police, pid, {**RECORD, "temporary_unit": "13301"}).status_code == 201
    assert api.get(f"/residents/{pid}", world.police_b).status_code == 200
    assert api.get(f"/residents/{pid}", world.outsider).status_code == 404


def test_a_record_placed_outside_the_callers_scope_is_refused(api, world):
    api.token(world.police)
    before = snapshot()
    response = put(api, world.police, new_pid(), {**RECORD, "permanent_unit": "00004"})
    assert response.status_code == 422 and fields_of(response) == {"permanent_unit"}
    existing = world.resident()
    before = snapshot()
    moved = {
        "full_name": "Nguyễn Thị Lan",
        "birth_date": "1990-05-17",
        "sex": "female",
        "permanent_unit": "00004",
    }
    response = put(api, world.police, existing, moved)
    assert response.status_code == 422 and fields_of(response) == {"permanent_unit"}
    assert snapshot() == before
    # the province's administrator reaches both communes
    assert put(api, world.admin, existing, {**moved, "permanent_unit": "13301"}).status_code == 200


@pytest.mark.parametrize("pid", ["nope", "037185900001x", "999185900001", "037185999999"])
def test_reading_an_unknown_or_malformed_id_is_404(api, world, pid):
    assert api.get(f"/residents/{pid}", world.admin).status_code == 404


def test_a_chip_card_holder_is_stored_and_read_back(api, world):
    pid = new_pid()
    record = {**RECORD, "card_state": "chip", "card_issued_on": "2021-06-15"}
    assert put(api, world.police, pid, record).status_code == 201
    read = api.get(f"/residents/{pid}", world.police).get_json()
    assert (read["card_state"], read["card_issued_on"]) == ("chip", "2021-06-15")
    # A case embeds the same resident (without the card fields).
    db.session.rollback()
    stored = db.session.scalar(db.select(Resident).where(Resident.personal_id == pid))
    assert (stored.card_state, stored.card_issued_on) == ("chip", date(2021, 6, 15))


def test_an_older_unit_code_resolves_through_the_crosswalk(api, world):
    with command():
        db.session.add(
            UnitCrosswalk(old_code="14161", old_name="Xã cũ", old_level="commune", unit_id=world.commune_a.id)
        )
    response = put(api, world.police, new_pid(), {**RECORD, "permanent_unit": "14161"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["permanent_unit"] == "13300"  # today's code
