"""The progress tests' small campaign (a pytest plugin, tests/conftest.py): cases at every stage
of two communes, and residents that no figure counts."""

from datetime import date

import pytest

from tests.support.cases import CLEAN, DOB, do, start
from webapp.services.cases import commands
from webapp.services.uow import command


def approved(w, code):
    do(w.police, code, "verify_application", CLEAN)
    do(w.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(w.approval, code, "approve_application", {"decision": "approve"})


@pytest.fixture
def campaign(world):
    """Commune A: one card handed over (eID activated), one file at the justice office, one
    waiting for production, one card produced; commune B: one file at intake, one withdrawn.
    Not counted anywhere: a deceased resident, a child of 6, a Hà Nội resident."""
    w = world
    issued = start(w.police, w.resident())
    do(w.police, issued, "verify_application", {**CLEAN, "eid_request": True, "eid_phone": "0912345678"})
    finish_eid(w, issued)
    at_justice = start(w.police, w.resident())
    do(w.police, at_justice, "verify_application", DOB)
    do(w.police, at_justice, "capture_biometrics", {"fingerprints": "ok"})  # at the same visit
    waiting = start(w.police, w.resident())
    approved(w, waiting)
    produced = start(w.police, w.resident())
    approved(w, produced)
    with command():
        commands.record_card_produced(w.production, produced, "C000000777", date(2026, 11, 20))
    start(w.police_b, w.resident(unit=w.commune_b))
    gone = start(w.police_b, w.resident(unit=w.commune_b))
    with command():
        commands.withdraw(w.police_b, gone, "Công dân rút hồ sơ")
    w.resident()  # eligible in A, no case yet
    w.resident(status="deceased")
    w.resident(born=date(2020, 1, 1))
    w.resident(unit=w.other_commune, province="001")
    w.codes = {"issued": issued, "justice": at_justice, "waiting": waiting, "produced": produced}
    return w


def finish_eid(w, code):
    do(w.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(w.approval, code, "approve_application", {"decision": "approve"})
    with command():
        commands.record_card_produced(w.production, code, "C000000001", date(2026, 11, 20))
    do(w.police, code, "receive_card")
    do(w.police, code, "hand_over_card", {"received_by": "self", "eid_activated": True})
