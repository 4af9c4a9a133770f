"""VNeID level 2 over the JSON API: start for a chip-card holder, the three steps, the errors."""

from tests.support.api import fields_of
from tests.support.vneid import chip_holder


def test_a_chip_card_holder_is_activated_at_level_2_over_the_api(api, world):
    pid = chip_holder(world)
    made = api.post("/vneid-requests", world.police, json={"personal_id": pid})
    assert made.status_code == 201
    request = made.get_json()
    assert (request["status"], request["unit"], request["personal_id"]) == ("identity_check", "13300", pid)
    url = f"/vneid-requests/{request['id']}/steps"
    bad = api.post(url, world.police, json={"step": "identity_check", "data": {"result": "match"}})
    assert bad.status_code == 422 and fields_of(bad) == {"method"}
    ok = api.post(
        url, world.police, json={"step": "identity_check", "data": {"result": "match", "method": "face"}}
    )
    assert ok.status_code == 200 and ok.get_json()["status"] == "phone"
    stale = api.post(url, world.police, json={"step": "identity_check", "data": {"result": "match"}})
    assert stale.status_code == 409
    phone = {"phone": "0912345678", "own_subscription": True}
    assert (
        api.post(url, world.police, json={"step": "phone", "data": phone}).get_json()["phone"] == "0912345678"
    )
    done = api.post(
        url, world.police, json={"step": "activation", "data": {"result": "activated"}}
    ).get_json()
    assert done["status"] == "activated" and done["activated_at"]
    assert api.get(f"/vneid-requests/{request['id']}", world.outsider).status_code == 404
    figures = api.get("/stats/progress?unit=37", world.supervisor).get_json()
    assert figures["vneid_level2"]["activated"] == 1


def test_starting_names_the_problem(api, world):
    no_card = api.post("/vneid-requests", world.police, json={"personal_id": world.resident()})
    assert no_card.status_code == 422 and fields_of(no_card) == {"personal_id"}
    assert api.post("/vneid-requests", world.police, json={}).status_code == 422
    assert api.post("/vneid-requests", world.police, json={"personal_id": 12}).status_code == 400
    assert (
        api.post("/vneid-requests", world.justice, json={"personal_id": chip_holder(world)}).status_code
        == 403
    )
