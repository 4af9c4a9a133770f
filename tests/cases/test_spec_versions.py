"""A changed diagram never breaks a case in flight: cases stay on the version they started on."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.cases import CLEAN, case, do, finish_from_biometrics, start, task_of
from webapp.models import ProcessSpec, db
from webapp.services import workflow_store
from workflows import Engine, load_bundle


@pytest.fixture
def redeploy(app):
    """Swap in an engine built from changed diagrams, as a new release would; restore after."""
    original = app.extensions[workflow_store.EXTENSION]

    def deploy(change):
        sources = dict(original.current.sources)
        change(sources)
        app.extensions[workflow_store.EXTENSION] = Engine(load_bundle(sources))
        return app.extensions[workflow_store.EXTENSION].current.version

    yield deploy
    app.extensions[workflow_store.EXTENSION] = original


def longer_biometrics_and_no_approval(sources):
    """Version 2: biometrics may take 9 working days, and approval is skipped."""
    dmn = sources["step_time_limits.dmn"]
    row = dmn.index('"capture_biometrics"')
    sources["step_time_limits.dmn"] = dmn[:row] + dmn[row:].replace("<text>1</text>", "<text>9</text>", 1)
    bpmn = sources["cccd_issuance.bpmn"]
    sources["cccd_issuance.bpmn"] = bpmn.replace(
        'sourceRef="join_one_visit" targetRef="approve_application"',
        'sourceRef="join_one_visit" targetRef="await_card_production"',
    )


def test_cases_finish_on_the_version_they_started_on(world, redeploy):
    old_code = start(world.police, world.resident())
    old_version = case(old_code).spec_version
    do(world.police, old_code, "verify_application", CLEAN)

    new_version = redeploy(longer_biometrics_and_no_approval)
    assert new_version != old_version
    new_code = start(world.police, world.resident())
    assert case(new_code).spec_version == new_version
    assert db.session.scalar(select(func.count()).select_from(ProcessSpec)) == 2

    do(world.police, new_code, "verify_application", CLEAN)
    old_task, new_task = task_of(old_code, "capture_biometrics"), task_of(new_code, "capture_biometrics")
    assert new_task.due_at - old_task.due_at >= timedelta(days=8)  # each by its own time limits

    # The new version skips approval; the old one still goes through it.
    assert (
        do(world.police, new_code, "capture_biometrics", {"fingerprints": "ok"}).current_steps
        == "await_card_production"
    )
    assert finish_from_biometrics(world, old_code).status == "issued"
    assert case(old_code).spec_version == old_version


def test_an_old_version_is_parsed_from_its_stored_sources(world, redeploy, app):
    code = start(world.police, world.resident())
    old_version = case(code).spec_version
    redeploy(longer_biometrics_and_no_approval)
    engine = app.extensions[workflow_store.EXTENSION]
    assert not engine.has_version(old_version)  # a fresh process after the release
    do(world.police, code, "verify_application", CLEAN)
    assert engine.has_version(old_version)
    assert case(code).current_steps == "capture_biometrics"


def test_a_failing_expression_puts_the_case_in_error_for_a_supervisor(world, redeploy):
    redeploy(
        lambda s: s.update(
            {
                "cccd_issuance.bpmn": s["cccd_issuance.bpmn"].replace(
                    'suggested_procedure != "none"', "suggested_procedure != no_such_name"
                )
            }
        )
    )
    code = start(world.police, world.resident())
    c = do(world.police, code, "verify_application", {"discrepancies": ["dob_mismatch"]})
    assert c.status == "error" and c.error_step == "gw_needs_justice"
    assert "no_such_name" in c.error_message
    from tests.support.cases import actions

    assert actions(code)[-1] == ("failed", "gw_needs_justice")
    assert ("completed", "verify_application") in actions(code)  # the officer's work is kept
