from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .units import Unit


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # police, police_lead, justice, approval, ...
    department: Mapped[str] = mapped_column(String(20), index=True)  # the BPMN lane the role works in
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped when the password, role, unit or status changes: every cookie and API token issued
    # before no longer works (both carry the number they were issued with).
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped at sign-out: every browser session of the account ends (API tokens stay).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by an administrator's reset: the next sign-in must choose a new password first.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    # Hashing and checking a password: services/accounts/passwords.py (argon2id, rehash of old hashes).

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session cookie holds: the id and both generations, so that a cookie issued
        before a sign-out or a security change names a user who no longer matches it."""
        return f"{self.id}.{self.generation}.{self.session_generation}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}@{self.unit_id}>"
