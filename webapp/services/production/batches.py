"""Production and delivery in batches.

Approved cases wait at `await_card_production` for the production centre's "card produced"
message. A police lead (or the system, nightly) puts every approved case of a unit that is in no
live dispatch batch into a dispatch batch and sends it; the centre sees sent batches and answers
with the cards, each delivering the message per case. Each produced card joins its unit's
delivery batch of the day (the parcel travelling back), and officers of the unit receive the
parcel in bulk, which completes each case's `receive_card` task.

This module reads batches and makes dispatch batches; delivery.py takes the cards back
and receives them, one transaction per case.
"""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, exists, func, insert, select

from ...models import BatchCase, Case, CaseTask, ProductionBatch, Resident, Unit, User, db
from .. import access, clock, uow
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound
from ..scope import subtree

log = logging.getLogger(__name__)

DISPATCH, DELIVERY = "dispatch", "delivery"
KINDS = (DISPATCH, DELIVERY)
STATUSES = ("open", "sent", "received")
WAITING = "await_card_production"
RECEIVE = "receive_card"
PREFIX = {DISPATCH: "SX", DELIVERY: "GT"}  # sản xuất, giao thẻ
MAX_CASES = 1000  # per batch: a parcel one officer can check; the rest goes in the next one
BATCH_TABLE = BatchCase.__table__

NOT_FOUND = Msg("Không tìm thấy lô này.", "Batch not found.")
NOT_YOURS = Msg("Vai trò của bạn không làm được việc này với lô.", "Your role may not do this with batches.")
NOTHING_READY = Msg(
    "Đơn vị không có hồ sơ đã duyệt nào chưa vào lô.", "The unit has no approved case outside a batch."
)
NOT_OPEN = Msg("Lô đã được gửi.", "The batch has already been sent.")


def _waiting():
    return and_(Case.status == "open", Case.current_steps.contains(WAITING))


def _live_dispatch(case_id):
    """The case sits in a dispatch batch still in play (open or sent)."""
    return exists().where(
        BatchCase.case_id == case_id,
        ProductionBatch.id == BatchCase.batch_id,
        ProductionBatch.kind == DISPATCH,
        ProductionBatch.status.in_(("open", "sent")),
    )


def _locked(query):
    """FOR NO KEY UPDATE on PostgreSQL (SQLite has one writer at a time): the foreign-key checks
    of rows that merely reference the locked row (FOR KEY SHARE) do not wait for it."""
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def lock_unit(unit_id: int) -> Unit:
    """Serialises batch numbering and the parcel of the day per unit."""
    return _locked(select(Unit).where(Unit.id == unit_id))


def lock_batch(batch_id: int) -> ProductionBatch:
    """Serialises the "is anything left?" check that closes a batch: two cases finishing at the
    same moment would each see the other still pending."""
    return _locked(select(ProductionBatch).where(ProductionBatch.id == batch_id))


def new_batch(kind: str, unit: Unit, actor: User | None, status: str) -> ProductionBatch:
    """SX-13300-0001: the unit's batches of a kind, numbered; call under lock_unit."""
    n = db.session.scalar(
        select(func.count()).where(ProductionBatch.unit_id == unit.id, ProductionBatch.kind == kind)
    )
    tag = unit.code if len(unit.code) <= 14 else str(unit.id)
    batch = ProductionBatch(
        code=f"{PREFIX[kind]}-{tag}-{n + 1:04d}",
        kind=kind,
        unit_id=unit.id,
        status=status,
        created_by_id=actor.id if actor else None,
        created_at=clock.now(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


# --- reading -------------------------------------------------------------------------------


def can_see(user: User) -> bool:
    return user.active and user.role in access.BATCH_READERS


def _visible(user: User, batch: ProductionBatch) -> bool:
    """The centre sees every batch sent to it and every parcel it made; the others see the
    batches of their unit subtree."""
    if not can_see(user):
        return False
    if user.role == "production":
        return not (batch.kind == DISPATCH and batch.status == "open")
    return access.in_scope(user, batch.unit.path)


def get_batch(user: User, code: str) -> ProductionBatch:
    if not can_see(user):
        raise Forbidden(NOT_YOURS)
    batch = db.session.scalar(select(ProductionBatch).where(ProductionBatch.code == code))
    if batch is None or not _visible(user, batch):
        raise NotFound(NOT_FOUND)
    return batch


def ready_by_unit(user: User) -> list[tuple[Unit, int]]:
    """Approved cases outside any live dispatch batch, per unit of the user's subtree."""
    if not can_see(user) or user.role == "production":
        return []
    counts = (
        select(Case.unit_id, func.count())
        .where(_waiting(), subtree(Case.unit_path, user.unit.path), ~_live_dispatch(Case.id))
        .group_by(Case.unit_id)
    )
    found = dict(db.session.execute(counts).all())
    if not found:
        return []
    units = db.session.scalars(select(Unit).where(Unit.id.in_(found)).order_by(Unit.code))
    return [(u, found[u.id]) for u in units]


@dataclass
class Listed:
    batch: ProductionBatch
    cases: int
    done: int  # cards produced (dispatch) or received (delivery)


def list_batches(
    user: User, kind: str | None, status: str | None, unit_code: str | None, page: int, per_page: int
) -> tuple[list[Listed], int]:
    if not can_see(user):
        raise Forbidden(NOT_YOURS)
    query = select(ProductionBatch).join(Unit, Unit.id == ProductionBatch.unit_id)
    if user.role == "production":
        query = query.where(~and_(ProductionBatch.kind == DISPATCH, ProductionBatch.status == "open"))
    else:
        query = query.where(subtree(Unit.path, user.unit.path))
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            return [], 0
        query = query.where(subtree(Unit.path, unit.path))
    if kind in KINDS:
        query = query.where(ProductionBatch.kind == kind)
    if status in STATUSES:
        query = query.where(ProductionBatch.status == status)
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None))
    rows = list(
        db.session.scalars(
            query.order_by(ProductionBatch.created_at.desc(), ProductionBatch.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    sizes, done = _counts([b.id for b in rows])
    return [Listed(b, sizes.get(b.id, 0), done.get(b.id, 0)) for b in rows], total


def _counts(ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Cases per batch, and those done: with a card (dispatch) or no longer waiting for receipt
    (delivery). Grouped queries over the page's batches."""
    if not ids:
        return {}, {}
    per = (
        select(BatchCase.batch_id, func.count())
        .where(BatchCase.batch_id.in_(ids))
        .group_by(BatchCase.batch_id)
    )
    sizes = dict(db.session.execute(per).all())
    carded = dict(db.session.execute(per.where(BatchCase.card_number.is_not(None))).all())
    pending = dict(
        db.session.execute(
            per.join(CaseTask, and_(CaseTask.case_id == BatchCase.case_id, CaseTask.step == RECEIVE))
        ).all()
    )
    kinds = dict(
        db.session.execute(
            select(ProductionBatch.id, ProductionBatch.kind).where(ProductionBatch.id.in_(ids))
        ).all()
    )
    done = {i: carded.get(i, 0) if kinds[i] == DISPATCH else sizes.get(i, 0) - pending.get(i, 0) for i in ids}
    return sizes, done


@dataclass
class Member:
    """One case of a batch as the batch page and its export show it."""

    case_code: str
    personal_id: str
    full_name: str
    birth_date: date
    unit_code: str
    card_number: str | None
    case_status: str
    steps: str
    # waiting (for production), produced, to_receive, received, left (withdrawn, moved...)
    state: str


def members(batch: ProductionBatch) -> list[Member]:
    query = (
        select(BatchCase.card_number, Case, Resident, Unit.code, CaseTask.id)
        .join(Case, Case.id == BatchCase.case_id)
        .join(Resident, Resident.id == Case.resident_id)
        .join(Unit, Unit.id == Case.unit_id)
        .outerjoin(CaseTask, and_(CaseTask.case_id == Case.id, CaseTask.step == RECEIVE))
        .where(BatchCase.batch_id == batch.id)
        .order_by(Case.code)
    )
    out = []
    for card, case, resident, unit_code, receive_task in db.session.execute(query):
        out.append(
            Member(
                case.code,
                resident.personal_id,
                resident.full_name,
                resident.birth_date,
                unit_code,
                card,
                case.status,
                case.current_steps,
                state(batch.kind, case, card, receive_task is not None),
            )
        )
    return out


def state(kind: str, case: Case, card: str | None, to_receive: bool) -> str:
    if kind == DISPATCH:
        if case.status == "open" and WAITING in case.steps:
            return "waiting"
        return "produced" if card else "left"
    if to_receive:
        return "to_receive"
    if case.status == "issued" or "hand_over_card" in case.steps:
        return "received"
    return "left"


# --- dispatch: the unit sends its approved cases -----------------------------------------


def create_dispatch(actor: User | None, unit_code: str, send: bool = False) -> ProductionBatch:
    """A batch of the unit's approved cases outside any live dispatch batch, oldest first (at
    most MAX_CASES). `actor` None is the system (the nightly command)."""
    unit = (
        db.session.scalar(select(Unit).where(Unit.code == unit_code)) if isinstance(unit_code, str) else None
    )
    if actor is not None:
        if actor.role not in access.DISPATCHERS:
            raise Forbidden(NOT_YOURS)
        if unit is None or not access.can_dispatch_batches(actor, unit):
            raise Invalid(
                {"unit": [Msg("Không có đơn vị này trong phạm vi của bạn.", "No such unit in your scope.")]}
            )
    elif unit is None:
        raise Invalid({"unit": [Msg("Không có đơn vị với mã này.", "No unit has this code.")]})
    unit = lock_unit(unit.id)
    ids = list(
        db.session.scalars(
            select(Case.id)
            .where(Case.unit_id == unit.id, _waiting(), ~_live_dispatch(Case.id))
            .order_by(Case.updated_at, Case.id)
            .limit(MAX_CASES)
        )
    )
    if not ids:
        raise Conflict(NOTHING_READY)
    batch = new_batch(DISPATCH, unit, actor, "sent" if send else "open")
    db.session.execute(insert(BATCH_TABLE), [{"batch_id": batch.id, "case_id": i} for i in ids])
    log.info("dispatch batch %s: %d cases of %s by %s", batch.code, len(ids), unit.code, _who(actor))
    return batch


def send(actor: User, code: str) -> ProductionBatch:
    batch = get_batch(actor, code)
    if batch.kind != DISPATCH or not access.can_dispatch_batches(actor, batch.unit):
        raise Forbidden(NOT_YOURS)
    batch = lock_batch(batch.id)
    if batch.status != "open":
        raise Conflict(NOT_OPEN)
    batch.status = "sent"
    db.session.flush()
    log.info("dispatch batch %s sent by %s", batch.code, actor.username)
    return batch


def dispatch_all(send_now: bool = True) -> list[str]:
    """The system's round: one dispatch batch per unit with approved cases outside a batch,
    each in its own transaction. Returns the codes made."""
    unit_codes = list(
        db.session.scalars(
            select(Unit.code)
            .where(exists().where(Case.unit_id == Unit.id, _waiting(), ~_live_dispatch(Case.id)))
            .order_by(Unit.code)
        )
    )
    made = []
    for unit_code in unit_codes:
        try:
            with uow.command():
                made.append(create_dispatch(None, unit_code, send=send_now).code)
        except Conflict:
            continue  # another worker took them meanwhile
    return made


def size(batch: ProductionBatch) -> int:
    return db.session.scalar(select(func.count()).where(BatchCase.batch_id == batch.id))


def close_if_done(batch: ProductionBatch) -> bool:
    """A sent dispatch batch is done when none of its cases waits for production; a delivery
    batch when none waits for receipt. An open batch (not sent yet) stays open. Writes only when
    the status changes."""
    if batch.status != "sent":
        return False
    in_batch = select(BatchCase.case_id).where(BatchCase.batch_id == batch.id)
    if batch.kind == DISPATCH:
        pending = exists().where(Case.id.in_(in_batch), _waiting())
    else:
        pending = exists().where(CaseTask.case_id.in_(in_batch), CaseTask.step == RECEIVE)
    if db.session.scalar(select(pending)):
        return False
    batch.status, batch.closed_at = "received", clock.now()
    db.session.flush()
    log.info("%s batch %s closed", batch.kind, batch.code)
    return True


# Built once: after_command runs on every command that moves a case out of a batch's step.
_SENT_WITH_CASE = (
    select(ProductionBatch.id)
    .join(BatchCase, BatchCase.batch_id == ProductionBatch.id)
    .where(
        BatchCase.case_id == bindparam("case_id"),
        ProductionBatch.kind.in_(bindparam("kinds", expanding=True)),
        ProductionBatch.status == "sent",
    )
    .order_by(ProductionBatch.id)
)


def after_command(applied) -> None:
    """After every case command (cases.engine.AFTER_COMMAND) that moved a case (a card, a receipt,
    a withdrawal, a supervisor's move back, an error): the sent batches it leaves close once
    nothing in them waits, so no batch stays "sent" for ever because its last case went another
    way."""
    case, before = applied.case, applied.before
    if before == case.current_steps:
        return
    left = [kind for kind, step in ((DISPATCH, WAITING), (DELIVERY, RECEIVE)) if step in before]
    left = [kind for kind in left if (WAITING if kind == DISPATCH else RECEIVE) not in case.current_steps]
    if not left:
        return
    batch_ids = db.session.scalars(_SENT_WITH_CASE, {"case_id": case.id, "kinds": left}).all()
    for batch_id in batch_ids:
        close_if_done(lock_batch(batch_id))


def _who(actor: User | None) -> str:
    return actor.username if actor else "system"


def production_queue(page: int, per_page: int) -> tuple[list[Case], int]:
    """Every case waiting for the production centre, the longest waiting first; with the total."""
    query = select(Case).where(_waiting())
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(Case.updated_at, Case.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), total
