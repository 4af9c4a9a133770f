"""A case is handed only to a unit that takes cases: an active commune (one with an active police
officer or lead), never a province or a commune with nobody to receive it. The rule is the
services' own (units.case_target_problem), so the web form and the API refuse alike, naming
the field, and nothing changes."""

import pytest
from sqlalchemy import func, select

from tests.support.api import fields_of, snapshot
from tests.support.cases import case, start
from tests.support.web import login
from tests.support.world import PASSWORD
from webapp.models import CooperationRequest, db
from webapp.services.accounts import units, users
from webapp.services.cooperation import transfers
from webapp.services.errors import Invalid
from webapp.services.uow import command


@pytest.fixture
def empty_commune(world):
    """A commune of the province whose only officer has been deactivated."""
    with command():
        unit = units.ensure("13302", "Xã Gia Hưng", "commune", world.province)
        gone = users.create("police_gone", "police", unit.code, PASSWORD, "Đã nghỉ")
        gone.active = False
    return unit


def requests_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CooperationRequest))


@pytest.mark.parametrize(
    ("target", "said"),
    [("01", "never to a province"), ("13302", "no active police officer")],
)
def test_a_transfer_request_to_a_unit_that_takes_no_cases_is_refused(world, empty_commune, target, said):
    code = start(world.police, world.resident())
    with pytest.raises(Invalid) as refused, command():
        transfers.ask(world.police, code, target, "Tạm trú")
    assert [m.en for m in refused.value.fields["unit"]] and said in refused.value.fields["unit"][0].en
    assert requests_count() == 0 and case(code).unit.code == "13300"


def test_an_active_commune_takes_the_case(world):
    code = start(world.police, world.resident())
    with command():
        asked = transfers.ask(world.police, code, "13301", "Tạm trú")
    assert asked.to_unit.code == "13301"


def test_the_api_and_the_page_name_the_field(api, app, world):
    code = start(world.police, world.resident())
    api.token(world.police)
    before = snapshot()
    refused = api.post(
        f"/cases/{code}/transfer",
        world.police,
        json={"unit": "01", "reason": "Tạm trú"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422 and fields_of(refused) == {"unit"}
    assert "never to a province" in refused.get_json()["error"]["fields"]["unit"][0]
    assert snapshot() == before
    client = login(app.test_client(), "police_a")
    page = client.post(
        f"/cases/{code}/transfer",
        data={"unit": "Hà Nội (01)", "reason": "Tạm trú", "version": case(code).version},
    )
    assert page.status_code == 422 and "không chuyển cho cấp tỉnh" in page.get_data(as_text=True)
    assert requests_count() == 0 and case(code).unit.code == "13300"
