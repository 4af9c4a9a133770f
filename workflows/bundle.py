"""A bundle is every diagram and decision table of one version, parsed once and validated.

The version is a content hash of all files: change any of them and new cases start on a new
version, while cases in flight stay pinned to the one they started on.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

MAIN_PROCESS = "cccd_issuance"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
# Flow elements that a modeler must be able to draw.
DRAWN = (
    "startEvent",
    "endEvent",
    "intermediateThrowEvent",
    "intermediateCatchEvent",
    "boundaryEvent",
    "userTask",
    "scriptTask",
    "businessRuleTask",
    "serviceTask",
    "receiveTask",
    "sendTask",
    "task",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "sequenceFlow",
    "lane",
    "participant",
)


class BundleError(Exception):
    """A diagram or decision table is invalid; the message names the file and element."""


@dataclass(frozen=True)
class StepInfo:
    """A user task of the diagrams: what an inbox shows and which form it opens."""

    id: str
    name: str
    lane: str
    form_key: str
    process: str


@dataclass
class SpecBundle:
    version: str
    sources: dict[str, str]
    spec: object
    subprocess_specs: dict
    steps: dict[str, StepInfo]
    # Event subprocesses whose start interrupts the case (SpiffWorkflow 3.2 runs them but does
    # not cancel the rest of the process; the engine does).
    interrupting: frozenset[str]
    _parser: SpiffBpmnParser = field(repr=False)
    _limits: dict[str, int | None] = field(default_factory=dict, repr=False)

    def time_limit(self, step: str) -> int | None:
        """Working days a step may take (step_time_limits.dmn), evaluated once per step."""
        if step not in self._limits:
            days = self.decide("step_time_limit", step=step).get("working_days")
            self._limits[step] = None if days is None else int(days)
        return self._limits[step]

    @property
    def decisions(self) -> frozenset[str]:
        """The ids of the decision tables of this version (an older version may lack a newer one)."""
        return frozenset(self._parser.dmn_parsers)

    def decide(self, decision_id: str, **inputs) -> dict:
        """Evaluate a decision table on plain inputs (first matching row; {} when none matches)."""
        engine = self._parser.get_engine(decision_id, None)
        task = SimpleNamespace(data=dict(inputs), workflow=SimpleNamespace(script_engine=_DMN_SCRIPTS))
        return engine.result(task)


_DMN_SCRIPTS = PythonScriptEngine()


def content_version(sources: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    return digest.hexdigest()[:20]


def load_directory(path: str | Path) -> SpecBundle:
    path = Path(path)
    sources = {
        p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir()) if p.suffix in (".bpmn", ".dmn")
    }
    if not sources:
        raise BundleError(f"no .bpmn or .dmn files in {path}")
    return load_bundle(sources)


def load_bundle(sources: dict[str, str], main_process: str = MAIN_PROCESS) -> SpecBundle:
    parser = SpiffBpmnParser(validator=BpmnValidator())
    steps: dict[str, StepInfo] = {}
    interrupting: set[str] = set()
    for name, text in sorted(sources.items()):
        try:
            tree = etree.fromstring(text.encode("utf-8"))
            if name.endswith(".dmn"):
                parser.add_dmn_xml(tree, filename=name)
            else:
                _check_diagram(name, tree)
                steps.update(_user_steps(name, tree))
                interrupting |= _interrupting(tree)
                parser.add_bpmn_xml(tree, filename=name)
        except (SpiffWorkflowException, etree.XMLSyntaxError) as exc:
            raise BundleError(f"{name}: {exc}") from exc
    try:
        spec = parser.get_spec(main_process)
        subprocess_specs = parser.get_subprocess_specs(main_process)
        _wire_event_subprocesses(spec)
    except SpiffWorkflowException as exc:
        raise BundleError(str(exc)) from exc
    return SpecBundle(
        content_version(sources),
        dict(sources),
        spec,
        subprocess_specs,
        steps,
        frozenset(interrupting),
        parser,
    )


def _wire_event_subprocesses(spec) -> None:
    """SpiffWorkflow 3.2 wires a message-started event subprocess into the shared spec the first
    time its message arrives, so a process would behave differently before and after the first
    withdrawal. Wiring it at load makes every case listen from its start; the main path's
    terminate end events then close the listener."""
    for name in spec.start.trigger_specs:
        task_spec = spec.task_specs[name]
        if spec.start not in task_spec.inputs:
            spec.start.connect(task_spec)
            task_spec.connect(spec.end)


def _interrupting(tree) -> set[str]:
    found = set()
    for sub in tree.iterfind(".//bpmn:subProcess[@triggeredByEvent='true']", NS):
        starts = sub.findall("bpmn:startEvent", NS)
        if any(s.get("isInterrupting", "true") != "false" for s in starts):
            found.add(sub.get("id"))
    return found


def _check_diagram(name: str, tree) -> None:
    """Every drawn element has a shape or an edge, so the file opens in any modeler."""
    drawn = {el.get("bpmnElement") for el in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    drawn |= {el.get("bpmnElement") for el in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    for tag in DRAWN:
        for el in tree.iterfind(f".//bpmn:{tag}", NS):
            if el.get("id") not in drawn:
                raise BundleError(f"{name}: {tag} {el.get('id')} has no diagram shape or edge")


def _user_steps(name: str, tree) -> dict[str, StepInfo]:
    lanes = {}
    for lane in tree.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[ref.text] = lane.get("name")
    steps = {}
    for process in tree.iterfind("bpmn:process", NS):
        for task in process.iterfind(".//bpmn:userTask", NS):
            tid = task.get("id")
            key = task.find(".//spiffworkflow:property[@name='formKey']", NS)
            if tid not in lanes:
                raise BundleError(f"{name}: user task {tid} is in no lane")
            if key is None or not key.get("value"):
                raise BundleError(f"{name}: user task {tid} has no formKey property")
            steps[tid] = StepInfo(
                tid, task.get("name") or tid, lanes[tid], key.get("value"), process.get("id")
            )
    return steps
