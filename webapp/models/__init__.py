"""Typed SQLAlchemy models, one module per feature."""

from .appointments import Appointment, AppointmentPerson, Slot, Station, StationHolidayOpening, StationShift
from .audit import AccessLogEntry, AdminEvent
from .base import db, utcnow
from .cases import OPEN_STATUSES, Case, CaseCounter, CaseEvent, CaseTask, ProcessSpec
from .cooperation import CooperationRequest
from .imports import Attachment, ImportJob, UnitCrosswalk
from .progress import CaseCount
from .residents import Resident, ResidentCorrection
from .supervision import BatchCase, OutboxMessage, ProductionBatch, StageCount, StepTarget
from .tokens import ApiToken
from .units import Unit
from .users import User
from .visits import Household, VisitPlan, VisitStop
from .vneid import VneidRequest

__all__ = [
    "AccessLogEntry",
    "AdminEvent",
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
    "StationHolidayOpening",
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
    "ResidentCorrection",
    "Unit",
    "User",
    "Household",
    "VisitPlan",
    "VisitStop",
    "VneidRequest",
    "db",
    "utcnow",
]
