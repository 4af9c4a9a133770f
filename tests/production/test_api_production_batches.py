"""The production centre's batches in the API: the list of sent dispatch batches, a batch with its
cases, and its cards delivered per case, idempotently; and the single-card callback that still
answers a repeat with 200 and no change."""

from datetime import timedelta

import pytest

from tests.support.api import approved, card, fields_of, snapshot
from webapp.models import ProductionBatch, db
from webapp.services import clock
from webapp.services.production import batches
from webapp.services.uow import command


def dispatched(api, world, n=2, send=True) -> tuple[str, list[str]]:
    codes = sorted(approved(api, world) for _ in range(n))
    with command():
        code = batches.create_dispatch(world.lead, "13300", send=send).code
    return code, codes


def cards_of(*codes, number="C{}", produced="2026-11-20"):
    return {"cards": [card(c, number.format(c[-6:]), produced) for c in codes]}


def parcels() -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            db.select(ProductionBatch.code)
            .where(ProductionBatch.kind == "delivery")
            .order_by(ProductionBatch.id)
        )
    )


BATCH_KEYS = {"code", "unit", "status", "created_at", "closed_at", "cases", "produced"}


def test_the_centre_lists_the_batches_sent_to_it(api, world):
    sent, _codes = dispatched(api, world)
    approved(api, world)
    with command():
        batches.create_dispatch(world.lead, "13300")  # still open at the unit: not listed
    body = api.get("/production/batches", world.production).get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 1
    (item,) = body["items"]
    assert set(item) == BATCH_KEYS
    assert (item["code"], item["unit"], item["status"], item["cases"], item["produced"]) == (
        sent,
        "13300",
        "sent",
        2,
        0,
    )
    assert (
        api.get("/production/batches", world.production, query_string={"status": "received"}).get_json()[
            "total"
        ]
        == 0
    )
    bad = api.get("/production/batches", world.production, query_string={"status": "open"})
    assert bad.status_code == 422 and fields_of(bad) == {"status"}
    assert api.get("/production/batches", world.production, query_string={"per_page": 0}).status_code == 400


def test_a_batch_with_its_cases(api, world):
    code, codes = dispatched(api, world)
    response = api.get(f"/production/batches/{code}", world.production)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == BATCH_KEYS | {"items"}
    assert [i["case_code"] for i in body["items"]] == codes
    first = body["items"][0]
    assert set(first) == {
        "case_code",
        "personal_id",
        "full_name",
        "birth_date",
        "unit",
        "card_number",
        "waiting",
    }
    assert (first["full_name"], first["unit"], first["card_number"], first["waiting"]) == (
        "Nguyễn Thị Lan",
        "13300",
        None,
        True,
    )


def test_a_batch_not_sent_a_parcel_or_an_unknown_code_is_404(api, world):
    open_code, codes = dispatched(api, world, send=False)
    api.post("/production/cards", world.production, json=card(codes[0]))
    (parcel,) = parcels()
    for code in (open_code, parcel, "SX-00000-0001"):
        assert api.get(f"/production/batches/{code}", world.production).status_code == 404
        assert (
            api.post(
                f"/production/batches/{code}/cards", world.production, json=cards_of(codes[1])
            ).status_code
            == 404
        )


@pytest.mark.parametrize("role", ["police", "lead", "justice", "approval", "supervisor", "outsider"])
def test_only_the_production_centre_uses_batches(api, world, role):
    code, codes = dispatched(api, world)
    user = getattr(world, role)
    api.token(user)
    before = snapshot()
    assert api.get("/production/batches", user).status_code == 403
    assert api.get(f"/production/batches/{code}", user).status_code == 403
    assert api.post(f"/production/batches/{code}/cards", user, json=cards_of(*codes)).status_code == 403
    assert snapshot() == before


def test_the_cards_of_a_batch_move_each_case_on_and_a_repeat_changes_nothing(api, world):
    code, codes = dispatched(api, world, 3)
    response = api.post(f"/production/batches/{code}/cards", world.production, json=cards_of(*codes))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["produced"], body["unchanged"], body["failed"]) == (3, 0, 0)
    assert sorted(r["case_code"] for r in body["results"] if r["outcome"] == "produced") == codes
    assert body["batch"]["status"] == "received" and body["batch"]["produced"] == 3
    assert all(not i["waiting"] and i["card_number"] for i in body["batch"]["items"])
    for c in codes:
        assert [t["step"] for t in api.get(f"/cases/{c}", world.police).get_json()["tasks"]] == [
            "receive_card"
        ]
    assert parcels() == ["GT-13300-0001"]
    before = snapshot()
    again = api.post(f"/production/batches/{code}/cards", world.production, json=cards_of(*codes))
    assert again.status_code == 200
    assert (again.get_json()["produced"], again.get_json()["unchanged"]) == (0, 3)
    assert again.get_json()["batch"] == body["batch"]
    assert snapshot() == before
    # and the single-card callback for a card of the batch: 200, nothing changes
    single = api.post("/production/cards", world.production, json=card(codes[0], f"C{codes[0][-6:]}"))
    assert single.status_code == 200
    assert snapshot() == before


def test_a_repeated_single_card_changes_nothing_and_its_card_joins_the_parcel(api, world):
    code, codes = dispatched(api, world)
    assert api.post("/production/cards", world.production, json=card(codes[0])).status_code == 200
    assert parcels() == ["GT-13300-0001"]
    listed = api.get(f"/production/batches/{code}", world.production).get_json()
    assert [(i["card_number"], i["waiting"]) for i in listed["items"]] == [
        ("C000123456", False),
        (None, True),
    ]
    before = snapshot()
    for _ in range(2):
        assert api.post("/production/cards", world.production, json=card(codes[0])).status_code == 200
    assert snapshot() == before


def test_each_card_is_answered_and_a_conflict_does_not_stop_the_others(api, world):
    code, codes = dispatched(api, world, 3)
    api.post("/production/cards", world.production, json=card(codes[0], "C-FIRST"))
    stranger = approved(api, world)
    payload = {
        "cards": [
            card(codes[0], "C-OTHER"),  # another card for a case that has one: conflict
            card(codes[1], "C-2"),
            card(stranger, "C-3"),  # not in this batch
            card(codes[2], "C-4"),
        ]
    }
    response = api.post(f"/production/batches/{code}/cards", world.production, json=payload)
    assert response.status_code == 200
    body = response.get_json()
    outcome = {r["case_code"]: (r["outcome"], r["error"] and r["error"]["code"]) for r in body["results"]}
    assert outcome == {
        codes[0]: ("failed", "conflict"),
        codes[1]: ("produced", None),
        stranger: ("failed", "not_found"),
        codes[2]: ("produced", None),
    }
    assert (body["produced"], body["unchanged"], body["failed"]) == (2, 0, 2)
    english = api.post(
        f"/production/batches/{code}/cards", world.production, json=payload, headers={"Accept-Language": "en"}
    ).get_json()
    failed = {r["case_code"]: r["error"]["message"] for r in english["results"] if r["outcome"] == "failed"}
    assert failed[stranger] == "The case is not in this batch."
    assert [t["step"] for t in api.get(f"/cases/{stranger}", world.police).get_json()["tasks"]] == []


def test_cards_for_a_batch_not_yet_sent_is_409(api, world):
    code, codes = dispatched(api, world, send=False)
    api.token(world.admin)
    before = snapshot()
    response = api.post(f"/production/batches/{code}/cards", world.admin, json=cards_of(*codes))
    assert response.status_code == 409
    assert snapshot() == before


FUTURE = "FUTURE"


@pytest.mark.parametrize(
    ("payload", "status", "fields"),
    [
        ({}, 422, {"cards"}),
        ({"cards": None}, 422, {"cards"}),
        ({"cards": {"case_code": "x"}}, 400, {"cards"}),
        ({"cards": []}, 422, {"cards"}),
        ({"cards": ["HS-1"]}, 400, {"cards[0]"}),
        ({"cards": [{"card_number": "C1", "produced_at": "2026-11-20"}]}, 422, {"cards[0].case_code"}),
        (
            {"cards": [{"case_code": "A", "card_number": 5, "produced_at": "2026-11-20"}]},
            400,
            {"cards[0].card_number"},
        ),
        ("second-bad-date", 422, {"cards[1].produced_at"}),
        ("second-future", 422, {"cards[1].produced_at"}),
        ("second-long-number", 422, {"cards[1].card_number"}),
        ("second-blank-number", 422, {"cards[1].card_number"}),
        ("repeated-case", 422, {"cards[1].case_code"}),
        ("too-many", 422, {"cards"}),
    ],
)
def test_bad_cards_refuse_the_whole_call_and_change_nothing(api, world, payload, status, fields):
    code, codes = dispatched(api, world)
    good = card(codes[0])
    second = {
        "second-bad-date": card(codes[1], produced="20/11/2026"),
        "second-future": card(codes[1], produced=(clock.today_local() + timedelta(days=1)).isoformat()),
        "second-long-number": card(codes[1], number="C" * 31),
        "second-blank-number": card(codes[1], number="  "),
        "repeated-case": card(codes[0], number="C2"),
    }
    if isinstance(payload, str) and payload in second:
        payload = {"cards": [good, second[payload]]}
    elif payload == "too-many":
        payload = {"cards": [good] * 1001}
    api.token(world.production)
    before = snapshot()
    response = api.post(f"/production/batches/{code}/cards", world.production, json=payload)
    assert response.status_code == status, response.get_json()
    assert fields_of(response) == fields
    assert snapshot() == before
