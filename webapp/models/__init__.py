"""Typed SQLAlchemy models, one module per feature."""

from .appointments import Appointment, AppointmentPerson, Slot, Station, StationShift
from .base import db, utcnow
from .cases import OPEN_STATUSES, Case, CaseCounter, CaseEvent, CaseTask, ProcessSpec
from .cooperation import CooperationRequest
from .imports import Attachment, ImportJob, UnitCrosswalk
from .progress import CaseCount
from .residents import Resident
from .supervision import BatchCase, OutboxMessage, ProductionBatch, StageCount, StepTarget
from .tokens import ApiToken
from .units import Unit
from .users import User

__all__ = [
    "BatchCase",
    "OutboxMessage",
    "ProductionBatch",
    "StageCount",
    "StepTarget",
    "Appointment",
    "AppointmentPerson",
    "Attachment",
    "ImportJob",
    "Slot",
    "Station",
    "StationShift",
    "UnitCrosswalk",
    "ApiToken",
    "OPEN_STATUSES",
    "Case",
    "CaseCount",
    "CaseCounter",
    "CaseEvent",
    "CaseTask",
    "CooperationRequest",
    "ProcessSpec",
    "Resident",
    "Unit",
    "User",
    "db",
    "utcnow",
]
