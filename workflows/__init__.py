"""The case engine: BPMN diagrams run by SpiffWorkflow. No Flask, no SQL: plain objects and JSON."""

from .bundle import BundleError, SpecBundle, StepInfo, load_bundle, load_directory
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
    "load_bundle",
    "load_directory",
]
