"""Typed SQLAlchemy models, one module per feature."""

from .base import db, utcnow
from .cases import OPEN_STATUSES, Case, CaseCounter, CaseEvent, CaseTask, ProcessSpec
from .residents import Resident
from .tokens import ApiToken
from .units import Unit
from .users import User

__all__ = [
    "ApiToken",
    "OPEN_STATUSES",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseTask",
    "ProcessSpec",
    "Resident",
    "Unit",
    "User",
    "db",
    "utcnow",
]
