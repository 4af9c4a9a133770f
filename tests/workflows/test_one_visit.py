"""One visit: fingerprints and portrait are captured while the justice office works (the
parallel block fork_one_visit / join_one_visit of cccd_issuance.bpmn); approval waits for both.
The loops around the block (a returned file, a photo the centre refused) and a supervisor's move
back inside one branch must not make approval ready early (workflows/joins.py, engine.move_to)."""

import pytest

from tests.support.paths import BPMN
from workflows import Engine, load_directory

pytestmark = pytest.mark.no_db

DOB = {"discrepancies": ["dob_mismatch"], "refusal_reason": None}
CLEAN = {"discrepancies": [], "refusal_reason": None}
CORRECTION = {"procedure": "correction", "documents_complete": True}


@pytest.fixture(scope="module")
def engine():
    return Engine(load_directory(BPMN))


def steps(o) -> list[str]:
    return sorted(t.step for t in o.ready)


def do(engine, o, step, data):
    ready = [t for t in o.ready if t.step == step]
    assert len(ready) == 1, (step, steps(o))
    return engine.complete(engine.current.version, o.state, ready[0].id, data)


def justice(engine, o, confirmed=True):
    o = do(engine, o, "triage_correction", CORRECTION)
    o = do(engine, o, "record_correction", {"changes": {"birth_date": "1990-11-17"}})
    return do(engine, o, "update_population_record", {"confirmed": confirmed})


def test_a_clean_case_is_unchanged(engine):
    o = do(engine, engine.start({}), "verify_application", CLEAN)
    assert steps(o) == ["capture_biometrics"]
    assert steps(do(engine, o, "capture_biometrics", {"fingerprints": "ok"})) == ["approve_application"]


@pytest.mark.parametrize("biometrics_first", [True, False])
def test_biometrics_beside_the_justice_office_and_approval_waits_for_both(engine, biometrics_first):
    o = do(engine, engine.start({}), "verify_application", DOB)
    assert steps(o) == ["capture_biometrics", "triage_correction"]  # the same visit
    if biometrics_first:
        o = do(engine, o, "capture_biometrics", {"fingerprints": "ok"})
        o = justice(engine, o)
    else:
        o = justice(engine, o)
        assert steps(o) == ["capture_biometrics"]  # not approval yet
        o = do(engine, o, "capture_biometrics", {"fingerprints": "ok"})
    assert steps(o) == ["approve_application"]


def test_the_justice_loops_stay_in_their_branch(engine):
    o = do(engine, engine.start({}), "verify_application", DOB)
    o = do(engine, o, "capture_biometrics", {"fingerprints": "ok"})
    o = justice(engine, o, confirmed=False)  # the police could not update: justice looks again
    assert steps(o) == ["triage_correction"]
    o = do(engine, o, "triage_correction", {"procedure": "not_needed", "documents_complete": True})
    assert steps(o) == ["approve_application"]


def test_loops_around_the_block_redo_the_capture_before_approval(engine):
    o = do(engine, engine.start({}), "verify_application", DOB)
    o = do(engine, o, "capture_biometrics", {"fingerprints": "ok"})
    o = justice(engine, o)
    o = do(engine, o, "approve_application", {"decision": "return", "reason": "Ảnh mờ"})
    o = do(engine, o, "verify_application", CLEAN)
    assert steps(o) == ["capture_biometrics"]  # not approval: this round's capture is not done
    o = do(engine, o, "capture_biometrics", {"fingerprints": "ok"})
    o = do(engine, o, "approve_application", {"decision": "approve", "reason": None})
    assert o.waiting == ["await_card_production"]
    photo = engine.deliver_message(
        engine.current.version, o.state, "file_returned", {"reason": "photo_quality"}
    )
    assert steps(photo) == ["capture_biometrics"]  # only the capture is redone
    assert steps(do(engine, photo, "capture_biometrics", {"fingerprints": "ok"})) == ["approve_application"]


@pytest.mark.parametrize("step", ["triage_correction", "update_population_record", "capture_biometrics"])
def test_a_move_back_into_one_branch_drops_approval(engine, step):
    o = do(engine, engine.start({}), "verify_application", DOB)
    o = justice(engine, o)
    o = do(engine, o, "capture_biometrics", {"fingerprints": "ok"})  # biometrics arrives last
    assert steps(o) == ["approve_application"]
    moved = engine.move_to(engine.current.version, o.state, step)
    assert steps(moved) == [step]


def test_a_refusal_by_the_justice_office_closes_both_branches(engine):
    o = do(engine, engine.start({}), "verify_application", DOB)
    o = do(engine, o, "triage_correction", {"procedure": "refuse", "documents_complete": True})
    assert o.completed and "end_refused_by_justice" in o.end_events and o.ready == []
