"""Progress over a unit's subtree: eligible residents, applications and where they stand."""

from datetime import date

from sqlalchemy import func, select

from ..models import Case, Resident, Unit, User, db
from . import access, clock
from .errors import Msg, NotFound
from .scope import subtree

JUSTICE_STEPS = ("triage_correction", "await_citizen_documents", "record_correction")
APPROVED_STEPS = ("await_card_production", "receive_card", "hand_over_card")
PRODUCED_STEPS = ("receive_card", "hand_over_card")


def progress(user: User, unit_code: str | None) -> dict:
    unit = user.unit if not unit_code else db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None or not access.in_scope(user, unit.path):
        raise NotFound(Msg("Không có đơn vị này trong phạm vi của bạn.", "No such unit in your scope."))
    today = clock.today_local()
    adult = date(today.year - 14, today.month, min(today.day, 28))
    residents = (
        select(func.count())
        .select_from(Resident)
        .join(Unit, Unit.id == Resident.permanent_unit_id)
        .where(
            subtree(Unit.path, unit.path),
            Resident.status == "alive",
            Resident.birth_date <= adult,
        )
    )
    in_unit = subtree(Case.unit_path, unit.path)

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(Case).where(in_unit, *conditions))

    def at(steps) -> list:
        return [Case.current_steps.contains(s) for s in steps]

    issued = count(Case.status == "issued")
    applied = count(Case.status.in_(("open", "error", "issued")))
    produced = count(Case.status == "open", db.or_(*at(PRODUCED_STEPS))) + issued
    approved = count(Case.status == "open", db.or_(*at(APPROVED_STEPS))) + issued
    eligible = db.session.scalar(residents)
    quota = unit.quota
    return {
        "unit": unit.code,
        "eligible": eligible,
        "applied": applied,
        "with_justice": count(Case.status == "open", db.or_(*at(JUSTICE_STEPS))),
        "approved": approved,
        "produced": produced,
        "issued": issued,
        "quota": quota,
        "percent_of_quota": round(100 * applied / quota, 1) if quota else None,
    }
