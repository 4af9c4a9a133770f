"""The engine alone: diagrams load and validate, paths run in memory, errors become states."""

import json

import pytest
import time_machine

from tests.support.paths import BPMN
from workflows import BundleError, Engine, TaskNotReady, load_bundle, load_directory
from workflows.bundle import content_version

pytestmark = pytest.mark.no_db

API_STEPS = {
    "verify_application": "police",
    "update_population_record": "police",
    "capture_biometrics": "police",
    "approve_application": "approval",
    "receive_card": "police",
    "hand_over_card": "police",
    "triage_correction": "justice",
    "await_citizen_documents": "justice",
    "record_correction": "justice",
    "verify_original_commune": "justice",  # a re-registration asks the first place of registration
}


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


def test_every_api_step_is_a_user_task_in_its_lane_with_a_form_key(engine):
    steps = engine.current.steps
    assert {s: steps[s].lane for s in steps} == API_STEPS
    assert all(step.form_key == step.id for step in steps.values())


def test_version_is_a_content_hash(sources):
    changed = dict(sources)
    changed["step_time_limits.dmn"] = changed["step_time_limits.dmn"].replace(
        "<text>5</text>", "<text>6</text>"
    )
    assert content_version(sources) == content_version(dict(sources))
    assert content_version(changed) != content_version(sources)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            '<bpmndi:BPMNShape id="capture_biometrics_di" bpmnElement="capture_biometrics">',
            '<bpmndi:BPMNShape id="capture_biometrics_di" bpmnElement="nothing">',
            "capture_biometrics has no diagram",
        ),
        ('<spiffworkflow:property name="formKey" value="receive_card" />', "", "receive_card has no formKey"),
        ("<bpmn:flowNodeRef>hand_over_card</bpmn:flowNodeRef>", "", "hand_over_card is in no lane"),
        ("<bpmn:process ", "<bpmn:process", "cccd_issuance.bpmn"),
    ],
)
def test_broken_diagrams_are_refused_at_load(sources, old, new, problem):
    broken = dict(sources)
    assert old in broken["cccd_issuance.bpmn"]
    broken["cccd_issuance.bpmn"] = broken["cccd_issuance.bpmn"].replace(old, new, 1)
    with pytest.raises(BundleError) as err:
        load_bundle(broken)
    assert problem in str(err.value)


def test_decision_tables(engine):
    decide = engine.current.decide
    assert decide("discrepancy_procedure", discrepancies=[]) == {"suggested_procedure": "none"}
    assert (
        decide("discrepancy_procedure", discrepancies=["dob_incomplete"])["suggested_procedure"]
        == "supplement"
    )
    both = ["dob_incomplete", "no_birth_certificate"]
    assert (
        decide("discrepancy_procedure", discrepancies=both)["suggested_procedure"] == "birth_reregistration"
    )
    assert decide("eligibility", law="2014", kind="new", age=13)["eligible"] is False
    assert decide("eligibility", law="2023", kind="new", age=3)["eligible"] is True
    assert decide("eligibility", law="2014", kind="exchange", age=25)["eligible"] is True
    assert decide("step_time_limit", step="record_correction") == {"working_days": 3}
    assert decide("step_time_limit", step="no_such_step") == {}


def test_clean_path_in_memory_and_state_holds_no_specs(engine):
    o = engine.start({})
    assert [t.step for t in o.ready] == ["verify_application"]
    o = run(engine, o, {"discrepancies": [], "refusal_reason": None})
    o = run(engine, o, {"fingerprints": "ok"})
    o = run(engine, o, {"decision": "approve", "reason": None})
    assert o.ready == [] and o.waiting == ["await_card_production"] and o.next_timer_at is not None
    stored = json.loads(o.state)
    assert "spec" not in stored and "subprocess_specs" not in stored and stored["serializer_version"]
    o = engine.deliver_message(engine.current.version, o.state, "card_produced", {"card_number": "C9"})
    assert o.data["card"] == {"card_number": "C9"}
    o = run(engine, o, {})
    o = run(engine, o, {"received_by": "post"})
    assert o.completed and o.end_events == ["end_issued"] and o.next_timer_at is None


def test_a_task_cannot_be_completed_twice(engine):
    o = engine.start({})
    task_id = o.ready[0].id
    after = engine.complete(
        engine.current.version, o.state, task_id, {"discrepancies": [], "refusal_reason": None}
    )
    with pytest.raises(TaskNotReady):
        engine.complete(engine.current.version, after.state, task_id, {"discrepancies": []})
    with pytest.raises(TaskNotReady):
        engine.complete(engine.current.version, o.state, "not-a-uuid", {})


def test_timers_do_not_fire_early(engine):
    o = engine.start({})
    o = run(engine, o, {"discrepancies": ["dob_mismatch"], "refusal_reason": None})
    # Biometrics at the same visit (beside the justice office): its step stays ready meanwhile.
    o = run(engine, o, {"procedure": "correction", "documents_complete": False}, "triage_correction")
    due = o.next_timer_at
    with time_machine.travel(due.timestamp() - 3600, tick=False):
        early = engine.fire_timers(engine.current.version, o.state)
    assert early.events == [] and early.next_timer_at == due
    with time_machine.travel(due.timestamp() + 1, tick=False):
        fired = engine.fire_timers(engine.current.version, o.state)
    assert [e.kind for e in fired.events] == ["timer", "signal"] and fired.next_timer_at > due


def test_form_input_is_data_never_code(engine, tmp_path):
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    o = engine.start({})
    o = run(engine, o, {"discrepancies": [], "refusal_reason": None, "note": payload})
    o = run(engine, o, {"fingerprints": "ok", "note": payload})
    assert not marker.exists()
    assert o.data["note"] == payload


def test_a_failing_expression_puts_the_case_in_error_with_its_step(sources):
    broken = dict(sources)
    broken["cccd_issuance.bpmn"] = broken["cccd_issuance.bpmn"].replace(
        'suggested_procedure != "none"', "suggested_procedure != undefined_name"
    )
    engine = Engine(load_bundle(broken))
    o = engine.start({})
    o = engine.complete(
        engine.current.version,
        o.state,
        o.ready[0].id,
        {"discrepancies": ["dob_mismatch"], "refusal_reason": None},
    )
    assert o.error is not None and o.error.step == "gw_needs_justice"
    assert "undefined_name" in o.error.message
    # The biometrics branch went on beside the failed justice branch.
    assert not o.completed and [t.step for t in o.ready] == ["capture_biometrics"]


def test_a_failing_decision_table_names_the_row(sources):
    broken = dict(sources)
    broken["discrepancy_procedure.dmn"] = broken["discrepancy_procedure.dmn"].replace(
        '"dob_mismatch" in discrepancies', '"dob_mismatch" in discrepancies + 1'
    )
    engine = Engine(load_bundle(broken))
    o = engine.start({})
    o = engine.complete(
        engine.current.version, o.state, o.ready[0].id, {"discrepancies": [], "refusal_reason": None}
    )
    assert o.error is not None and o.error.step == "classify_discrepancies"
