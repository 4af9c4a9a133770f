from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import JsonType, UTCDateTime, db, utcnow
from .units import Unit
from .users import User


class Resident(db.Model):
    """A person in the population registry mirror."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Lower-case name without diacritics, for search ("nguyen van a" finds "Nguyễn Văn A"),
    # always as a substring (LIKE '%...%'): see ix_residents_name_key below.
    name_key: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date]
    # "day", "month" or "year": how much of birth_date is known (the rest is the 1st / January).
    birth_date_precision: Mapped[str] = mapped_column(String(5), default="day")
    sex: Mapped[str] = mapped_column(String(6))
    old_id_number: Mapped[str | None] = mapped_column(String(12))
    ethnicity: Mapped[str | None] = mapped_column(String(50))
    hometown: Mapped[str | None] = mapped_column(String(200))  # quê quán
    place_of_birth: Mapped[str | None] = mapped_column(String(200))  # nơi sinh
    # Which part of the personal ID disagrees with the record: None, "birth_year", "sex" or
    # "birth_year,sex" (services/residents/id_check.py). Such records are stored and flagged, not
    # refused: fixing them is the campaign's work.
    id_mismatch: Mapped[str | None] = mapped_column(String(20))
    household_id: Mapped[str | None] = mapped_column(String(30), index=True)
    permanent_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    temporary_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(10), default="alive")  # alive, deceased
    # What the resident holds today: "none", "cmnd" (old 9/12-digit ID) or "chip" (chip card).
    card_state: Mapped[str] = mapped_column(String(5), default="none", server_default="none")
    card_issued_on: Mapped[date | None]  # the chip card's issue date, for the exchange ages
    # Door-to-door listing: not_visited, booked, away, home_visit, deceased, record_wrong.
    listing_status: Mapped[str] = mapped_column(
        String(12), default="not_visited", server_default="not_visited"
    )
    listing_note: Mapped[str | None] = mapped_column(String(300))
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    listed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who set listing_status
    # Where an "away" resident lives now, as the listing officer recorded it.
    away_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Level-2 electronic identity (VNeID): None, "requested" at intake, "activated" or
    # "not_activated" at hand-over; the phone number the account needs.
    eid_state: Mapped[str | None] = mapped_column(String(14))
    eid_phone: Mapped[str | None] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    permanent_unit: Mapped[Unit] = relationship(foreign_keys=[permanent_unit_id])
    temporary_unit: Mapped[Unit | None] = relationship(foreign_keys=[temporary_unit_id])

    __table_args__ = (
        # Name search (LIKE '%van anh%', services/name_search.py): trigrams in a GIN index on
        # PostgreSQL (pg_trgm, migration 0012); on SQLite a plain index, which LIKE does not use.
        Index(
            "ix_residents_name_key",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
        ),
        # The door-to-door listing of a commune reads by unit, then by status.
        Index("ix_residents_unit_listing", "permanent_unit_id", "listing_status"),
        # Flagged records ("Sai thông tin dân cư") of a unit: few rows, read by the listing filter.
        Index(
            "ix_residents_unit_id_mismatch",
            "permanent_unit_id",
            sqlite_where=db.text("id_mismatch IS NOT NULL"),
            postgresql_where=db.text("id_mismatch IS NOT NULL"),
        ),
        # Who must apply in a unit (services/residents/eligibility.py): card state and birth-date ranges;
        # status and the card's issue date too, so that counting reads the index alone.
        Index(
            "ix_residents_unit_card_birth",
            "permanent_unit_id",
            "card_state",
            "birth_date",
            "status",
            "card_issued_on",
        ),
    )

    def __repr__(self) -> str:
        return f"<Resident {self.personal_id} {self.full_name}>"


class ResidentCorrection(db.Model):
    """The police desk's fix of a population record (phiếu thu thập, cập nhật thông tin dân cư):
    what changes (field -> {"old", "new"}), the paper that justifies it, and who confirmed it.
    Changes to name, birth date or sex wait for a lead's confirmation ("pending")."""

    __tablename__ = "resident_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # pending, applied
    changes: Mapped[dict] = mapped_column(JsonType)  # field -> {"old": ..., "new": ...} (ISO dates)
    basis_kind: Mapped[str] = mapped_column(String(30))
    basis_number: Mapped[str] = mapped_column(String(50))
    basis_date: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(2000))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resident: Mapped[Resident] = relationship()
    by: Mapped[User] = relationship(foreign_keys=[by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
