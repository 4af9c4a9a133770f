"""Case search in the caller's scope (API and web): by status, step, unit, text, overdue."""

from sqlalchemy import func, select

from ...models import Case, CaseTask, Resident, Unit, User, db
from .. import access, clock
from ..name_search import matches_name_or_code
from ..scope import subtree


def search(user: User, status=None, step=None, unit=None, q=None, overdue=False, page=1, per_page=50):
    query = select(Case).join(Resident, Resident.id == Case.resident_id)
    if user.role not in access.NATIONAL_READERS:
        query = query.where(subtree(Case.unit_path, user.unit.path))
    if status:
        query = query.where(Case.status == status)
    if step:
        query = query.where(Case.current_steps.contains(step, autoescape=True))
    if unit:
        target = db.session.scalar(select(Unit).where(Unit.code == unit))
        if target is None:
            return [], 0
        query = query.where(subtree(Case.unit_path, target.path))
    if q:
        query = query.where(matches_name_or_code(q))
    if overdue:
        late = select(CaseTask.case_id).where(CaseTask.due_at < clock.now())
        query = query.where(Case.id.in_(late))
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(Case.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
