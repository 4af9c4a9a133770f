"""Fixtures of the appointment tests: the frozen Monday they run on (a module asks for it with
`pytestmark = pytest.mark.usefixtures("monday")`), a station, and a booking made in one command."""

import pytest
import time_machine

from tests.support.stations import MONDAY, make_station
from webapp.services.stations import appointments
from webapp.services.uow import command


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def station(world):
    return make_station(world.lead)


def book(user, slot, pids) -> str:
    with command():
        return appointments.book(user, slot, pids).code
