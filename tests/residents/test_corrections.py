"""The police desk's corrections of a population record: POST /residents/<id>/corrections and its
confirmation; audited old -> new; a lead confirms identity changes (never their own); the ID is
checked again after a change of birth year or sex."""

from datetime import date

import pytest

from tests.support.api import snapshot
from tests.support.world import PASSWORD
from webapp.models import Resident, db
from webapp.services.accounts import users
from webapp.services.residents import registry
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command

BASIS = {"kind": "birth_certificate", "number": "123/2024/TLKS", "date": "2024-03-05"}


@pytest.fixture
def lead2(world):
    with command():
        return users.create("lead_a2", "police_lead", world.commune_a.code, PASSWORD, "Lãnh đạo 2")


def correct(api, user, pid, changes, basis=BASIS, **extra):
    return api.post(f"/residents/{pid}/corrections", user, json={"changes": changes, "basis": basis, **extra})


def test_a_change_of_place_applies_at_once_and_keeps_old_and_new(api, world):
    pid = world.resident()
    response = correct(
        api, world.police, pid, {"hometown": "Xã Gia Sinh, Ninh Bình"}, reason="Theo giấy khai sinh"
    )
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["correction"]["status"] == "applied"
    assert out["correction"]["changes"] == {"hometown": {"old": None, "new": "Xã Gia Sinh, Ninh Bình"}}
    assert out["correction"]["basis"] == BASIS and out["correction"]["by"] == "police_a"
    assert out["resident"]["hometown"] == "Xã Gia Sinh, Ninh Bình"


def test_an_identity_change_waits_for_another_lead(api, world, lead2):
    pid = world.resident(name="Nguyễn Thị Lam")
    proposed = correct(api, world.lead, pid, {"full_name": "Nguyễn Thị Lan"})
    assert proposed.status_code == 201
    correction = proposed.get_json()["correction"]
    assert correction["status"] == "pending"
    assert proposed.get_json()["resident"]["full_name"] == "Nguyễn Thị Lam"  # not yet
    url = f"/residents/{pid}/corrections/{correction['id']}/confirm"
    assert api.post(url, world.police).status_code == 403  # an officer does not confirm
    assert api.post(url, world.lead).status_code == 403  # nor the lead who proposed it
    confirmed = api.post(url, lead2)
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["correction"]["status"] == "applied"
    assert confirmed.get_json()["correction"]["confirmed_by"] == "lead_a2"
    assert confirmed.get_json()["resident"]["full_name"] == "Nguyễn Thị Lan"
    assert api.post(url, lead2).status_code == 409  # no longer pending
    db.session.rollback()
    assert (
        db.session.scalar(db.select(Resident.name_key).where(Resident.personal_id == pid)) == "nguyen thi lan"
    )


def test_a_birth_year_change_rechecks_the_id_both_ways(api, world, lead2):
    # Registered as born 1990 with an ID that says 1991: flagged at once.
    pid = make_personal_id("037", 1991, "female", 4242)
    with command():
        registry.upsert(
            None,
            pid,
            {
                "full_name": "Lê Thị Hoa",
                "birth_date": "1990-05-17",
                "sex": "female",
                "permanent_unit": "13300",
            },
        )
    assert api.get(f"/residents/{pid}", world.police).get_json()["flags"] == ["id_inconsistent"]
    corrected = correct(api, world.police, pid, {"birth_date": "1991-05-17"}).get_json()["correction"]
    done = api.post(f"/residents/{pid}/corrections/{corrected['id']}/confirm", lead2).get_json()
    assert done["resident"]["flags"] == [] and done["resident"]["id_check"] == {
        "birth_year": True,
        "sex": True,
    }
    # Now a change of sex the ID contradicts flags it again.
    wrong = correct(api, world.police, pid, {"sex": "male"}).get_json()["correction"]
    again = api.post(f"/residents/{pid}/corrections/{wrong['id']}/confirm", lead2).get_json()
    assert again["resident"]["flags"] == ["id_inconsistent"]
    assert again["resident"]["id_check"] == {"birth_year": True, "sex": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"changes": {}, "basis": BASIS}, "changes"),
        ({"changes": {"personal_id": "037190000001"}, "basis": BASIS}, "changes.personal_id"),
        ({"changes": {"birth_date": "17/05/1990"}, "basis": BASIS}, "changes.birth_date"),
        ({"changes": {"birth_date": "2999-01-01"}, "basis": BASIS}, "changes.birth_date"),
        ({"changes": {"sex": "x"}, "basis": BASIS}, "changes.sex"),
        ({"changes": {"birth_date_precision": "week"}, "basis": BASIS}, "changes.birth_date_precision"),
        ({"changes": {"full_name": "   "}, "basis": BASIS}, "changes.full_name"),
        ({"changes": {"ethnicity": "x" * 51}, "basis": BASIS}, "changes.ethnicity"),
        ({"changes": {"full_name": "Nguyễn Thị Lan"}, "basis": BASIS}, "changes.full_name"),  # unchanged
        ({"changes": {"hometown": "Hà Nam"}, "basis": {**BASIS, "kind": "letter"}}, "basis.kind"),
        ({"changes": {"hometown": "Hà Nam"}, "basis": {**BASIS, "number": ""}}, "basis.number"),
        ({"changes": {"hometown": "Hà Nam"}, "basis": {**BASIS, "date": "2999-01-01"}}, "basis.date"),
        ({"changes": {"hometown": "Hà Nam"}, "basis": {"kind": "other", "number": "1"}}, "basis.date"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(api, world, body, field):
    pid = world.resident()
    api.token(world.police)
    before = snapshot()
    response = api.post(
        f"/residents/{pid}/corrections", world.police, json=body, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert snapshot() == before


def test_wrong_types_roles_and_scope(api, world):
    pid = world.resident()
    body = {"changes": {"hometown": "Hà Nam"}, "basis": BASIS}
    assert (
        api.post(f"/residents/{pid}/corrections", world.police, json={**body, "changes": "x"}).status_code
        == 400
    )
    assert api.post(f"/residents/{pid}/corrections", world.justice, json=body).status_code == 403
    assert api.post(f"/residents/{pid}/corrections", world.outsider, json=body).status_code == 404
    assert api.post("/residents/037190999999/corrections", world.police, json=body).status_code == 404
    assert api.post(f"/residents/{pid}/corrections/999/confirm", world.lead).status_code == 404


def test_a_confirmation_after_the_record_moved_is_a_conflict(api, world, lead2):
    pid = world.resident(born=date(1990, 5, 17))
    first = correct(api, world.police, pid, {"birth_date": "1990-06-17"}).get_json()["correction"]
    second = correct(api, world.police2, pid, {"birth_date": "1990-07-17"}).get_json()["correction"]
    assert api.post(f"/residents/{pid}/corrections/{first['id']}/confirm", lead2).status_code == 200
    late = api.post(f"/residents/{pid}/corrections/{second['id']}/confirm", lead2)
    assert late.status_code == 409
