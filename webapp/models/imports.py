from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import JsonType, UTCDateTime, db, utcnow


class ImportJob(db.Model):
    """One resident file being imported: progress for the poll, and the rejected-rows report."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, done, failed
    total_bytes: Mapped[int] = mapped_column(Integer, default=0)
    read_bytes: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # Rows stored but flagged: the personal ID disagrees with the birth year or sex.
    flagged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The first rejected rows [{"row", "field", "reason_vi", "reason_en"}]; all of them go to a CSV file.
    report: Mapped[list] = mapped_column(JsonType, default=list)
    error: Mapped[str | None] = mapped_column(Text)  # why a whole file failed (encoding, columns)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the uploader's scope
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UnitCrosswalk(db.Model):
    """An older province/district/commune code (before the 1 July 2025 merger) and the unit of
    today that took it over, so old files and reports still resolve."""

    __tablename__ = "unit_crosswalk"

    old_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    old_name: Mapped[str] = mapped_column(String(200))
    old_level: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)


class Attachment(db.Model):
    """A file kept outside the database (portrait photo), named by its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # portrait
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(30))
    size: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
