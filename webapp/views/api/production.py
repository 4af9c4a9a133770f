from flask import jsonify
from sqlalchemy import select

from ...models import Case, db
from ...services import access, cases, uow
from ...services.errors import Forbidden, Msg
from ...services.text import parse_iso_date
from . import ApiError, authenticated, body, bp, current_user, expect, listing, page_args
from .cases import case_json

WAITING = "await_card_production"


@bp.get("/production/queue")
@authenticated
def production_queue():
    if not access.can_deliver_cards(current_user()):
        raise Forbidden(
            Msg("Chỉ trung tâm sản xuất xem hàng chờ này.", "Only the production centre sees this queue.")
        )
    page, per_page = page_args()
    query = select(Case).where(Case.status == "open", Case.current_steps.contains(WAITING))
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(Case.updated_at, Case.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return listing([case_json(c, with_events=False) for c in rows], page, per_page, total)


@bp.post("/production/cards")
@authenticated
def production_card():
    data = body()
    code = expect(data, "case_code", str)
    card_number = expect(data, "card_number", str)
    produced = parse_iso_date(expect(data, "produced_at", str))
    if produced is None:
        raise ApiError(
            422, "invalid", "produced_at must be a date YYYY-MM-DD.", {"produced_at": ["YYYY-MM-DD"]}
        )
    if not card_number.strip() or len(card_number) > 30:
        raise ApiError(
            422, "invalid", "card_number must be 1–30 characters.", {"card_number": ["1–30 characters."]}
        )
    with uow.command():
        case, _changed = cases.record_card_produced(current_user(), code, card_number.strip(), produced)
        out = case_json(case, with_events=False)
    return jsonify(out)
