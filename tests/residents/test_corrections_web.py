"""The police desk's correction page: the record with its flag, the form (dates dd/mm/yyyy), each
error under its field with nothing written, a lead's confirmation from the history."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.support.web import login
from tests.support.world import PASSWORD
from webapp.models import Resident, ResidentCorrection, db
from webapp.services.accounts import users
from webapp.services.residents import registry
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command


def form(resident: Resident, **changes) -> dict:
    values = {
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.strftime("%d/%m/%Y"),
        "birth_date_precision": resident.birth_date_precision,
        "sex": resident.sex,
        "ethnicity": resident.ethnicity or "",
        "hometown": resident.hometown or "",
        "place_of_birth": resident.place_of_birth or "",
        "basis_kind": "birth_certificate",
        "basis_number": "45/TLKS",
        "basis_date": "05/03/2024",
        "reason": "",
    }
    return {**values, **changes}


def flagged(world) -> Resident:
    """Born 1990 by the record, 1991 by the ID's digits."""
    pid = make_personal_id("037", 1991, "female", 5151)
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
    return db.session.scalar(select(Resident).where(Resident.personal_id == pid))


def reread(pid: str) -> Resident:
    db.session.expire_all()
    return db.session.scalar(select(Resident).where(Resident.personal_id == pid))


@pytest.fixture
def police(app, world):
    return login(app.test_client(), "police_a")


def test_a_flagged_record_is_fixed_at_the_desk_and_confirmed_by_a_lead(app, world, police):
    resident = flagged(world)
    page = police.get(f"/residents/{resident.personal_id}/corrections").get_data(as_text=True)
    assert "Sai thông tin dân cư" in page and "năm sinh" in page
    sent = police.post(
        f"/residents/{resident.personal_id}/corrections", data=form(resident, birth_date="17/05/1991")
    )
    assert sent.status_code == 303
    assert reread(resident.personal_id).birth_date == date(1990, 5, 17)  # waits for a lead
    page = police.get(f"/residents/{resident.personal_id}/corrections").get_data(as_text=True)
    assert "17/05/1990 → <strong>17/05/1991</strong>" in page and "Chờ lãnh đạo xác nhận" in page
    assert "1991-05-17" not in page  # no ISO dates on a Vietnamese page
    lead = login(app.test_client(), "lead_a")
    (correction,) = db.session.scalars(select(ResidentCorrection)).all()
    done = lead.post(f"/residents/{resident.personal_id}/corrections/{correction.id}/confirm")
    assert done.status_code == 303
    fixed = reread(resident.personal_id)
    assert fixed.birth_date == date(1991, 5, 17) and fixed.id_mismatch is None
    assert "Sai thông tin dân cư" not in lead.get(f"/residents/{resident.personal_id}/corrections").get_data(
        as_text=True
    )


def test_a_place_change_applies_at_once(world, police):
    pid = world.resident()
    resident = reread(pid)
    police.post(f"/residents/{pid}/corrections", data=form(resident, hometown="Xã Gia Sinh, Ninh Bình"))
    assert reread(pid).hometown == "Xã Gia Sinh, Ninh Bình"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": "31/02/1990"}, "Ngày sinh phải là YYYY-MM-DD"),
        ({"basis_number": ""}, "Bắt buộc nhập"),
        ({"basis_date": "01/01/2999"}, "không được ở tương lai"),
        ({}, "Ghi ít nhất một thông tin cần sửa"),
    ],
)
def test_bad_input_shows_each_error_and_writes_nothing(world, police, changes, message):
    pid = world.resident()
    resident = reread(pid)
    response = police.post(f"/residents/{pid}/corrections", data=form(resident, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(ResidentCorrection.id)) is None


def test_other_roles_and_units_cannot_reach_the_page(app, world):
    pid = world.resident()
    # A role outside the route's rule is refused at the gate (403); another unit finds nothing (404).
    assert login(app.test_client(), "justice_a").get(f"/residents/{pid}/corrections").status_code == 403
    assert login(app.test_client(), "police_hn").get(f"/residents/{pid}/corrections").status_code == 404
    with command():
        users.create("lead_b", "police_lead", world.commune_b.code, PASSWORD, "Lãnh đạo B")
    assert login(app.test_client(), "lead_b").get(f"/residents/{pid}/corrections").status_code == 404
