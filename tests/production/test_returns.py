"""The national centre returns a file (photo, fingerprints, data): the case goes back to the step
that can fix it, audited, then through approval to production again; the card number is the
card's serial, never the personal ID."""

from datetime import date

import pytest

from tests.support.api import fields_of
from tests.support.cases import actions, case, do, start
from tests.support.production import batch, dispatch
from tests.support.web import login
from webapp.services.cases import commands
from webapp.services.errors import Conflict, Forbidden, Invalid
from webapp.services.uow import command

CLEAN = {"discrepancies": []}


def at_production(world) -> str:
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    assert case(code).steps == ["await_card_production"]
    return code


def give_back(world, code, reason="photo_quality", note=None):
    with command():
        return commands.return_file(world.production, code, reason, note)[1]


@pytest.mark.parametrize(
    ("reason", "step"),
    [
        ("photo_quality", "capture_biometrics"),
        ("fingerprint_quality", "capture_biometrics"),
        ("data_check", "verify_application"),
    ],
)
def test_a_returned_file_goes_back_to_the_step_that_can_fix_it_then_to_production(world, reason, step):
    code = at_production(world)
    assert give_back(world, code, reason, "Ảnh mờ") is True
    assert case(code).steps == [step]
    assert ("message_received", "file_returned") in actions(code)
    if step == "verify_application":
        do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    assert case(code).steps == ["await_card_production"]  # re-sent
    with command():
        commands.record_card_produced(world.production, code, "C000123456", date(2026, 11, 20))
    assert case(code).steps == ["receive_card"]


def test_the_same_return_twice_changes_nothing_and_another_while_fixing_is_a_conflict(world):
    code = at_production(world)
    give_back(world, code)
    version = case(code).version
    assert give_back(world, code) is False
    assert case(code).version == version
    with pytest.raises(Conflict):
        give_back(world, code, "data_check")


def test_only_a_case_waiting_for_production_is_returned_by_the_centre_only(world):
    code = start(world.police, world.resident())
    with pytest.raises(Conflict):
        give_back(world, code)
    with pytest.raises(Forbidden):
        commands.return_file(world.police, code, "photo_quality")
    with pytest.raises(Invalid) as caught:
        commands.return_file(world.production, code, "blurry", "x" * 501)
    assert set(caught.value.fields) == {"reason", "note"}


def test_a_card_number_equal_to_the_personal_id_is_refused(world):
    code = at_production(world)
    with pytest.raises(Invalid) as caught, command():
        commands.record_card_produced(
            world.production, code, case(code).resident.personal_id, date(2026, 11, 20)
        )
    assert "card_number" in caught.value.fields
    assert case(code).steps == ["await_card_production"]


def test_the_api_returns_a_file(api, world):
    code = at_production(world)
    body = {"case_code": code, "reason": "fingerprint_quality", "note": "Vân tay mờ"}
    answer = api.post("/production/returns", world.production, json=body)
    assert answer.status_code == 200 and answer.get_json()["code"] == code
    assert [t["step"] for t in answer.get_json()["tasks"]] == ["capture_biometrics"]
    assert api.post("/production/returns", world.production, json=body).status_code == 200  # repeat
    assert api.post("/production/returns", world.police, json=body).status_code == 403
    bad = api.post("/production/returns", world.production, json={"case_code": code, "reason": "x"})
    assert bad.status_code == 422 and "reason" in fields_of(bad)
    other = api.post(
        "/production/returns", world.production, json={"case_code": "HS-2026-999999", "reason": "data_check"}
    )
    assert other.status_code == 404


def test_the_centre_returns_a_file_from_the_batch_page(app, world):
    code = at_production(world)
    sent = dispatch(world.lead)
    client = login(app.test_client(), "production")
    html = client.get(f"/batches/{sent}").get_data(as_text=True)
    assert "Số sê-ri thẻ" in html and f"Trả hồ sơ {code}" in html
    response = client.post(
        f"/batches/{sent}/returns", data={"case_code": code, "reason": "photo_quality", "note": "Ảnh tối"}
    )
    assert response.status_code == 303
    assert case(code).steps == ["capture_biometrics"]
    page = login(app.test_client(), "police_a").get(f"/cases/{code}").get_data(as_text=True)
    assert (
        "Trung tâm trả hồ sơ" in page and "Ảnh chân dung không đạt chất lượng" in page and "Ảnh tối" in page
    )
    assert "file_returned" not in page  # the message's name, never its code
    assert batch(sent) is not None
