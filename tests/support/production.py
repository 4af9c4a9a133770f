"""Production batches in tests: dispatch a unit's approved cases, read a batch and its members,
the centre's cards, the parcels of the day."""

from datetime import date

from sqlalchemy import select

from webapp.models import ProductionBatch, db
from webapp.services.production import batches
from webapp.services.production.delivery import Card
from webapp.services.uow import command

PRODUCED = date(2026, 11, 20)


def dispatch(user, unit_code="13300", send=True) -> str:
    with command():
        code = batches.create_dispatch(user, unit_code).code
    if send:
        with command():
            batches.send(user, code)
    return code


def batch(code: str) -> ProductionBatch:
    db.session.expire_all()
    return db.session.scalar(select(ProductionBatch).where(ProductionBatch.code == code))


def member_codes(code: str) -> list[str]:
    return [m.case_code for m in batches.members(batch(code))]


def cards(*codes, number="C{}") -> list[Card]:
    return [Card(c, number.format(c[-6:]), PRODUCED) for c in codes]


def parcels(unit_code="13300") -> list[ProductionBatch]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ProductionBatch)
            .where(ProductionBatch.kind == "delivery", ProductionBatch.code.contains(unit_code))
            .order_by(ProductionBatch.id)
        )
    )
