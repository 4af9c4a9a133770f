"""Configuration from the environment; a test config overrides it in create_app(test_config)."""

import os
import secrets
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


def from_environment(instance: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'cccd.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # bodies over 1 MB are refused with 413
        "BPMN_DIR": os.environ.get("BPMN_DIR") or str(ROOT / "bpmn"),
        # Restored workflows each process keeps for the next command on the same case
        # (docs/scale.md); 0 turns the cache off.
        "WORKFLOW_CACHE_SIZE": int(os.environ.get("WORKFLOW_CACHE_SIZE") or 500),
        # Which identity law's eligibility rows apply (eligibility.dmn): "2023" or "2014".
        "IDENTITY_LAW": os.environ.get("IDENTITY_LAW", "2023"),
        "CASE_CODE_PREFIX": os.environ.get("CASE_CODE_PREFIX", "HS"),
        # werkzeug's scrypt (N=2^15); tests use a cheaper cost to stay fast.
        "PASSWORD_HASH_METHOD": "scrypt",
        # Files kept outside the database: uploaded resident files, portraits (by SHA-256).
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance / "uploads"),
        "IMPORT_MAX_BYTES": 200 * 1024 * 1024,  # a resident file upload (the one larger body)
        "PHOTO_MAX_BYTES": 512 * 1024,  # a portrait: JPEG or PNG, checked by content
        # Whether completing biometrics capture needs an uploaded portrait (docs/intake.md).
        "PORTRAIT_REQUIRED": os.environ.get("PORTRAIT_REQUIRED", "0") == "1",
        # Notifications (reminders, escalations): "log" or "file" out of the box; the file
        # backend appends JSON lines to NOTIFY_FILE. SMS and e-mail adapters plug in behind
        # the same interface (webapp/services/messaging/notifiers.py).
        "NOTIFY_BACKEND": os.environ.get("NOTIFY_BACKEND", "log"),
        "NOTIFY_FILE": os.environ.get("NOTIFY_FILE") or str(instance / "notifications.jsonl"),
    }
