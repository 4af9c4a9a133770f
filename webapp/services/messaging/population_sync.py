"""The hand-off of a civil-status correction to the population database (docs/worker.md).

When the justice office records a correction (`record_correction`), a `population_sync`
message with the changes (field -> new value), the values they replace and the resident's
personal ID joins the outbox in the same transaction. The worker hands it over: today the
population database is this app's residents table (the mirror), so the adapter writes the
changes to the resident and records a `synced` event on the case. A value that cannot be
written, a resident changed since the correction, or an injected failure (NOTIFY_FAIL) makes the
attempt fail; the outbox retries with back-off and shows it as failed after the limit.

The police step `update_population_record` still confirms the record afterwards and writes the
same changes if the hand-off has not arrived yet; whichever comes second finds nothing to change.
"""

import logging
from datetime import date

from sqlalchemy import select

from ...models import Case, CaseEvent, OutboxMessage, Resident, User, db
from .. import clock
from ..text import name_key
from . import outbox

log = logging.getLogger(__name__)

KIND = CHANNEL = "population_sync"
# Called with the resident after a change of birth date or sex was written (services/hooks.py
# registers the personal ID's re-check; messaging does not import the residents package).
AFTER_APPLY: list = []
SEXES = ("male", "female")


class SyncError(Exception):
    """The population database refused the change (the message's last_error says why)."""


class Adapter:
    """The outbox's adapter of the `population_sync` channel (registered by services/hooks.py)."""

    writes_database = True  # the outbox runs it in a savepoint

    def send(self, message: OutboxMessage) -> None:
        apply(message)


def _value(resident: Resident, field: str):
    value = getattr(resident, field)
    return value.isoformat() if isinstance(value, date) else value


def after_record_correction(case: Case, user: User, clean: dict) -> dict:
    """Step hook (services/cases/tasks.py): queue the hand-off; its id goes into the audit row."""
    changes = clean.get("changes") or {}
    if not changes:
        return {}
    resident = case.resident
    body = {
        "personal_id": resident.personal_id,
        "changes": changes,
        "previous": {field: _value(resident, field) for field in changes},
        "decision_number": clean.get("decision_number"),
        "decision_date": clean.get("decision_date"),
        "case": case.code,
    }
    subject = f"[{case.code}] Cập nhật CSDL dân cư: {resident.personal_id}"
    message = outbox.enqueue(KIND, CHANNEL, resident.personal_id, subject, body, case)
    db.session.flush()
    return {"population_sync": message.id}


def _checked(field: str, new) -> object:
    """The value to store, or SyncError naming the field and the rule."""
    if field == "birth_date":
        try:
            parsed = date.fromisoformat(new) if isinstance(new, str) and len(new) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None or parsed > clock.today_local():
            raise SyncError(f"birth_date: {new!r} is not a past date YYYY-MM-DD")
        return parsed
    if field == "sex":
        if new not in SEXES:
            raise SyncError(f"sex: {new!r} is not one of {', '.join(SEXES)}")
        return new
    if field in ("full_name", "ethnicity"):
        limit = 200 if field == "full_name" else 50
        if not isinstance(new, str) or not new.strip() or len(new) > limit:
            raise SyncError(f"{field}: must be 1-{limit} characters of text")
        return new.strip()
    raise SyncError(f"{field}: not a field of the population record")


def _already(resident: Resident, field: str, new) -> bool:
    if field == "birth_date":
        return _value(resident, field) == new and resident.birth_date_precision == "day"
    return _value(resident, field) == new


def apply(message: OutboxMessage) -> dict:
    """The adapter: write the changes to the resident record. Returns what changed (old/new)."""
    body = message.body or {}
    personal_id = body.get("personal_id")
    resident = db.session.scalar(select(Resident).where(Resident.personal_id == personal_id))
    if resident is None:
        raise SyncError(f"no resident with personal ID {personal_id!r}")
    changes, previous = body.get("changes") or {}, body.get("previous") or {}
    values = {field: _checked(field, new) for field, new in changes.items()}  # all or nothing
    applied = {}
    for field, new in changes.items():
        if _already(resident, field, new):
            continue
        current = _value(resident, field)
        if field in previous and current != previous[field]:
            raise SyncError(f"{field} changed since the correction ({previous[field]!r} -> {current!r})")
        applied[field] = {"old": current, "new": new}
        setattr(resident, field, values[field])
        if field == "birth_date":
            resident.birth_date_precision = "day"
        if field == "full_name":
            resident.name_key = name_key(values[field])
    if {"birth_date", "sex"} & applied.keys():
        for hook in AFTER_APPLY:
            hook(resident)
    if message.case_id is not None:
        detail = {"changes": applied, "outbox": message.id, "decision_number": body.get("decision_number")}
        db.session.add(CaseEvent(case_id=message.case_id, at=clock.now(), action="synced", detail=detail))
    db.session.flush()
    log.info("population record %s synchronised: %s", personal_id, ", ".join(applied) or "already up to date")
    return applied
