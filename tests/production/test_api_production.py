"""The production centre: its queue, and the idempotent "card produced" message."""

from datetime import date, timedelta

import pytest

from tests.support.api import approved, card, complete, fields_of, snapshot, started
from webapp.services import clock


def test_the_queue_lists_the_cases_waiting_for_production(api, world):
    waiting = approved(api, world)
    other = approved(api, world, unit=world.commune_b, user=world.police_b)
    started(api, world.police, world.resident())  # still at verification: not in the queue
    response = api.get("/production/queue", world.production)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert sorted(c["code"] for c in body["items"]) == sorted([waiting, other]) and body["total"] == 2
    assert all(c["status"] == "open" and c["tasks"] == [] for c in body["items"])
    one = api.get("/production/queue", world.production, query_string={"per_page": 1, "page": 2}).get_json()
    assert len(one["items"]) == 1 and one["total"] == 2
    assert api.get("/production/queue", world.production, query_string={"per_page": 201}).status_code == 400
    api.post("/production/cards", world.production, json=card(waiting))
    assert [c["code"] for c in api.get("/production/queue", world.production).get_json()["items"]] == [other]


@pytest.mark.parametrize("role", ["police", "lead", "justice", "approval", "supervisor", "outsider"])
def test_only_the_production_centre_sees_the_queue_and_delivers(api, world, role):
    user = getattr(world, role)
    code = approved(api, world)
    api.token(user)
    before = snapshot()
    assert api.get("/production/queue", user).status_code == 403
    assert api.post("/production/cards", user, json=card(code)).status_code == 403
    assert api.post("/production/cards", user, data=b"{", content_type="application/json").status_code == 403
    assert snapshot() == before


def test_the_card_moves_the_case_on_and_a_repeat_changes_nothing(api, world):
    code = approved(api, world)
    first = api.post("/production/cards", world.production, json=card(code))
    assert first.status_code == 200
    case = first.get_json()
    assert case["code"] == code and [t["step"] for t in case["tasks"]] == ["receive_card"]
    before = snapshot()
    again = api.post("/production/cards", world.production, json=card(code))
    assert again.status_code == 200
    assert again.get_json() == case
    assert snapshot() == before
    events = api.get(f"/cases/{code}", world.police).get_json()["events"]
    received = [e for e in events if e["action"] == "message_received"]
    assert len(received) == 1
    assert received[0]["detail"]["card_number"] == "C000123456"
    assert received[0]["detail"]["produced_at"] == "2026-11-20"
    # still answered 200 once the case has moved on past reception
    complete(api, world.police, case["tasks"][0]["id"])
    assert api.post("/production/cards", world.production, json=card(code)).status_code == 200


def test_another_card_for_the_same_case_is_409(api, world):
    code = approved(api, world)
    api.post("/production/cards", world.production, json=card(code))
    before = snapshot()
    response = api.post("/production/cards", world.production, json=card(code, number="C999"))
    assert response.status_code == 409
    assert snapshot() == before


def test_a_case_not_waiting_for_production_is_409(api, world):
    code = started(api, world.police, world.resident())["code"]
    api.token(world.production)
    before = snapshot()
    assert api.post("/production/cards", world.production, json=card(code)).status_code == 409
    assert snapshot() == before


def test_an_unknown_case_is_404(api, world):
    assert api.post("/production/cards", world.production, json=card("HS-2026-999999")).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "fields"),
    [
        ({"produced_at": "20/11/2026"}, 422, {"produced_at"}),
        ({"produced_at": "2026-02-30"}, 422, {"produced_at"}),
        ({"produced_at": "2026-W47-1"}, 422, {"produced_at"}),
        ({"produced_at": "FUTURE"}, 422, {"produced_at"}),
        ({"card_number": "   "}, 422, {"card_number"}),
        ({"card_number": "C" * 31}, 422, {"card_number"}),
        ({"card_number": "", "produced_at": "yesterday"}, 422, {"card_number", "produced_at"}),
        ({"card_number": None}, 422, {"card_number"}),
        ({"case_code": None, "produced_at": None}, 422, {"case_code", "produced_at"}),
        ({"produced_at": 20261120}, 400, {"produced_at"}),
        ({"card_number": 123456, "case_code": ["x"]}, 400, {"card_number", "case_code"}),
    ],
)
def test_bad_input_names_each_field_and_changes_nothing(api, world, change, status, fields):
    code = approved(api, world)
    future = (clock.today_local() + timedelta(days=1)).isoformat()
    payload = {**card(code), **{k: (future if v == "FUTURE" else v) for k, v in change.items()}}
    api.token(world.production)
    before = snapshot()
    response = api.post("/production/cards", world.production, json=payload)
    assert response.status_code == status, response.get_json()
    assert fields_of(response) == fields
    assert snapshot() == before


@pytest.mark.parametrize(
    ("produced_at", "issued_on"),
    [
        # 20:30 UTC is 03:30 the next morning in Vietnam: the card is issued on the Vietnamese day
        ("2026-11-19T20:30:00Z", date(2026, 11, 20)),
        ("2026-11-20T09:15:00.5+07:00", date(2026, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),  # a plain date stays accepted
    ],
)
def test_a_timestamp_with_offset_reaches_hand_over(api, world, produced_at, issued_on):
    code = approved(api, world)
    response = api.post("/production/cards", world.production, json=card(code, produced=produced_at))
    assert response.status_code == 200, response.get_json()
    case = complete(api, world.police, response.get_json()["tasks"][0]["id"])["case"]
    (hand_over,) = [t for t in case["tasks"] if t["step"] == "hand_over_card"]
    done = complete(api, world.police, hand_over["id"], {"received_by": "self"})["case"]
    assert done["status"] == "issued"
    resident = api.get(f"/residents/{done['resident']['personal_id']}", world.police).get_json()
    assert resident["card_issued_on"] == issued_on.isoformat()


@pytest.mark.parametrize(
    "produced_at",
    ["2026-11-20T09:15:00", "2026-11-20 09:15:00+07:00", "2026-11-20T25:00:00Z", "TOMORROW"],
)
def test_a_timestamp_needs_its_offset_and_cannot_be_in_the_future(api, world, produced_at):
    code = approved(api, world)
    if produced_at == "TOMORROW":
        produced_at = f"{clock.today_local() + timedelta(days=1)}T08:00:00+07:00"
    api.token(world.production)
    before = snapshot()
    response = api.post("/production/cards", world.production, json=card(code, produced=produced_at))
    assert response.status_code == 422 and fields_of(response) == {"produced_at"}
    assert snapshot() == before
