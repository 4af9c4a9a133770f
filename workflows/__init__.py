"""The case engine: BPMN diagrams run by SpiffWorkflow. No Flask, no SQL: plain objects and JSON."""

from .bundle import BundleError, SpecBundle, StepInfo, load_bundle, load_directory
from .calendar import LOCAL_TZ, add_working_days
from .engine import (
    Engine,
    EngineError,
    EngineEvent,
    NotWaiting,
    Outcome,
    ReadyTask,
    TaskNotReady,
    UnknownVersion,
)

__all__ = [
    "LOCAL_TZ",
    "Engine",
    "EngineError",
    "EngineEvent",
    "Outcome",
    "ReadyTask",
    "BundleError",
    "SpecBundle",
    "StepInfo",
    "NotWaiting",
    "TaskNotReady",
    "UnknownVersion",
    "add_working_days",
    "load_bundle",
    "load_directory",
]
