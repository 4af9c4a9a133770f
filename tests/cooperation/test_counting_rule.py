"""The counting rule (docs/cooperation.md), end to end: a walk-in at another province's station
is one "applied" in the home unit's coverage and one application in the station's progress,
never both in one unit; a person with two cases counts once in coverage."""

from datetime import date

from tests.support.cases import start
from tests.support.stations import make_station
from webapp.models import Case, db
from webapp.services.accounts import users
from webapp.services.stations import checkin
from webapp.services.supervision import coverage
from webapp.services.uow import command


def test_a_walk_in_counts_in_the_home_coverage_and_in_the_stations_progress_once_each(world, monday):
    with command():
        lead = users.create("lead_hn", "police_lead", "00004", "secret-pass-1", "lead_hn")
        hanoi = users.create("sup_hn", "supervisor", "01", "secret-pass-1", "sup_hn")
    station = make_station(lead, name="Đại học Bách khoa Hà Nội", kind="school")
    pid = world.resident(born=date(2006, 9, 1))
    with command():
        checkin.walk_in(world.outsider, station, [pid])
    home, there = coverage.progress(world.supervisor, "37"), coverage.progress(hanoi, "01")
    assert (home["applied"], there["applied"]) == (0, 1)  # progress: the unit holding the case
    assert coverage.coverage(world.supervisor, "37").total.applied == 1  # coverage: the home unit
    assert coverage.coverage(hanoi, "01").total.applied == 0


def test_two_cases_of_one_person_count_once_in_coverage(world):
    pid = world.resident()
    first = start(world.police, pid)
    with command():
        db.session.scalar(db.select(Case).where(Case.code == first)).status = "issued"
    start(world.police2, pid, kind="reissue")  # a second card (lost), a second application
    figures = coverage.coverage(world.supervisor, "37").total
    assert figures.applied == 1
    assert coverage.progress(world.supervisor, "37")["applied"] == 2  # two applications
