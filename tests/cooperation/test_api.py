"""The cooperation part of the JSON API: send, the queue, the answer, a transfer request."""

from tests.support.api import fields_of, snapshot
from tests.support.cases import case, start


def test_a_request_travels_to_another_province_and_back_over_the_api(api, world):
    pid = world.resident()
    sent = api.post(
        "/cooperation",
        world.police,
        json={
            "kind": "take_application",
            "personal_id": pid,
            "unit": "00004",
            "message": "Đang học tại Hà Nội",
        },
    )
    assert sent.status_code == 201
    request = sent.get_json()
    assert request["status"] == "open" and request["to_unit"] == "00004" and request["from_unit"] == "13300"
    queue = api.get("/cooperation", world.outsider).get_json()
    assert [r["id"] for r in queue["items"]] == [request["id"]] and queue["total"] == 1
    assert api.get("/cooperation?box=outgoing", world.police).get_json()["total"] == 1
    # The receiving unit sees the resident while the request is open.
    assert api.get(f"/residents/{pid}", world.outsider).status_code == 200
    answered = api.post(f"/cooperation/{request['id']}/answer", world.outsider, json={"result": "done"})
    assert answered.status_code == 200
    done = answered.get_json()
    assert done["status"] == "done" and done["result_case_code"] and done["answered_by"] == "police_hn"
    assert case(done["result_case_code"]).unit.code == "00004"
    again = api.post(f"/cooperation/{request['id']}/answer", world.outsider, json={"result": "done"})
    assert again.status_code == 409
    assert api.get(f"/cooperation/{request['id']}", world.police_b).status_code == 404


def test_bad_requests_name_their_fields_and_change_nothing(api, world):
    pid = world.resident()
    api.token(world.police)  # issued before the snapshot
    before = snapshot()
    bad = api.post(
        "/cooperation", world.police, json={"kind": "x", "personal_id": pid, "unit": "nowhere", "message": ""}
    )
    assert bad.status_code == 422 and fields_of(bad) >= {"kind", "unit"}
    wrong_type = api.post(
        "/cooperation", world.police, json={"kind": 1, "personal_id": pid, "unit": "00004", "message": "x"}
    )
    assert wrong_type.status_code == 400
    missing = api.post("/cooperation", world.police, json={"kind": "verify"})
    assert missing.status_code == 422 and fields_of(missing) == {"personal_id", "unit", "message"}
    assert snapshot() == before


def test_a_transfer_request_over_the_api_is_accepted_by_the_other_commune(api, world):
    code = start(world.police, world.resident())
    asked = api.post(f"/cases/{code}/transfer", world.police, json={"unit": "13301", "reason": "Tạm trú"})
    assert asked.status_code == 201 and asked.get_json()["case_code"] == code
    assert case(code).unit.code == "13300"
    request_id = asked.get_json()["id"]
    no = api.post(f"/cooperation/{request_id}/answer", world.police_b, json={"decision": "decline"})
    assert no.status_code == 422 and "answer" in fields_of(no)
    yes = api.post(f"/cooperation/{request_id}/answer", world.police_b, json={"decision": "accept"})
    assert yes.status_code == 200 and yes.get_json()["status"] == "accepted"
    assert case(code).unit.code == "13301"
    assert (
        api.post(f"/cases/{code}/transfer", world.outsider, json={"unit": "13301", "reason": "x"}).status_code
        == 404
    )
