"""Cards coming back: the production centre's cards for a dispatch batch, the parcel of the day
each card joins (a delivery batch), and the unit receiving a parcel in bulk.

Bulk actions run one transaction per case: one case in conflict never rolls back the others and
no lock is held across the whole batch (see webapp/services/production/batches.py for the whole picture)."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select, update

from vntime import LOCAL_TZ

from ...models import BatchCase, Case, CaseTask, ProductionBatch, User, db
from .. import access, clock, uow
from ..cases import commands, tasks
from ..errors import Conflict, Forbidden, Invalid, Msg, NotFound, ServiceError
from .batches import (
    BATCH_TABLE,
    DELIVERY,
    DISPATCH,
    MAX_CASES,
    NOT_FOUND,
    NOT_YOURS,
    RECEIVE,
    close_if_done,
    get_batch,
    lock_batch,
    lock_unit,
    new_batch,
    size,
    state,
)

log = logging.getLogger(__name__)

NOT_SENT = Msg("Lô chưa được gửi đi sản xuất.", "The batch has not been sent for production.")
NOT_DELIVERY = Msg("Chỉ nhận thẻ theo lô giao thẻ.", "Cards are received with a delivery batch.")
NOT_IN_BATCH = Msg("Hồ sơ không thuộc lô này.", "The case is not in this batch.")
NOT_AWAITING = Msg("Hồ sơ không còn chờ nhận thẻ.", "The case is no longer waiting for its card.")


# --- production: cards come back -----------------------------------------------------------


def on_card_produced(case: Case, card_number: str, actor: User | None) -> ProductionBatch:
    """In the transaction that delivered the card: note it on the case's dispatch batch, close
    that batch when nothing in it waits any more, and put the card in the unit's parcel of the
    day (a delivery batch on its way, not yet full)."""
    dispatched = db.session.scalars(
        select(BatchCase.batch_id)
        .join(ProductionBatch, ProductionBatch.id == BatchCase.batch_id)
        .where(BatchCase.case_id == case.id, ProductionBatch.kind == DISPATCH)
    ).all()
    for batch_id in dispatched:
        db.session.execute(
            update(BatchCase)
            .where(BatchCase.batch_id == batch_id, BatchCase.case_id == case.id)
            .values(card_number=card_number)
        )
        close_if_done(lock_batch(batch_id))
    unit = lock_unit(case.unit_id)
    today = clock.today_local()
    parcels = db.session.scalars(
        select(ProductionBatch)
        .where(
            ProductionBatch.unit_id == unit.id,
            ProductionBatch.kind == DELIVERY,
            ProductionBatch.status == "sent",
        )
        .order_by(ProductionBatch.id.desc())
        .limit(1)
    ).all()
    parcel = next(
        (p for p in parcels if p.created_at.astimezone(LOCAL_TZ).date() == today and size(p) < MAX_CASES),
        None,
    )
    if parcel is None:
        parcel = new_batch(DELIVERY, unit, actor, "sent")
    db.session.execute(
        insert(BATCH_TABLE), [{"batch_id": parcel.id, "case_id": case.id, "card_number": card_number}]
    )
    return parcel


@dataclass
class Card:
    case_code: str
    card_number: str
    produced_at: date | datetime  # a day, or an aware timestamp


@dataclass
class Outcome:
    """What a bulk action did, case by case."""

    done: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, ServiceError]] = field(default_factory=list)


def record_cards(actor: User, code: str, cards: list[Card]) -> Outcome:
    """The centre's cards for a sent dispatch batch, one transaction per case; a repeat of the
    same card changes nothing (`unchanged`), a case in conflict is reported and skipped."""
    if not access.can_deliver_cards(actor):
        raise Forbidden(NOT_YOURS)
    batch = get_batch(actor, code)
    if batch.kind != DISPATCH:
        raise NotFound(NOT_FOUND)  # the centre answers dispatch batches; parcels are its own
    if batch.status == "open":
        raise Conflict(NOT_SENT)
    in_batch = set(
        db.session.scalars(
            select(Case.code)
            .join(BatchCase, BatchCase.case_id == Case.id)
            .where(BatchCase.batch_id == batch.id)
        )
    )
    result = Outcome()
    for card in cards:
        if card.case_code not in in_batch:
            result.failed.append((card.case_code, NotFound(NOT_IN_BATCH)))
            continue
        try:
            with uow.command():
                case, changed = commands.record_card_produced(
                    actor, card.case_code, card.card_number, card.produced_at
                )
                if changed:
                    on_card_produced(case, card.card_number, actor)
        except ServiceError as exc:
            result.failed.append((card.case_code, exc))
            continue
        (result.done if changed else result.unchanged).append(card.case_code)
    log.info(
        "batch %s: %d cards produced, %d repeated, %d refused (by %s)",
        code,
        len(result.done),
        len(result.unchanged),
        len(result.failed),
        actor.username,
    )
    db.session.expire_all()  # each card was its own transaction: what the caller reads next is fresh
    return result


# --- delivery: the unit receives its cards -------------------------------------------------


def receive(actor: User, code: str, case_codes: list[str]) -> Outcome:
    """Confirm that the ticked cards of a delivery batch arrived: each completes the case's
    `receive_card` task through tasks.complete, in its own transaction. A case already received
    is `unchanged`; one held by another officer or changed meanwhile is reported in `failed`."""
    batch = get_batch(actor, code)
    if batch.kind != DELIVERY:
        raise Conflict(NOT_DELIVERY)
    if not access.can_receive_batches(actor, batch.unit):
        raise Forbidden(NOT_YOURS)
    in_batch = dict(
        db.session.execute(
            select(Case.code, Case.id)
            .join(BatchCase, BatchCase.case_id == Case.id)
            .where(BatchCase.batch_id == batch.id)
        ).all()
    )
    chosen = list(dict.fromkeys(c for c in case_codes if isinstance(c, str)))
    unknown = [c for c in chosen if c not in in_batch]
    if not chosen or unknown:
        problem = (
            Msg(f"Không thuộc lô: {', '.join(unknown[:5])}.", f"Not in the batch: {', '.join(unknown[:5])}.")
            if unknown
            else Msg("Chọn ít nhất một thẻ đã nhận.", "Tick at least one card that arrived.")
        )
        raise Invalid({"cases": [problem]})
    result = Outcome()
    batch_id = batch.id
    for case_code in chosen:
        task_id = db.session.scalar(
            select(CaseTask.id).where(CaseTask.case_id == in_batch[case_code], CaseTask.step == RECEIVE)
        )
        if task_id is None:
            case = db.session.get(Case, in_batch[case_code])
            if state(DELIVERY, case, None, False) == "received":
                result.unchanged.append(case_code)
            else:
                result.failed.append((case_code, Conflict(NOT_AWAITING)))
            continue
        try:
            with uow.command():
                tasks.complete(actor, task_id, {})
        except ServiceError as exc:
            result.failed.append((case_code, exc))
            continue
        result.done.append(case_code)
    with uow.command():
        close_if_done(lock_batch(batch_id))
    log.info(
        "delivery batch %s: %d received, %d already, %d refused (by %s)",
        code,
        len(result.done),
        len(result.unchanged),
        len(result.failed),
        actor.username,
    )
    return result
