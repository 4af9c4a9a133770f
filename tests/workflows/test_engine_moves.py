"""Supervisors' repairs in the engine alone: retry a failed step, move a case back to a step it
has passed. Plain objects and JSON, no database."""

from pathlib import Path

import pytest
import time_machine

from tests.support.paths import BPMN
from workflows import Engine, TaskNotReady, load_bundle, load_directory
from workflows.engine import CannotReset

pytestmark = pytest.mark.no_db

BROKEN_EXPRESSION = ('suggested_procedure != "none"', "suggested_procedure != undefined_name")


@pytest.fixture(scope="module")
def sources():
    return {p.name: p.read_text(encoding="utf-8") for p in BPMN.iterdir() if p.suffix in (".bpmn", ".dmn")}


@pytest.fixture(scope="module")
def engine():
    return Engine(load_directory(BPMN))


def run(engine, outcome, data, step=None):
    ready = [t for t in outcome.ready if step is None or t.step == step]
    assert len(ready) == 1, outcome.ready
    return engine.complete(engine.current.version, outcome.state, ready[0].id, data)


def steps(outcome):
    return [t.step for t in outcome.ready]


def to_production(engine, justice=False):
    o = engine.start({})
    if justice:  # biometrics at the same visit, then the justice office (parallel branches)
        o = run(engine, o, {"discrepancies": ["dob_mismatch"], "refusal_reason": None})
        o = run(engine, o, {"fingerprints": "ok"}, "capture_biometrics")
        o = run(engine, o, {"procedure": "correction", "documents_complete": True})
        o = run(engine, o, {"changes": {"full_name": "Nguyễn Văn B"}})
        o = run(engine, o, {"confirmed": True})
    else:
        o = run(engine, o, {"discrepancies": [], "refusal_reason": None})
        o = run(engine, o, {"fingerprints": "ok"})
    o = run(engine, o, {"decision": "approve", "reason": None})
    assert o.waiting == ["await_card_production"] and o.next_timer_at is not None
    return o


def broken_case(sources):
    """A case stopped in error at a gateway whose condition names an undefined variable."""
    broken = dict(sources)
    broken["cccd_issuance.bpmn"] = broken["cccd_issuance.bpmn"].replace(*BROKEN_EXPRESSION)
    bad = load_bundle(broken)
    engine = Engine(bad)
    o = engine.start({})
    o = run(engine, o, {"discrepancies": ["dob_mismatch"], "refusal_reason": None})
    assert o.error is not None and o.error.step == "gw_needs_justice"
    return engine, bad, o


def test_move_back_from_production_drops_the_production_timer(engine):
    o = to_production(engine)
    assert engine.passed_steps(engine.current.version, o.state) == [
        "verify_application",
        "capture_biometrics",
        "approve_application",
    ]
    moved = engine.move_to(engine.current.version, o.state, "capture_biometrics")
    assert steps(moved) == ["capture_biometrics"] and moved.waiting == [] and moved.next_timer_at is None
    assert moved.error is None and not moved.completed
    # The path from there runs again to the end.
    o = run(engine, moved, {"fingerprints": "exception"})
    o = run(engine, o, {"decision": "approve", "reason": None})
    assert o.waiting == ["await_card_production"]
    o = engine.deliver_message(engine.current.version, o.state, "card_produced", {"card_number": "C1"})
    o = run(engine, o, {})
    o = run(engine, o, {"received_by": "self"})
    assert o.completed and "end_issued" in o.end_events


def test_a_moved_case_still_fires_no_stale_timer(engine):
    o = to_production(engine)
    moved = engine.move_to(engine.current.version, o.state, "approve_application")
    with time_machine.travel(o.next_timer_at.timestamp() + 3600, tick=False):
        later = engine.fire_timers(engine.current.version, moved.state)
    assert later.events == [] and steps(later) == ["approve_application"]


def test_move_back_into_the_justice_subprocess(engine):
    o = to_production(engine, justice=True)
    moved = engine.move_to(engine.current.version, o.state, "record_correction")
    assert steps(moved) == ["record_correction"] and moved.ready[0].lane == "justice"
    o = run(engine, moved, {"changes": {"full_name": "Nguyễn Văn C"}})
    assert steps(o) == ["update_population_record"]


def test_move_in_a_loop_goes_back_to_the_last_run(engine):
    o = engine.start({})
    first = o.ready[0].id
    o = run(engine, o, {"discrepancies": [], "refusal_reason": None})
    o = run(engine, o, {"fingerprints": "ok"})
    o = run(engine, o, {"decision": "return", "reason": "Ảnh mờ"})
    second = o.ready[0].id
    assert second != first and steps(o) == ["verify_application"]
    o = run(engine, o, {"discrepancies": [], "refusal_reason": None})
    moved = engine.move_to(engine.current.version, o.state, "verify_application")
    assert [t.id for t in moved.ready] == [second]


def test_the_moved_away_task_can_no_longer_be_completed(engine):
    o = engine.start({})
    o = run(engine, o, {"discrepancies": [], "refusal_reason": None})
    stale = o.ready[0].id
    moved = engine.move_to(engine.current.version, o.state, "verify_application")
    with pytest.raises(TaskNotReady):
        engine.complete(engine.current.version, moved.state, stale, {"fingerprints": "ok"})


def test_a_moved_case_can_still_be_withdrawn(engine):
    o = to_production(engine)
    moved = engine.move_to(engine.current.version, o.state, "verify_application")
    w = engine.deliver_message(
        engine.current.version, moved.state, "case_withdrawn", {"withdraw_reason": "x"}
    )
    assert w.completed and w.end_events == ["end_withdrawn"]


@pytest.mark.parametrize(
    "step", ["hand_over_card", "capture_biometrics", "no_such_step", "production_deadline"]
)
def test_move_to_a_step_not_passed_is_refused(engine, step):
    o = engine.start({})
    o = run(engine, o, {"discrepancies": [], "refusal_reason": None})  # now at capture_biometrics
    with pytest.raises(CannotReset) as err:
        engine.move_to(engine.current.version, o.state, step)
    assert err.value.reason == "not_passed"


def test_retry_on_the_fixed_diagram_goes_on(sources):
    engine, bad, o = broken_case(sources)
    good = load_bundle(sources)
    engine.add_bundle(good)
    again = engine.retry(bad.version, o.state)  # same broken diagram: the same error again
    assert again.error is not None and again.error.step == "gw_needs_justice"
    fixed = engine.retry(bad.version, o.state, to_version=good.version)
    assert fixed.error is None and sorted(steps(fixed)) == ["capture_biometrics", "triage_correction"]


def test_retry_with_fixed_data_goes_on(sources):
    engine, bad, o = broken_case(sources)
    # The condition now reads `suggested_procedure != undefined_name`: the data decides the path.
    to_justice = engine.retry(bad.version, o.state, data={"undefined_name": "none"})
    assert to_justice.error is None and sorted(steps(to_justice)) == [
        "capture_biometrics",
        "triage_correction",
    ]
    skip = engine.retry(bad.version, o.state, data={"undefined_name": "correction"})
    assert skip.error is None and steps(skip) == ["capture_biometrics"]


def test_retry_without_an_error_is_refused(engine):
    o = engine.start({})
    with pytest.raises(CannotReset) as err:
        engine.retry(engine.current.version, o.state)
    assert err.value.reason == "no_error"


def test_retry_on_a_diagram_without_the_case_tasks_is_refused(sources):
    engine, bad, o = broken_case(sources)
    renamed = dict(sources)
    renamed["cccd_issuance.bpmn"] = renamed["cccd_issuance.bpmn"].replace(
        "gw_needs_justice", "gw_justice_needed"
    )
    other = load_bundle(renamed)
    engine.add_bundle(other)
    with pytest.raises(CannotReset) as err:
        engine.retry(bad.version, o.state, to_version=other.version)
    assert err.value.reason == "version_mismatch"


def test_move_from_error_back_to_an_earlier_step(sources):
    engine, bad, o = broken_case(sources)
    moved = engine.move_to(bad.version, o.state, "verify_application")
    assert moved.error is None and steps(moved) == ["verify_application"]
    # With no discrepancy the broken condition is still evaluated: the case fails the same way.
    o = run(engine, moved, {"discrepancies": [], "refusal_reason": None})
    assert o.error is not None and o.error.step == "gw_needs_justice"


# --- a move back inside one branch of a parallel block --------------------------------------


@pytest.fixture(scope="module")
def parallel():
    """start → fork → (a | b) → join → c → end (tests/workflows/parallel_join.bpmn)."""
    source = (Path(__file__).parent / "parallel_join.bpmn").read_text(encoding="utf-8")
    return Engine(load_bundle({"parallel_join.bpmn": source}, main_process="par"))


@pytest.mark.parametrize(("first", "last"), [("a", "b"), ("b", "a")])
def test_a_move_back_inside_a_branch_makes_the_join_wait_again(parallel, first, last):
    """Whichever branch reached the join last, moving back to a step of either branch drops what
    followed the join (c) and redoes only that step; the other branch's work stays done."""
    version = parallel.current.version
    o = parallel.start({})
    assert sorted(steps(o)) == ["a", "b"]
    o = run(parallel, o, {first: 1}, first)
    o = run(parallel, o, {last: 1}, last)
    assert steps(o) == ["c"]
    for step in ("a", "b"):
        moved = parallel.move_to(version, o.state, step)
        assert steps(moved) == [step]  # not c: the join waits for the step being redone
        again = run(parallel, moved, {step: 2}, step)
        assert steps(again) == ["c"] and again.data[step] == 2
