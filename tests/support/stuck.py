"""Helpers for the stuck-case and supervision tests: fixed moments, a case in error, a case
waiting on production."""

from datetime import UTC, datetime

import time_machine

from tests.support.cases import CLEAN, DOB, case, do, start
from tests.support.paths import BPMN
from vntime import LOCAL_TZ
from webapp.services import workflow_store
from workflows import load_bundle

# Monday 5 October 2026, 09:00 in Hà Nội: a plain working week.
MONDAY = datetime(2026, 10, 5, 9, 0, tzinfo=LOCAL_TZ)


def at(moment: datetime):
    return time_machine.travel(moment.astimezone(UTC), tick=False)


def broken_bundle():
    """The diagrams with a gateway condition that names an undefined variable."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in BPMN.iterdir() if p.suffix in (".bpmn", ".dmn")}
    sources["cccd_issuance.bpmn"] = sources["cccd_issuance.bpmn"].replace(
        'suggested_procedure != "none"', "suggested_procedure != undefined_name"
    )
    return load_bundle(sources)


def error_case(world, monkeypatch) -> str:
    """A case started on the broken diagram and stopped in error at that gateway."""
    engine = workflow_store.engine()
    broken = broken_bundle()
    engine.add_bundle(broken)
    with monkeypatch.context() as m:
        m.setattr(engine, "current", broken)
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
    assert case(code).status == "error" and case(code).spec_version == broken.version
    return code


def to_production(world, unit=None) -> str:
    officer = world.police if unit is None else world.police_b
    code = start(officer, world.resident(unit=unit))
    do(officer, code, "verify_application", CLEAN)
    do(officer, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    assert case(code).current_steps == "await_card_production"
    return code
