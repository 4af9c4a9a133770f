from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db


class CaseCount(db.Model):
    """How many cases of a unit stand at a status and at current steps: the cases table
    grouped, kept by database triggers on `cases` (migration 0010_progress), so that a
    province's progress page reads a few thousand rows instead of a million cases, whichever
    code path changed a case (commands, transfers, supervisors' moves, bulk loads)."""

    __tablename__ = "case_counts"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    # The case's current_steps as stored ("" for a closed case)
    steps: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
