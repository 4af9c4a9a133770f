"""Requests waiting for the user's unit, as work items of the inbox: the soonest due first,
with how many wait in all and how many are past their due date.

One indexed query (ix_cooperation_to: the receiving unit's subtree, then the status): the
window counts are taken over every open request before the limit, so the inbox pays one
round trip whatever the size of the queue, and its own paging of tasks is left as it was."""

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ...models import Case, CooperationRequest, User, db
from ...models.cooperation import OPEN
from .. import clock
from ..scope import subtree
from .requests import can_cooperate

INBOX_LIMIT = 10  # the rest are one click away, on the cooperation page


@dataclass
class Waiting:
    items: list[CooperationRequest] = field(default_factory=list)
    total: int = 0
    overdue: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def for_inbox(user: User, limit: int = INBOX_LIMIT) -> Waiting:
    """Open requests (transfers awaiting acceptance included) sent to the user's unit subtree;
    nothing for a role that does not answer them."""
    if not can_cooperate(user):
        return Waiting()
    today = clock.today_local()
    found = db.session.execute(
        select(
            CooperationRequest,
            func.count().over().label("total"),
            func.sum(case((CooperationRequest.due_on < today, 1), else_=0)).over().label("overdue"),
        )
        .where(subtree(CooperationRequest.to_unit_path, user.unit.path), CooperationRequest.status == OPEN)
        .options(
            joinedload(CooperationRequest.resident),
            joinedload(CooperationRequest.from_unit),
            joinedload(CooperationRequest.case).load_only(Case.code),  # not the workflow state
        )
        .order_by(CooperationRequest.due_on, CooperationRequest.id)
        .limit(limit)
    ).all()
    if not found:
        return Waiting()
    return Waiting([r[0] for r in found], int(found[0].total), int(found[0].overdue or 0))
