"""Per-step targets a supervisor sets beside the legal time limits: `target_days` (working days
to finish the step) and `idle_days` (working days without any action before a ready task counts
as stuck, services/supervision/stuck.py). The legal limit itself lives in bpmn/step_time_limits.dmn."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ...models import StepTarget, User, db
from .. import access, clock, workflow_store
from ..errors import Forbidden, Invalid, Msg

log = logging.getLogger(__name__)

MAX_DAYS = 365
NOT_ALLOWED = Msg(
    "Chỉ Ban chỉ đạo hoặc quản trị đặt chỉ tiêu từng bước.",
    "Only supervisors and administrators set step targets.",
)


@dataclass
class Target:
    step: str
    lane: str
    limit_days: int | None  # legal, from the decision table (read-only here)
    target_days: int | None
    idle_days: int | None
    updated_by: User | None
    updated_at: datetime | None


def targets() -> list[Target]:
    """Every user step of the current diagram, in the diagram's order, with its targets."""
    bundle = workflow_store.engine().current
    stored = {t.step: t for t in db.session.scalars(select(StepTarget))}
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({t.updated_by_id for t in stored.values()}))
        )
    }
    out = []
    for step in bundle.steps.values():
        row = stored.get(step.id)
        out.append(
            Target(
                step.id,
                step.lane,
                bundle.time_limit(step.id),
                row.target_days if row else None,
                row.idle_days if row else None,
                users.get(row.updated_by_id) if row else None,
                row.updated_at if row else None,
            )
        )
    return out


def _days(raw, field: str, errors: dict) -> int | None:
    """Empty means "no target"; otherwise a whole number of working days from 0 to 365."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or int(text) > MAX_DAYS:
        errors[field] = [
            Msg(
                f"Số ngày làm việc là số nguyên từ 0 đến {MAX_DAYS}.",
                f"Working days must be a whole number from 0 to {MAX_DAYS}.",
            )
        ]
        return None
    return int(text)


def save(user: User, values: dict[str, tuple]) -> list[str]:
    """Set (target_days, idle_days) per step; fields are named `<step>.target_days` and
    `<step>.idle_days` in errors. Nothing changes unless every value is valid. Returns the steps
    whose targets changed."""
    if not access.can_set_targets(user):
        raise Forbidden(NOT_ALLOWED)
    steps = workflow_store.engine().current.steps
    errors: dict = {}
    clean = {}
    for step, (target_raw, idle_raw) in values.items():
        if step not in steps:
            errors[step] = [Msg("Không có bước này trong quy trình.", "No such step in the diagram.")]
            continue
        target = _days(target_raw, f"{step}.target_days", errors)
        idle = _days(idle_raw, f"{step}.idle_days", errors)
        if target is not None and idle is not None and idle > target:
            errors[f"{step}.idle_days"] = [
                Msg(
                    "Số ngày không thao tác không được lớn hơn chỉ tiêu hoàn thành.",
                    "Idle days may not exceed the target days.",
                )
            ]
        clean[step] = (target, idle)
    if errors:
        raise Invalid(errors)
    stored = {t.step: t for t in db.session.scalars(select(StepTarget).where(StepTarget.step.in_(clean)))}
    now, changed = clock.now(), []
    for step, (target, idle) in clean.items():
        row = stored.get(step)
        if row is not None and (row.target_days, row.idle_days) == (target, idle):
            continue
        if row is None:
            if target is None and idle is None:
                continue
            row = StepTarget(step=step)
            db.session.add(row)
        old = (row.target_days, row.idle_days)
        row.target_days, row.idle_days, row.updated_by_id, row.updated_at = target, idle, user.id, now
        changed.append(step)
        log.info(
            "step target %s: target %s -> %s, idle %s -> %s (by %s)",
            step,
            old[0],
            target,
            old[1],
            idle,
            user.username,
        )
    db.session.flush()
    return changed
