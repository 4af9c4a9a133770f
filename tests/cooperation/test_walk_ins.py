"""Walk-ins of residents registered elsewhere, and the counting rule: coverage counts each
person once, at their permanent unit, as applied wherever the case was taken; progress counts
each case at the unit that holds it."""

from datetime import date

import pytest

from tests.support.stations import make_station
from webapp.models import Case, db
from webapp.services.accounts import users
from webapp.services.errors import Invalid
from webapp.services.residents import listing
from webapp.services.residents.registry import get
from webapp.services.stations import checkin
from webapp.services.supervision import coverage
from webapp.services.uow import command

pytestmark = pytest.mark.usefixtures("monday")


@pytest.fixture
def university(world):
    """A mobile team's station at a university in Hà Nội (another province)."""
    with command():
        lead = users.create("lead_hn", "police_lead", "00004", "secret-pass-1", "lead_hn")
    return make_station(lead, name="Đại học Bách khoa Hà Nội", kind="school")


def test_a_student_registered_in_another_province_walks_in_and_the_home_coverage_counts_them(
    world, university
):
    pid = world.resident(born=date(2006, 9, 1))
    before = coverage.coverage(world.police, None).total
    with command():
        result = checkin.walk_in(world.outsider, university, [pid])
    [(resident, started)] = result.started
    case = db.session.get(Case, started.id)
    assert case.unit.code == "00004" and case.priority == "student"  # the case is the station's unit's
    after = coverage.coverage(world.police, None).total
    assert (after.eligible, after.applied) == (before.eligible, before.applied + 1)  # once, at home
    # The home unit's listing sees that the person applied, and where.
    [row] = listing.rows([get(pid)])
    assert row.case_code == case.code and row.case_unit == "Phường Ba Đình"
    # Hà Nội's own coverage is untouched: the student is not its resident.
    assert coverage.coverage(world.outsider, None).total.applied == 0


def test_a_walk_in_names_an_unknown_id_and_starts_nothing(world, university):
    with pytest.raises(Invalid) as caught, command():
        checkin.walk_in(world.outsider, university, ["037190999999"])
    assert "037190999999" in str(caught.value.fields["people"][0].vi)
    assert db.session.query(Case).count() == 0
