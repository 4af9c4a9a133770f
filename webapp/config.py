"""Configuration from the environment; a test config overrides it in create_app(test_config)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Written aside and linked in place: gunicorn's workers start together, and the first
        # link wins, so every worker signs with the same key (never a half-written one).
        part = instance / f".secret_key.{os.getpid()}"
        part.write_text(secrets.token_hex(32))
        part.chmod(0o600)
        try:
            os.link(part, path)
        except FileExistsError:
            pass
        finally:
            part.unlink()
    return path.read_text().strip()


def _number(name: str, default: float) -> float:
    """A positive number from the environment; a wrong value stops the start with its name."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be greater than 0, not {raw!r}")
    return value


def from_environment(instance: Path) -> dict:
    return {
        # Sessions (docs/security.md): a signed cookie that ends after 30 minutes without a
        # request and, however active, SESSION_ABSOLUTE_HOURS after signing in. Behind HTTPS set
        # SESSION_COOKIE_SECURE=1: the cookie is then sent over HTTPS only, and HSTS is on.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_number("SESSION_IDLE_MINUTES", 30)),
        "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=_number("SESSION_ABSOLUTE_HOURS", 12)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        # Sign-in throttling counters (Flask-Limiter): Redis when REDIS_URL is set, so that every
        # app node counts the same failures; this process's memory otherwise.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL")
        or "memory://",
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'cccd.sqlite'}",
        # No ping on every checkout: services/uow.py pings a connection that sat idle.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # bodies over 1 MB are refused with 413
        "BPMN_DIR": os.environ.get("BPMN_DIR") or str(ROOT / "bpmn"),
        # Restored workflows each process keeps for the next command on the same case
        # (docs/scale.md); 0 turns the cache off.
        "WORKFLOW_CACHE_SIZE": int(os.environ.get("WORKFLOW_CACHE_SIZE") or 500),
        # The identity law is the one in force on the application date (services/laws.py): the
        # 2023 law from IDENTITY_LAW_2023_FROM. IDENTITY_LAW ("2014"/"2023") forces one (drills).
        "IDENTITY_LAW": os.environ.get("IDENTITY_LAW") or None,
        "IDENTITY_LAW_2023_FROM": os.environ.get("IDENTITY_LAW_2023_FROM", "2024-07-01"),
        "CASE_CODE_PREFIX": os.environ.get("CASE_CODE_PREFIX", "HS"),
        # argon2id at OWASP's parameters (services/accounts/passwords.py, docs/security.md);
        # "argon2id:m=<KiB>,t=<iterations>,p=<lanes>" to change them. Tests use a cheaper cost.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD") or "argon2id:m=19456,t=2,p=1",
        # Files kept outside the database: uploaded resident files, portraits (by SHA-256).
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance / "uploads"),
        "IMPORT_MAX_BYTES": 200 * 1024 * 1024,  # a resident file upload (the one larger body)
        # An XLSX upload is a ZIP archive, checked before anything opens it (a "zip bomb" expands a
        # small upload a thousandfold): what it may unpack to in all, and how tightly one part may
        # be compressed. A province's million rows unpack to about 600 MB at about 15 to 1.
        "IMPORT_XLSX_MAX_UNPACKED_BYTES": int(os.environ.get("IMPORT_XLSX_MAX_UNPACKED_BYTES") or 1024**3),
        "IMPORT_XLSX_MAX_RATIO": int(os.environ.get("IMPORT_XLSX_MAX_RATIO") or 100),
        "PHOTO_MAX_BYTES": 512 * 1024,  # a portrait: JPEG or PNG, checked by content
        # Whether completing biometrics capture needs an uploaded portrait (docs/intake.md).
        "PORTRAIT_REQUIRED": os.environ.get("PORTRAIT_REQUIRED", "0") == "1",
        # Notifications (reminders, escalations): "log" or "file" out of the box; the file
        # backend appends JSON lines to NOTIFY_FILE. SMS and e-mail adapters plug in behind
        # the same interface (webapp/services/messaging/notifiers.py).
        "NOTIFY_BACKEND": os.environ.get("NOTIFY_BACKEND", "log"),
        "NOTIFY_FILE": os.environ.get("NOTIFY_FILE") or str(instance / "notifications.jsonl"),
    }
