from flask import Blueprint, jsonify

from ...services import access, clock, uow
from ...services.cases import commands
from ...services.errors import Forbidden, Msg
from ...services.production import batches, delivery
from ...services.text import local_day, parse_date_or_timestamp
from .cases import case_json
from .support import (
    ApiError,
    allow,
    bad_request,
    body,
    choice,
    current_user,
    lang,
    listing,
    page_args,
    read,
)

MAX_CARDS = 1000  # per call: a dispatch batch holds at most batches.MAX_CASES cases

ONLY_PRODUCTION = Msg(
    "Chỉ trung tâm sản xuất thẻ làm được việc này.", "Only the card production centre may do this."
)

bp = Blueprint("production", __name__)


def _production_only():
    if not access.can_deliver_cards(current_user()):
        raise Forbidden(ONLY_PRODUCTION)


@bp.get("/production/queue")
@allow(access.PRODUCE)
def production_queue():
    _production_only()
    page, per_page = page_args()
    rows, total = batches.production_queue(page, per_page)
    return listing([case_json(c, with_events=False) for c in rows], page, per_page, total)


@bp.post("/production/cards")
@allow(access.PRODUCE)
def production_card():
    _production_only()
    data = body()
    code, card_number, produced_at = read(data, ("case_code", "card_number", "produced_at"))
    problems = _card_problems(card_number, produced_at)
    if problems:
        raise ApiError(422, "invalid", f"Invalid: {', '.join(problems)}.", problems)
    with uow.command():
        number = card_number.strip()
        case, changed = commands.record_card_produced(
            current_user(), code, number, parse_date_or_timestamp(produced_at)
        )
        if changed:  # the card joins its unit's parcel of the day (a delivery batch)
            delivery.on_card_produced(case, number, current_user())
        out = case_json(case, with_events=False)
    return jsonify(out)


@bp.post("/production/returns")
@allow(access.PRODUCE)
def production_return():
    """The centre returns a file waiting for production (photo or fingerprint quality, a data
    check): the case goes back to the step that can fix it. A repeat answers 200, unchanged."""
    code, reason, note = read(body(), ("case_code", "reason"), ("note",))
    with uow.command():
        case, _changed = commands.return_file(current_user(), code, reason, note)
        out = case_json(case, with_events=False)
    return jsonify(out)


def _card_problems(card_number: str, produced_at: str, prefix: str = "") -> dict[str, list[str]]:
    problems = {}
    produced = parse_date_or_timestamp(produced_at)
    if produced is None:
        problems[prefix + "produced_at"] = ["A date YYYY-MM-DD or a timestamp with offset (ISO 8601)."]
    elif local_day(produced) > clock.today_local():
        problems[prefix + "produced_at"] = ["The date cannot be in the future."]
    if not card_number.strip() or len(card_number) > 30:
        problems[prefix + "card_number"] = ["1 to 30 characters."]
    return problems


# --- batches --------------------------------------------------------------------------------


def _batch_json(listed: batches.Listed) -> dict:
    batch = listed.batch
    return {
        "code": batch.code,
        "unit": batch.unit.code,
        "status": batch.status,
        "created_at": batch.created_at.isoformat(),
        "closed_at": batch.closed_at.isoformat() if batch.closed_at else None,
        "cases": listed.cases,
        "produced": listed.done,
    }


@bp.get("/production/batches")
@allow(access.PRODUCE)
def production_batches():
    _production_only()
    page, per_page = page_args()
    status = choice("status", ("sent", "received"))
    rows, total = batches.list_batches(current_user(), batches.DISPATCH, status, None, page, per_page)
    return listing([_batch_json(r) for r in rows], page, per_page, total)


@bp.get("/production/batches/<code>")
@allow(access.PRODUCE)
def production_batch(code: str):
    _production_only()
    batch = _dispatch_batch(code)
    return jsonify(_batch_detail(batch))


def _dispatch_batch(code: str):
    batch = batches.get_batch(current_user(), code)
    if batch.kind != batches.DISPATCH:
        raise ApiError(404, "not_found", "No dispatch batch has this code.")
    return batch


def _batch_detail(batch) -> dict:
    members = batches.members(batch)
    done = sum(m.card_number is not None for m in members)
    out = _batch_json(batches.Listed(batch, len(members), done))
    out["items"] = [
        {
            "case_code": m.case_code,
            "personal_id": m.personal_id,
            "full_name": m.full_name,
            "birth_date": m.birth_date.isoformat(),
            "unit": m.unit_code,
            "card_number": m.card_number,
            "waiting": m.state == "waiting",
        }
        for m in members
    ]
    return out


@bp.post("/production/batches/<code>/cards")
@allow(access.PRODUCE)
def production_batch_cards(code: str):
    """The centre's cards for a batch: each delivers "card produced" for its case in its own
    transaction; a repeat changes nothing; a case in conflict is reported and the others go on."""
    _production_only()
    (items,) = read(body(), ("cards",), kind=list)
    cards = _cards(items)
    _dispatch_batch(code)
    outcome = delivery.record_cards(current_user(), code, cards)
    return jsonify(_outcome_json(_dispatch_batch(code), outcome))


def _cards(items: list) -> list[delivery.Card]:
    """Every card well-formed and valid, or nothing is done: 400 naming the entries of the wrong
    JSON type, else 422 naming each entry's problems (`cards[3].produced_at`)."""
    if not 1 <= len(items) <= MAX_CARDS:
        raise ApiError(422, "invalid", f"cards: 1 to {MAX_CARDS}.", {"cards": [f"1 to {MAX_CARDS} cards."]})
    names = ("case_code", "card_number", "produced_at")
    wrong, missing = {}, {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            wrong[f"cards[{i}]"] = ["An object."]
            continue
        for name in names:
            value = item.get(name)
            if value is None:
                missing[f"cards[{i}].{name}"] = ["This field is required."]
            elif not isinstance(value, str):
                wrong[f"cards[{i}].{name}"] = ["Wrong JSON type."]
    if wrong:
        raise bad_request(f"Wrong JSON type: {', '.join(list(wrong)[:5])}.", wrong)
    problems = dict(missing)
    seen = {}
    for i, item in enumerate(items):
        if f"cards[{i}].case_code" in missing:
            continue
        if item["case_code"] in seen:
            problems[f"cards[{i}].case_code"] = [f"Repeats cards[{seen[item['case_code']]}]."]
        seen.setdefault(item["case_code"], i)
        if not any(f"cards[{i}].{n}" in missing for n in names[1:]):
            problems.update(_card_problems(item["card_number"], item["produced_at"], f"cards[{i}]."))
    if problems:
        raise ApiError(422, "invalid", f"Invalid: {', '.join(list(problems)[:5])}.", problems)
    return [
        delivery.Card(c["case_code"], c["card_number"].strip(), parse_date_or_timestamp(c["produced_at"]))
        for c in items
    ]


def _outcome_json(batch, outcome: delivery.Outcome) -> dict:
    language = lang()
    results = [{"case_code": c, "outcome": "produced", "error": None} for c in outcome.done]
    results += [{"case_code": c, "outcome": "unchanged", "error": None} for c in outcome.unchanged]
    results += [
        {
            "case_code": c,
            "outcome": "failed",
            "error": {"code": exc.code, "message": exc.message.get(language)},
        }
        for c, exc in outcome.failed
    ]
    return {
        "batch": _batch_detail(batch),
        "produced": len(outcome.done),
        "unchanged": len(outcome.unchanged),
        "failed": len(outcome.failed),
        "results": results,
    }
