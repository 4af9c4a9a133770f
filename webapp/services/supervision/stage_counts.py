"""Daily throughput: how many cases of a unit passed each stage on a local day (StageCount).

The case engine calls record() in the command's own transaction, so the counts move with the
cases and roll back with them; charts and forecasts then read a few hundred rows instead of the
audit trail. rebuild() derives the same rows from the audit trail, for data written before the
counts existed (demo data, upgrades)."""

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vntime import LOCAL_TZ
from workflows import Outcome

from ...models import CaseEvent, CaseTask, StageCount, Unit, db

log = logging.getLogger(__name__)

# In the order a case passes them.
STAGES = ("applied", "justice", "approved", "produced", "issued", "eid_activated")
# What marks each stage in an engine outcome's done steps.
START_STEP = "start_application"
JUSTICE_START = "start_correction"  # the called justice process began: triage_correction is ready
JUSTICE_STEP = "triage_correction"
APPROVE_STEP = "approve_application"
PRODUCED_STEP = "await_card_production"  # the receive task completes when card_produced arrives
HAND_OVER_STEP = "hand_over_card"
VERIFY_STEP = "verify_application"
TABLE = StageCount.__table__


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def stages_of(outcome: Outcome, trail: Iterable[dict]) -> list[str]:
    """The stages one command moved a case through, from what the engine did and the command's
    audit rows (the approval's decision and the hand-over's eID answer live only there)."""
    done = set(outcome.done_steps)
    completed = {
        row["step"]: (row.get("detail") or {}).get("data") or {}
        for row in trail
        if row.get("action") == "completed"
    }
    found = []
    if START_STEP in done:
        found.append("applied")
    if JUSTICE_START in done:
        found.append("justice")
    if APPROVE_STEP in done and completed.get(APPROVE_STEP, {}).get("decision") == "approve":
        found.append("approved")
    if PRODUCED_STEP in done:
        found.append("produced")
    if HAND_OVER_STEP in done:
        found.append("issued")
        if completed.get(HAND_OVER_STEP, {}).get("eid_activated") is True:
            found.append("eid_activated")
    return found


def after_command(applied) -> None:
    """After every case command (cases.engine.AFTER_COMMAND): count the stages it moved the case
    through, for its unit, today (local), in the command's transaction."""
    found = stages_of(applied.outcome, applied.trail)
    if found:
        add({(local_day(applied.now), applied.case.unit_id, stage): 1 for stage in found})


def add(counts: dict[tuple[date, int, str], int], replace: bool = False, connection=None) -> None:
    """Upsert counts (added to what is there, or with `replace` put in its place) on the
    session's connection, or another: one statement, rows in key order so that two commands
    touching the same rows lock them in the same order (no deadlock on PostgreSQL)."""
    rows = [
        {"day": day, "unit_id": unit_id, "stage": stage, "count": n}
        for (day, unit_id, stage), n in sorted(counts.items())
        if n or replace
    ]
    if not rows:
        return
    conn = connection or db.session.connection()
    conn.execute(_upsert(conn.dialect.name, replace), rows)


_UPSERTS: dict[tuple[str, bool], object] = {}


def _upsert(dialect: str, replace: bool):
    """The upsert statement, built once per dialect (it runs on most commands); rows are passed
    as parameters, not baked into the statement, so its compiled form is reused."""
    statement = _UPSERTS.get((dialect, replace))
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(TABLE)
        new = statement.excluded.count
        statement = statement.on_conflict_do_update(
            index_elements=[TABLE.c.day, TABLE.c.unit_id, TABLE.c.stage],
            set_={"count": new if replace else TABLE.c.count + new},
        )
        _UPSERTS[(dialect, replace)] = statement
    return statement


# -- rebuilding from the audit trail ------------------------------------------------------------

TRAIL_ACTIONS = ("started", "completed", "message_received", "transferred", "claimed")
BATCH = 5000


def rebuild() -> dict[str, int]:
    """Replace every throughput count by what the audit trail says (the daily resident figures,
    progress_figures.SNAPSHOT, are left alone). One pass over the relevant events in
    case order; a case's unit is followed through its transfers. Returns the totals per stage."""
    unit_ids = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    at_justice = set(
        db.session.scalars(select(CaseTask.case_id).where(CaseTask.step == JUSTICE_STEP).distinct())
    )
    counts: Counter = Counter()
    query = (
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.action, CaseEvent.step, CaseEvent.detail)
        .where(CaseEvent.action.in_(TRAIL_ACTIONS))
        .order_by(CaseEvent.case_id, CaseEvent.id)
        .execution_options(yield_per=BATCH)
    )
    walker = _CaseWalk(unit_ids, at_justice, counts)
    for row in db.session.execute(query):
        walker.step(*row)
    walker.finish()
    db.session.execute(delete(StageCount).where(StageCount.stage.in_(STAGES)))
    add(dict(counts))
    totals = Counter()
    for (_day, _unit, stage), n in counts.items():
        totals[stage] += n
    log.info("stage counts rebuilt: %s", dict(totals))
    return {stage: totals.get(stage, 0) for stage in STAGES}


class _CaseWalk:
    """Follows one case at a time through its events and counts its stages."""

    def __init__(self, unit_ids: dict[str, int], at_justice: set[int], counts: Counter):
        self.unit_ids, self.at_justice, self.counts = unit_ids, at_justice, counts
        self.case_id = None
        self.unit = None
        # When and from which unit the last verification sent the case on (to justice or not:
        # the next events tell).
        self.sent_at = self.sent_from = None

    def step(self, case_id: int, at: datetime, action: str, step: str | None, detail: dict) -> None:
        if case_id != self.case_id:
            self.finish()
            self.case_id, self.unit, self.sent_at = case_id, None, None
        detail = detail or {}
        if action == "started":
            self.unit = self.unit_ids.get(detail.get("unit"))
            self._count(at, "applied")
        elif action == "transferred":
            self.unit = self.unit_ids.get(detail.get("to"), self.unit)
        elif action == "message_received" and step == "card_produced":
            self._count(at, "produced")
        elif step == JUSTICE_STEP and self.sent_at is not None:
            # The first sign of the justice office after a verification: the case entered it then.
            self._count(self.sent_at, "justice", self.sent_from)
            self.sent_at = None
        if action != "completed":
            return
        if step == VERIFY_STEP:
            self.sent_at, self.sent_from = at, self.unit
            return
        self.sent_at = None
        data = detail.get("data") or {}
        if step == APPROVE_STEP and data.get("decision") == "approve":
            self._count(at, "approved")
        elif step == HAND_OVER_STEP:
            self._count(at, "issued")
            if data.get("eid_activated") is True:
                self._count(at, "eid_activated")

    def finish(self) -> None:
        """A case now at the justice office with no justice event yet entered it at its last
        verification."""
        if self.sent_at is not None and self.case_id in self.at_justice:
            self._count(self.sent_at, "justice", self.sent_from)
        self.sent_at = None

    def _count(self, at: datetime, stage: str, unit: int | None = None) -> None:
        unit = unit or self.unit
        if unit is not None:
            self.counts[(local_day(at), unit, stage)] += 1
