from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .cases import Case
from .residents import Resident
from .units import Unit
from .users import User

OPEN = "open"


class CooperationRequest(db.Model):
    """A request from one unit to another ("đề nghị phối hợp"): take a resident's application
    where they live now, verify something, hand a card over, or accept a case (a transfer).

    While it is open the receiving unit sees the resident (services/residents/registry.visible)
    and, for a transfer, the case stays where it was until the receiving unit accepts."""

    __tablename__ = "cooperation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # take_application, verify, hand_over_card, transfer
    kind: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # transfers and hand-overs
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    from_unit_path: Mapped[str] = mapped_column(String(255))  # copies, for the subtree filters
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    to_unit_path: Mapped[str] = mapped_column(String(255))
    # open, then done / not_done (a request) or accepted / declined (a transfer), or cancelled
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    message: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date]  # working days from bpmn/cooperation_due.dmn
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A case the answer started ("application taken" by the receiving unit).
    result_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    resident: Mapped[Resident] = relationship()
    case: Mapped[Case | None] = relationship(foreign_keys=[case_id])
    result_case: Mapped[Case | None] = relationship(foreign_keys=[result_case_id])
    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    __table_args__ = (
        # The receiving unit's queue and the sender's list: by unit subtree, then status.
        Index(
            "ix_cooperation_to",
            "to_unit_path",
            "status",
            postgresql_ops={"to_unit_path": "varchar_pattern_ops"},
        ),
        Index(
            "ix_cooperation_from",
            "from_unit_path",
            "status",
            postgresql_ops={"from_unit_path": "varchar_pattern_ops"},
        ),
        # The scope rule and the listing: a resident's open requests.
        Index("ix_cooperation_resident", "resident_id", "status"),
        Index("ix_cooperation_case", "case_id"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == OPEN
