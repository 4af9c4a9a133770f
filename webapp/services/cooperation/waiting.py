"""Requests waiting for the user's unit, as work items of the inbox (due_queue): the soonest due
first, with how many wait in all and how many are past their due date.

The filters match ix_cooperation_to (the receiving unit's subtree, then the status), and the
inbox's own paging of tasks is left as it was."""

from sqlalchemy.orm import joinedload

from ...models import Case, CooperationRequest, User
from ...models.cooperation import OPEN
from ..due_queue import INBOX_LIMIT, Waiting, soonest_due
from ..scope import subtree
from .requests import can_cooperate


def for_inbox(user: User, limit: int = INBOX_LIMIT) -> Waiting[CooperationRequest]:
    """Open requests (transfers awaiting acceptance included) sent to the user's unit subtree;
    nothing for a role that does not answer them."""
    if not can_cooperate(user):
        return Waiting()
    return soonest_due(
        CooperationRequest,
        subtree(CooperationRequest.to_unit_path, user.unit.path),
        CooperationRequest.status == OPEN,
        options=(
            joinedload(CooperationRequest.resident),
            joinedload(CooperationRequest.from_unit),
            joinedload(CooperationRequest.case).load_only(Case.code),  # not the workflow state
        ),
        limit=limit,
    )
