"""Start cases, list ready user tasks, complete them, fire timers, deliver messages.

Every call takes the stored state (a JSON string) and the version the case is pinned to, and
returns an Outcome with the new state: the caller decides where it is stored.
"""

import copy
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from vntime import add_working_days

from . import joins, serialization
from .bundle import SpecBundle
from .cache import WorkflowCache

log = logging.getLogger(__name__)


class TaskNotReady(Exception):
    """The task does not exist in this case or is no longer waiting for a person."""


class NotWaiting(Exception):
    """The case is not waiting for this message."""


class UnknownVersion(Exception):
    """No bundle is loaded for this spec version."""


class CannotReset(Exception):
    """A retry or a move the case's state does not allow. `reason`: `no_error` (nothing failed),
    `not_passed` (the case never completed that step) or `version_mismatch` (the state names
    tasks the other version's diagram does not have)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class ReadyTask:
    id: str
    step: str
    name: str
    lane: str
    form_key: str


@dataclass(frozen=True)
class EngineEvent:
    kind: str  # "escalation", "signal" or "timer"
    name: str


@dataclass(frozen=True)
class EngineError:
    """Where a script or expression failed, for a supervisor to read."""

    step: str
    message: str
    line: int | None = None


@dataclass
class Outcome:
    state: str
    ready: list[ReadyTask]
    waiting: list[str]  # steps waiting for a message from outside (card production)
    completed: bool
    end_events: list[str]
    events: list[EngineEvent]
    done_steps: list[str]
    next_timer_at: datetime | None
    error: EngineError | None = None
    data: dict = field(default_factory=dict)
    # The live workflow the state was written from, for Engine.keep once the state is stored.
    workflow: BpmnWorkflow | None = field(default=None, repr=False, compare=False)


# A case's stored state: the JSON itself, or a function that returns it (called only when the
# workflow is not in the cache, so a hit never even decompresses it).
State = str | Callable[[], str]


class Engine:
    """`key` (optional on every command): where the case's restored workflow may sit in the
    cache; it must change whenever the stored state does (see cache.py)."""

    def __init__(self, bundle: SpecBundle, now: Callable[[], datetime] | None = None, cache_size: int = 500):
        self.current = bundle
        self._bundles: dict[str, SpecBundle] = {bundle.version: bundle}
        self._scripts: dict[str, PythonScriptEngine] = {}
        self._now = now or (lambda: datetime.now(UTC))
        self.cache = WorkflowCache(cache_size)

    def keep(self, key: Hashable, outcome: Outcome) -> None:
        """Keep the outcome's workflow for the case's next command, once its state is stored
        under `key`. A closed case needs no next command."""
        if outcome.workflow is not None and not outcome.completed:
            self.cache.put(key, outcome.workflow)

    # -- versions -----------------------------------------------------------------------------
    def add_bundle(self, bundle: SpecBundle) -> None:
        self._bundles.setdefault(bundle.version, bundle)

    def has_version(self, version: str) -> bool:
        return version in self._bundles

    def bundle(self, version: str) -> SpecBundle:
        try:
            return self._bundles[version]
        except KeyError:
            raise UnknownVersion(version) from None

    def _script_engine(self, bundle: SpecBundle) -> PythonScriptEngine:
        engine = self._scripts.get(bundle.version)
        if engine is None:

            def deadline(step: str) -> str:
                days = bundle.time_limit(step)
                if days is None:
                    raise ValueError(f"no time limit for step {step!r} in step_time_limits.dmn")
                return add_working_days(self._now(), int(days)).isoformat()

            engine = PythonScriptEngine(environment=TaskDataEnvironment({"deadline": deadline}))
            self._scripts[bundle.version] = engine
        return engine

    # -- commands -----------------------------------------------------------------------------
    def start(self, data: dict) -> Outcome:
        bundle = self.current
        wf = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=self._script_engine(bundle))
        wf.data.update(data)
        wf.task_tree.data.update(data)
        return self._run(bundle, wf, lambda: None)

    def complete(self, version: str, state: State, task_id: str, data: dict, key: Hashable = None) -> Outcome:
        bundle, wf = self._restore(version, state, key)
        task = _find_ready(wf, task_id)

        def act():
            # A copy: the workflow may outlive this call in the cache, the caller's data must not
            # change it afterwards.
            task.data.update(copy.deepcopy(data))
            task.run()

        return self._run(bundle, wf, act, first_done=task.task_spec.name, data_task=task)

    def fire_timers(self, version: str, state: State, key: Hashable = None) -> Outcome:
        bundle, wf = self._restore(version, state, key)
        return self._run(bundle, wf, wf.refresh_timers)

    def deliver_message(
        self, version: str, state: State, name: str, payload: dict, key: Hashable = None
    ) -> Outcome:
        bundle, wf = self._restore(version, state, key)
        event = BpmnEvent(MessageEventDefinition(name), copy.deepcopy(payload))

        def act():
            try:
                wf.send_event(event)
            except WorkflowException as exc:
                raise NotWaiting(name) from exc

        return self._run(bundle, wf, act)

    def ready_tasks(self, version: str, state: str) -> list[ReadyTask]:
        bundle, wf = self._restore(version, state)
        return _ready(bundle, wf)

    # -- supervisors' repairs -----------------------------------------------------------------
    def retry(
        self, version: str, state: str, data: dict | None = None, to_version: str | None = None
    ) -> Outcome:
        """Run the failed task of a case in error again, after someone fixed what made it fail:
        `data` is merged into the task's data (a missing or wrong routing fact), `to_version`
        restores the state under another loaded version (a fixed diagram with the same task
        names). The outcome may carry the same error again."""
        bundle = self.bundle(to_version or version)
        wf = self._restore_checked(bundle, state)
        failed = wf.get_tasks(state=TaskState.ERROR)
        if not failed:
            raise CannotReset("no_error")

        def act():
            task = failed[0]
            _reset(wf, task)
            if data:
                task.data.update(data)

        return self._run(bundle, wf, act)

    def move_to(self, version: str, state: str, step: str) -> Outcome:
        """Send the case back to a user step it has completed: that task is ready again, what
        followed it is dropped (timers included), and the path from there is decided anew."""
        bundle, wf = self._restore(version, state)
        done = _completed(bundle, wf, step)
        if not done:
            raise CannotReset("not_passed", step)
        # In a loop (a returned application) the step ran more than once: go back to the last run.
        target = max(done, key=lambda t: t.last_state_change)

        def act():
            _reset(wf, target)
            joins.rewait(wf, target, _reset)

        return self._run(bundle, wf, act)

    def passed_steps(self, version: str, state: str) -> list[str]:
        """The user steps move_to accepts, in the order they were first completed."""
        bundle, wf = self._restore(version, state)
        tasks = sorted(_completed(bundle, wf, None), key=lambda t: t.last_state_change)
        return list(dict.fromkeys(t.task_spec.name for t in tasks))

    # -- internals ----------------------------------------------------------------------------
    def _restore(self, version: str, state: State, key: Hashable = None) -> tuple[SpecBundle, BpmnWorkflow]:
        bundle = self.bundle(version)
        wf = self.cache.take(key) if key is not None else None
        if wf is not None:
            return bundle, wf
        wf = serialization.loads(state() if callable(state) else state, bundle.spec, bundle.subprocess_specs)
        wf.script_engine = self._script_engine(bundle)
        return bundle, wf

    def _restore_checked(self, bundle: SpecBundle, state: str) -> BpmnWorkflow:
        """Restore under a version the state may not come from: every task must find its spec."""
        try:
            wf = serialization.loads(state, bundle.spec, bundle.subprocess_specs)
            missing = [t for t in wf.get_tasks() if t.task_spec is None]
        except (KeyError, AttributeError, TypeError, ValueError, WorkflowException) as exc:
            raise CannotReset("version_mismatch", str(exc)[:200]) from exc
        if missing:
            raise CannotReset("version_mismatch", f"{len(missing)} tasks have no spec")
        wf.script_engine = self._script_engine(bundle)
        return wf

    def _run(
        self, bundle: SpecBundle, wf: BpmnWorkflow, act: Callable[[], None], first_done=None, data_task=None
    ) -> Outcome:
        done: list[str] = []
        events: list[EngineEvent] = []
        error = None

        def did_complete(task):
            if isinstance(task.task_spec, CatchingEvent) and isinstance(
                task.task_spec.event_definition, TimerEventDefinition
            ):
                events.append(EngineEvent("timer", task.task_spec.name))
            if task.task_spec.bpmn_id is not None:
                done.append(task.task_spec.bpmn_id)

        try:
            act()
            if first_done:
                done.append(first_done)
            wf.do_engine_steps(did_complete_task=did_complete)
            if _interrupted(bundle, wf):
                wf.cancel()
        except (NotWaiting, TaskNotReady):
            raise
        except SpiffWorkflowException as exc:
            error = _engine_error(exc)
            log.warning("workflow error at %s: %s", error.step, error.message)
        for event in wf.get_events():
            definition = event.event_definition
            if isinstance(definition, EscalationEventDefinition):
                events.append(EngineEvent("escalation", definition.name))
            elif isinstance(definition, SignalEventDefinition):
                events.append(EngineEvent("signal", definition.name))
        completed = wf.is_completed()
        ready, waiting, ends = _scan(bundle, wf)
        return Outcome(
            state=serialization.dumps(wf),
            ready=[] if completed else ready,
            waiting=[] if completed else waiting,
            completed=completed,
            end_events=ends if completed else [],
            events=events,
            done_steps=done,
            next_timer_at=None if completed else _next_timer(wf),
            error=error,
            data=copy.deepcopy(data_task.data if data_task is not None else _last_data(wf)),
            workflow=wf,
        )


def _completed(bundle: SpecBundle, wf: BpmnWorkflow, step: str | None) -> list:
    return [
        t
        for t in wf.get_tasks(state=TaskState.COMPLETED, manual=True)
        if t.task_spec.name in bundle.steps and (step is None or t.task_spec.name == step)
    ]


def _reset(wf: BpmnWorkflow, task) -> None:
    removed = wf.reset_from_task_id(task.id)
    # SpiffWorkflow 3.2 keeps removed catching events (a boundary timer) in the event manager;
    # the next timer refresh would then touch a task that has no parent any more.
    for gone in removed:
        wf.event_manager.remove_task(gone)


def _interrupted(bundle: SpecBundle, wf: BpmnWorkflow) -> bool:
    return any(sp.spec.name in bundle.interrupting and sp.is_completed() for sp in wf.subprocesses.values())


def _find_ready(wf: BpmnWorkflow, task_id: str):
    try:
        task = wf.get_task_from_id(UUID(task_id))
    except (ValueError, TypeError, WorkflowException):
        task = None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    return task


def _ready(bundle: SpecBundle, wf: BpmnWorkflow) -> list[ReadyTask]:
    return _scan(bundle, wf)[0]


def _scan(bundle: SpecBundle, wf: BpmnWorkflow) -> tuple[list[ReadyTask], list[str], list[str]]:
    """What the projection needs, in one pass over the tasks of the workflow and its
    subprocesses (each get_tasks call walks the whole tree): the ready user tasks, the steps
    waiting for a message from outside, the end events reached."""
    ready, waiting, ends = [], set(), set()
    tables = [wf.tasks, *(sp.tasks for sp in wf.subprocesses.values())]
    for table in tables:
        for task in table.values():
            state, spec = task.state, task.task_spec
            if state == TaskState.READY:
                step = bundle.steps.get(spec.name) if spec.manual else None
                if step is not None:
                    ready.append(ReadyTask(str(task.id), step.id, step.name, step.lane, step.form_key))
            elif state == TaskState.WAITING:
                if (
                    isinstance(spec, CatchingEvent)
                    # A message boundary event (the centre returning a file) waits beside the
                    # activity it is attached to, which names where the case stands.
                    and not isinstance(spec, StartEvent | BoundaryEvent)
                    and spec.bpmn_id
                    and isinstance(spec.event_definition, MessageEventDefinition)
                ):
                    waiting.add(spec.bpmn_id)
            elif state == TaskState.COMPLETED and isinstance(spec, EndEvent):
                ends.add(spec.name)
    return ready, sorted(waiting), sorted(ends)


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    times = []
    for task in wf.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            value = task._get_internal_data("event_value")
            if isinstance(value, str):
                try:
                    times.append(TimerEventDefinition.get_datetime(value))
                except ValueError:
                    continue
    return min(times) if times else None


def _last_data(wf: BpmnWorkflow) -> dict:
    last = wf.last_task
    return dict(last.data) if last is not None else {}


def _engine_error(exc: SpiffWorkflowException) -> EngineError:
    spec = getattr(exc, "task_spec", None)
    step = getattr(spec, "name", None) or "unknown"
    line = getattr(exc, "line_number", None) or None
    return EngineError(step=step, message=str(exc)[:1000], line=line)
