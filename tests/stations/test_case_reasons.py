"""Reissue and exchange reasons at check-in and walk-in: chosen by the officer, or by default
from the resident's record (no card: new; CMND: exchange; a card reported lost: reissue; an age
milestone; data changed since the card)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.support.appointments import book
from tests.support.cases import case
from tests.support.stations import TODAY, resident, slot_id
from tests.support.web import login
from webapp.models import AppointmentPerson, Case, CaseEvent, ResidentCorrection, db
from webapp.services.cases import case_reasons
from webapp.services.errors import Invalid
from webapp.services.stations import checkin
from webapp.services.uow import command

pytestmark = pytest.mark.usefixtures("monday")  # Monday 2 March 2026


def holding(world, card_state, born=date(1990, 5, 17), issued=None) -> str:
    pid = world.resident(born=born)
    with command():
        r = resident(pid)
        r.card_state, r.card_issued_on = card_state, issued
    return pid


def started(pid: str) -> tuple[str, str | None]:
    """The kind of the resident's case and the reason its history keeps."""
    c = db.session.scalar(select(Case).join(Case.resident).where(Case.resident.has(personal_id=pid)))
    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == c.id, CaseEvent.action == "started")
    )
    return c.kind, event.detail.get("reason")


@pytest.mark.parametrize(
    ("card_state", "born", "issued", "expected"),
    [
        ("none", date(1990, 5, 17), None, ("new", None)),
        ("cmnd", date(1990, 5, 17), None, ("exchange", "from_cmnd")),
        ("lost", date(1990, 5, 17), None, ("reissue", "lost")),
        # 25 since February, card from age 16: the milestone (listing_need.dmn)
        ("chip", date(2001, 2, 10), date(2017, 6, 1), ("exchange", "age_milestone")),
        # 35, card from 2021: no milestone and nothing changed: a damaged card is what is left
        ("chip", date(1990, 5, 17), date(2021, 6, 1), ("exchange", "damaged")),
    ],
)
def test_check_in_takes_each_persons_default_from_the_record(
    world, station, card_state, born, issued, expected
):
    pid = holding(world, card_state, born, issued)
    code = book(world.police, slot_id(station, TODAY, "09:00"), [pid])
    with command():
        result = checkin.check_in(world.police, station, code)
    assert result.failed == []
    assert started(pid) == expected


def test_an_identity_correction_after_the_card_defaults_to_changed_data(world, station):
    pid = holding(world, "chip", issued=date(2021, 6, 1))
    with command():
        r = resident(pid)
        db.session.add(
            ResidentCorrection(
                resident_id=r.id,
                status="applied",
                changes={"full_name": {"old": "Nguyễn Thị Lan", "new": "Nguyễn Thị Lanh"}},
                basis_kind="birth_certificate",
                basis_number="12",
                basis_date=date(2025, 1, 5),
                by_id=world.police.id,
                at=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
            )
        )
    assert case_reasons.default_for(resident(pid)) == "changed_data"


def test_the_officers_choice_applies_to_everyone_of_the_walk_in(world, station):
    first, second = holding(world, "chip", issued=date(2021, 6, 1)), holding(world, "none")
    with command():
        result = checkin.walk_in(world.police, station, [first], choice="lost")
    assert result.failed == [] and started(first) == ("reissue", "lost")
    reissue = case(result.started[0][1].code)
    assert reissue.legal_due_on is not None  # the reissue row of legal_time_limits.dmn
    with command():
        result = checkin.walk_in(world.police, station, [second], choice="damaged")
    assert started(second) == ("exchange", "damaged")


def test_an_unknown_choice_is_refused_naming_the_field(world, station):
    pid = holding(world, "none")
    with pytest.raises(Invalid) as caught, command():
        checkin.walk_in(world.police, station, [pid], choice="stolen")
    assert "reason" in caught.value.fields
    assert db.session.scalar(select(AppointmentPerson.id)) is None


def test_the_station_page_offers_the_reasons_and_the_walk_in_form_uses_them(app, world, station):
    client = login(app.test_client(), "police_a")
    page = client.get(f"/stations/{station}").get_data(as_text=True)
    assert page.count('name="reason"') == 2  # check-in and walk-in
    assert "Cấp lại do mất thẻ" in page and "Đổi thẻ khi đến tuổi (14, 25, 40, 60)" in page
    pid = holding(world, "chip", issued=date(2021, 6, 1))
    response = client.post(f"/stations/{station}/walk-in", data={"people": pid, "now": "1", "reason": "lost"})
    assert response.status_code == 303
    assert started(pid) == ("reissue", "lost")
    detail = client.get(f"/cases/{db.session.scalar(select(Case.code))}").get_data(as_text=True)
    assert "Cấp lại · Cấp lại do mất thẻ" in detail
