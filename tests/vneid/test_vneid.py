"""VNeID level 2 for someone who already holds a chip card: a short request (no case, no card)
through its three steps, in the unit's inbox with a due date, counted on its own progress line."""

import pytest
from sqlalchemy import func, select

from tests.support.vneid import chip_holder, start, step
from tests.support.web import HTMX, login
from webapp.models import Case, VneidRequest, db
from webapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from webapp.services.residents.registry import get
from webapp.services.supervision import coverage
from webapp.services.vneid import requests as vneid


def test_three_steps_activate_level_2_without_a_case(world):
    request_id = start(world, chip_holder(world))
    assert db.session.get(VneidRequest, request_id).status == "identity_check"
    step(world, request_id, "identity_check", {"result": "match", "method": "fingerprint"})
    done = step(world, request_id, "phone", {"phone": "+84 912 345 678", "own_subscription": True})
    assert done.status == "activation" and done.phone == "0912345678"
    done = step(world, request_id, "activation", {"result": "activated"}, user=world.police2)
    assert done.status == "activated" and done.activated_by_id == world.police2.id
    assert done.identity_by_id == world.police.id and done.identity_method == "fingerprint"
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0  # no card, no case
    # The registry now records level 2, as a card's hand-over would: no second request.
    resident = done.resident
    assert (resident.eid_state, resident.eid_phone) == ("activated", "0912345678")
    with pytest.raises(Invalid) as exc:
        start(world, resident.personal_id)
    assert "đã có định danh điện tử mức 2" in exc.value.fields["personal_id"][0].vi


def test_each_bad_field_is_named_and_nothing_changes(world):
    request_id = start(world, chip_holder(world))
    with pytest.raises(Invalid) as exc:
        step(world, request_id, "identity_check", {"result": "match"})
    assert set(exc.value.fields) == {"method"}
    with pytest.raises(Invalid) as exc:
        step(world, request_id, "identity_check", {"result": "mismatch", "reason": " "})
    assert set(exc.value.fields) == {"reason"}
    step(world, request_id, "identity_check", {"result": "match", "method": "face"})
    with pytest.raises(Invalid) as exc:
        step(world, request_id, "phone", {"phone": "12345", "own_subscription": False})
    assert set(exc.value.fields) == {"phone", "own_subscription"}
    db.session.expire_all()
    assert db.session.get(VneidRequest, request_id).status == "phone"


def test_a_mismatch_ends_the_request_with_its_reason(world):
    request_id = start(world, chip_holder(world))
    done = step(world, request_id, "identity_check", {"result": "mismatch", "reason": "Ảnh không khớp"})
    assert (done.status, done.refused_step, done.refused_reason) == (
        "refused",
        "identity_check",
        "Ảnh không khớp",
    )
    with pytest.raises(Conflict):
        step(world, request_id, "phone", {"phone": "0912345678", "own_subscription": True})


def test_a_stale_page_is_a_conflict(world):
    request_id = start(world, chip_holder(world))
    step(world, request_id, "identity_check", {"result": "match", "method": "face"})
    with pytest.raises(Conflict):
        step(world, request_id, "identity_check", {"result": "match", "method": "face"}, user=world.police2)


def test_only_chip_holders_alive_and_one_open_request_at_a_time(world):
    with pytest.raises(Invalid) as exc:
        start(world, world.resident())  # no chip card: level 2 goes with the card application
    assert "chưa có thẻ căn cước gắn chip" in exc.value.fields["personal_id"][0].vi
    pid = chip_holder(world)
    start(world, pid)
    with pytest.raises(Conflict):
        start(world, pid, user=world.police2)
    with pytest.raises(Forbidden):
        start(world, chip_holder(world), user=world.justice)


def test_scope_a_desk_takes_anyone_who_shows_the_card_and_others_see_nothing(world):
    pid = chip_holder(world)  # registered in Ninh Bình
    with pytest.raises(Invalid):
        start(world, pid, user=world.outsider)  # from a resident's page: not in Hà Nội's sight
    request_id = start(world, pid, user=world.outsider, presented=True)  # shown at Hà Nội's desk
    assert db.session.get(VneidRequest, request_id).unit_path == world.other_commune.path
    with pytest.raises(NotFound):
        vneid.get(world.police, request_id)  # the home unit does not hold it
    assert vneid.for_inbox(world.outsider).total == 1 and vneid.for_inbox(world.police).total == 0


def test_counted_on_its_own_progress_line_by_the_unit_that_took_it(world):
    for _ in range(2):
        start(world, chip_holder(world))
    request_id = start(world, chip_holder(world))
    step(world, request_id, "identity_check", {"result": "match", "method": "face"})
    step(world, request_id, "phone", {"phone": "0912345678", "own_subscription": True})
    step(world, request_id, "activation", {"result": "activated"})
    figures = coverage.progress(world.supervisor, "37")
    assert figures["vneid_level2"] == {"requested": 3, "activated": 1, "refused": 0, "open": 2}
    assert figures["applied"] == 0  # not a card application
    assert vneid.counts(world.other_province.path)["requested"] == 0


def test_the_pages_walk_a_request_from_the_resident_page(app, world):
    pid = chip_holder(world)
    resident = get(pid)
    client = login(app.test_client(), "police_a")
    page = client.get(f"/listing/residents/{resident.id}/edit").get_data(as_text=True)
    assert "Đề nghị định danh điện tử mức 2" in page
    made = client.post("/vneid/", data={"personal_id": pid})
    assert made.status_code == 303
    request_id = db.session.scalar(select(VneidRequest.id))
    assert f'id="inbox-vneid-{request_id}"' in client.get("/").get_data(as_text=True)
    url = f"/vneid/{request_id}"
    bad = client.post(url, data={"step": "identity_check", "result": "match"})
    assert bad.status_code == 422 and "Hãy chọn cách đối chiếu." in bad.get_data(as_text=True)
    htmx = client.post(url, data={"step": "identity_check", "result": "match"}, headers=HTMX)
    assert htmx.status_code == 200 and 'id="vneid-step"' in htmx.get_data(as_text=True)
    assert (
        client.post(url, data={"step": "identity_check", "result": "match", "method": "face"}).status_code
        == 303
    )
    assert (
        client.post(url, data={"step": "identity_check", "result": "match", "method": "face"}).status_code
        == 409
    )
    client.post(url, data={"step": "phone", "phone": "0912 345 678", "own_subscription": "1"})
    client.post(url, data={"step": "activation", "result": "activated"})
    html = client.get(url).get_data(as_text=True)
    assert "Đã kích hoạt mức 2" in html and "0912345678" in html
    assert login(app.test_client(), "police_hn").get(url).status_code == 404
    assert login(app.test_client(), "justice_a").get(url).status_code == 403
