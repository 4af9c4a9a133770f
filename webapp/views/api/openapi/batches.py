"""The document's part for dispatch batches as the production centre sees them
(webapp/views/api/production.py, services/production/): their schemas."""

from .blocks import (
    COUNT,
    DATE,
    PERSONAL_ID_SHOWN,
    PRODUCED_AT,
    STRING,
    TIMESTAMP,
    enum,
    nullable,
    obj,
    paged,
    ref,
)


def batch_schemas() -> dict:
    summary = {
        "code": {"type": "string", "example": "SX-13300-0001"},
        "unit": {"type": "string", "description": "Code of the unit that sent the batch."},
        "status": enum(
            ("open", "sent", "received"),
            description="`sent`: at the centre; `received`: no case in it waits any more; `open`: not "
            "sent yet (only an administrator sees such a batch).",
        ),
        "created_at": TIMESTAMP,
        "closed_at": nullable(TIMESTAMP),
        "cases": COUNT,
        "produced": {**COUNT, "description": "Cases of the batch with a card."},
    }
    member = obj(
        {
            "case_code": {"type": "string", "example": "HS-2026-000001"},
            "personal_id": PERSONAL_ID_SHOWN,
            "full_name": STRING,
            "birth_date": DATE,
            "unit": {"type": "string", "description": "Code of the case's unit."},
            "card_number": nullable(STRING),
            "waiting": {"type": "boolean", "description": "Still waiting for its card."},
        }
    )
    card = {
        "case_code": {"type": "string", "example": "HS-2026-000001"},
        "card_number": {"type": "string", "minLength": 1, "maxLength": 30, "example": "C000123456"},
        "produced_at": PRODUCED_AT,
    }
    result = obj(
        {
            "case_code": STRING,
            "outcome": enum(("produced", "unchanged", "failed")),
            "error": nullable(obj({"code": STRING, "message": STRING})),
        }
    )
    return {
        "Batch": obj(summary),
        "BatchList": paged("Batch"),
        "BatchDetail": obj({**summary, "items": {"type": "array", "items": member}}),
        "BatchCards": obj(
            {
                "cards": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1000,
                    "items": obj(card, additional=True),
                }
            },
            additional=True,
        ),
        "BatchCardsResult": obj(
            {
                "batch": ref("BatchDetail"),
                "produced": COUNT,
                "unchanged": COUNT,
                "failed": COUNT,
                "results": {"type": "array", "items": result},
            }
        ),
    }
