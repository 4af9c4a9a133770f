from flask import jsonify
from sqlalchemy import select

from ...models import Case, db
from ...services import access, cases, clock, uow
from ...services.errors import Forbidden, Msg
from ...services.text import parse_iso_date
from . import ApiError, authenticated, body, bp, current_user, listing, page_args, read
from .cases import WAITING_STEP, case_json

ONLY_PRODUCTION = Msg(
    "Chỉ trung tâm sản xuất thẻ làm được việc này.", "Only the card production centre may do this."
)


def _production_only():
    if not access.can_deliver_cards(current_user()):
        raise Forbidden(ONLY_PRODUCTION)


@bp.get("/production/queue")
@authenticated
def production_queue():
    _production_only()
    page, per_page = page_args()
    query = select(Case).where(Case.status == "open", Case.current_steps.contains(WAITING_STEP))
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    rows = db.session.scalars(
        query.order_by(Case.updated_at, Case.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return listing([case_json(c, with_events=False) for c in rows], page, per_page, total)


@bp.post("/production/cards")
@authenticated
def production_card():
    _production_only()
    data = body()
    code, card_number, produced_at = read(data, ("case_code", "card_number", "produced_at"))
    problems = {}
    produced = parse_iso_date(produced_at)
    if produced is None:
        problems["produced_at"] = ["A date YYYY-MM-DD."]
    elif produced > clock.today_local():
        problems["produced_at"] = ["The date cannot be in the future."]
    if not card_number.strip() or len(card_number) > 30:
        problems["card_number"] = ["1 to 30 characters."]
    if problems:
        raise ApiError(422, "invalid", f"Invalid: {', '.join(problems)}.", problems)
    with uow.command():
        case, _changed = cases.record_card_produced(current_user(), code, card_number.strip(), produced)
        out = case_json(case, with_events=False)
    return jsonify(out)
