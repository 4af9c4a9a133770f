"""A unit's open requests as work items of the inbox, whatever their kind (requests between
units, VNeID level 2): the soonest due first, with how many wait in all and how many are past
their due date.

One query on the index of the kind's unit path: the window counts are taken over every row the
filters pick before the limit, so the inbox pays one round trip whatever the size of the queue."""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import case, func, select

from ..models import db
from . import clock

INBOX_LIMIT = 10  # the rest are one click away, on the kind's own list

T = TypeVar("T")


@dataclass
class Waiting(Generic[T]):
    items: list[T] = field(default_factory=list)
    total: int = 0
    overdue: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def soonest_due(model: type[T], *where, options=(), limit: int = INBOX_LIMIT) -> Waiting[T]:
    """The rows of `model` (a request with `due_on` and `id`) that `where` picks (the unit's
    subtree, an open status), loaded with `options` (what the inbox shows of each)."""
    today = clock.today_local()
    found = db.session.execute(
        select(
            model,
            func.count().over().label("total"),
            func.sum(case((model.due_on < today, 1), else_=0)).over().label("overdue"),
        )
        .where(*where)
        .options(*options)
        .order_by(model.due_on, model.id)
        .limit(limit)
    ).all()
    if not found:
        return Waiting()
    return Waiting([r[0] for r in found], int(found[0].total), int(found[0].overdue or 0))
