"""Shared by tests/test_appointments.py and tests/test_appointments_web.py (no tests here): the
frozen Monday both run on (an autouse fixture: importing it turns it on for the module), the
station fixture, and a booking made in one command."""

import pytest
import time_machine
from stationhelpers import MONDAY, make_station

from webapp.services import appointments
from webapp.services.uow import command


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def station(world):
    return make_station(world.lead)


def book(user, slot, pids) -> str:
    with command():
        return appointments.book(user, slot, pids).code
