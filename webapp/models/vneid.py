from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .residents import Resident
from .units import Unit
from .users import User

# The steps in order; `status` is the step waiting, or how the request ended.
STEPS = ("identity_check", "phone", "activation")
ENDS = ("activated", "refused")


class VneidRequest(db.Model):
    """A request for VNeID level 2 by someone who already holds a chip card: no new card, three
    steps at the police (check the identity against the card, record the phone number,
    activate), each stamped with who did it and when.

    Not a case (services/vneid explains why): it is counted on its own line of the progress."""

    __tablename__ = "vneid_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(String(255))  # a copy, for the subtree filters
    # identity_check, phone, activation (the step waiting), then activated or refused
    status: Mapped[str] = mapped_column(String(20), default=STEPS[0])
    due_on: Mapped[date]  # working days from bpmn/cooperation_due.dmn (kind vneid_level2)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How the identity was checked against the chip card: face, fingerprint or both.
    identity_method: Mapped[str | None] = mapped_column(String(20))
    identity_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    identity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    phone: Mapped[str | None] = mapped_column(String(15))  # 0xxxxxxxxx, the subscriber's own
    phone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refused_step: Mapped[str | None] = mapped_column(String(20))
    refused_reason: Mapped[str | None] = mapped_column(Text)
    refused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resident: Mapped[Resident] = relationship()
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        # The unit's open requests (inbox, list) and the progress counts: subtree, then status.
        Index("ix_vneid_unit", "unit_path", "status", postgresql_ops={"unit_path": "varchar_pattern_ops"}),
        # One open request per resident.
        Index("ix_vneid_resident", "resident_id", "status"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in STEPS
