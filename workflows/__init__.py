"""The case engine: BPMN diagrams run by SpiffWorkflow. No Flask, no SQL: plain objects and JSON in and out."""

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
from .calendar import add_working_days, LOCAL_TZ

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
