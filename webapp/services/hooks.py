"""How capabilities react to each other without importing each other in a circle.

The case engine runs `AFTER_COMMAND` hooks in the transaction of every command, and the outbox
finds adapters of channels other modules own in `notifiers.ADAPTERS`. This module, above the
capabilities, fills both once at start-up (create_app), so the engine and the outbox import none
of the modules that react to them.
"""

from .accounts import users
from .cases import engine, tasks
from .messaging import alerts, notifiers, population_sync
from .production import batches
from .residents import id_check
from .supervision import stage_counts


def install() -> None:
    """Idempotent: every app created in one process (the tests make several) sees the same."""
    engine.AFTER_COMMAND[:] = [
        alerts.after_command,  # escalations and reminders notify people
        stage_counts.after_command,  # the day's throughput per stage
        batches.after_command,  # sent batches the case left close when empty
    ]
    notifiers.ADAPTERS["population_sync"] = population_sync.Adapter
    # An account whose role, unit or status changes hands its tasks back to the queue.
    users.ACCESS_CHANGED[:] = [tasks.hand_back]
    # After the population database takes a birth date or sex, the personal ID is checked again.
    population_sync.AFTER_APPLY[:] = [id_check.recheck]
