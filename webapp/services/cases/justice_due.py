"""When the justice office's result is due: the time limit of the procedure chosen at triage
(bpmn/justice_time_limits.dmn), not the one figure of step_time_limits.dmn for every procedure.

The limit runs from when the file reaches the result step (record_correction): after a triage
with complete documents, or when the citizen's missing documents arrive. A supplement is due the
same day, or the next working day when the file arrives after the table's cut-off hour (15:00);
the verification extension applies only when the officer recorded at triage that verification
is needed. A spec version without the table (cases started before it) keeps the step's limit.
"""

from datetime import datetime

from vntime import LOCAL_TZ, add_working_days, is_working_day

from .. import workflow_store

DECISION = "justice_time_limit"
# The steps whose limit depends on the procedure.
STEPS = ("record_correction",)


def limit(version: str, procedure: str | None, needs_verification: bool) -> dict | None:
    """{working_days, extension_days, cutoff_hour} of a procedure, or None when the version has
    no such table or no row for it."""
    bundle = workflow_store.bundle_for(version)
    if not procedure or DECISION not in bundle.decisions:
        return None
    row = bundle.decide(DECISION, procedure=procedure)
    if row.get("working_days") is None:
        return None
    extension = int(row.get("verification_days") or 0) if needs_verification else 0
    return {
        "working_days": int(row["working_days"]),
        "extension_days": extension,
        "cutoff_hour": row.get("cutoff_hour"),
    }


PROCEDURES = ("supplement", "correction", "change", "birth_reregistration")


def table() -> list[tuple[str, dict | None]]:
    """The current version's row for each procedure (the step targets page shows them)."""
    version = workflow_store.engine().current.version
    return [(p, limit(version, p, True)) for p in PROCEDURES]


def due_at(version: str, step: str, ready_at: datetime, data: dict) -> datetime | None | bool:
    """The due time of a justice step from the workflow's routing facts; False when the
    procedure's table does not apply (the caller then uses the step's own limit)."""
    if step not in STEPS:
        return False
    found = limit(version, data.get("procedure"), bool(data.get("needs_verification")))
    if found is None:
        return False
    days = found["working_days"] + found["extension_days"]
    local = ready_at.astimezone(LOCAL_TZ)
    cutoff = found["cutoff_hour"]
    # Received after the cut-off on a working day: the day's work is over, count from the next.
    # (On a day off, add_working_days already starts from the next working day.)
    if cutoff is not None and local.hour >= int(cutoff) and is_working_day(local.date()):
        days += 1
    return add_working_days(ready_at, days)
