from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db


class Unit(db.Model):
    """An administrative unit: province > (district >) commune, a tree of any depth."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))  # province, district, commune
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Codes from the root down, "/37/14161/": a subtree is a prefix match on an index.
    path: Mapped[str] = mapped_column(String(255), index=True)
    quota: Mapped[int | None]  # applications the steering committee expects from this unit
    # For the 2014 law's time limits: "urban" (cities and towns), "rural" (elsewhere) or "remote"
    # (mountain, border, island). None: as the parent unit says (services/cases/legal_due.py).
    area_class: Mapped[str | None] = mapped_column(String(8))

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])

    def contains(self, other: "Unit") -> bool:
        return other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
