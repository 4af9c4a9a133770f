"""The document's part for VNeID level 2 requests of chip-card holders
(webapp/views/api/vneid.py, services/vneid/): their schemas and paths."""

from ....services.vneid import requests
from .blocks import (
    DATE,
    PERSONAL_ID,
    TIMESTAMP,
    endpoint,
    enum,
    json_body,
    nullable,
    obj,
    ref,
    request_paths,
)


def vneid_schemas() -> dict:
    return {
        "VneidRequest": obj(
            {
                "id": {"type": "integer", "minimum": 1},
                "personal_id": PERSONAL_ID,
                "resident_name": {"type": "string"},
                "unit": {"type": "string", "description": "Code of the unit that took the request."},
                "status": enum(
                    requests.STATUSES,
                    description="The step waiting (identity_check, phone, activation), or how it ended.",
                ),
                "due_on": {**DATE, "description": "Due (working days from cooperation_due.dmn)."},
                "created_at": TIMESTAMP,
                "created_by": {"type": "string"},
                "identity_method": nullable(enum(requests.METHODS)),
                "phone": nullable({"type": "string", "pattern": "^0[0-9]{9}$"}),
                "activated_at": nullable(TIMESTAMP),
                "refused_step": nullable(enum(requests.STEPS)),
                "refused_reason": nullable({"type": "string"}),
            }
        ),
        "VneidNew": obj(
            {
                "personal_id": PERSONAL_ID,
                "presented": nullable(
                    {
                        "type": "boolean",
                        "description": "The citizen shows the chip card at the caller's desk: anyone in "
                        "the registry, wherever registered. Otherwise the resident must be in scope.",
                    }
                ),
            },
            required=["personal_id"],
        ),
        "VneidStep": obj(
            {
                "step": enum(requests.STEPS, description="The step waiting; another one is a 409."),
                "data": nullable(
                    obj(
                        {
                            "result": {
                                "type": "string",
                                "description": "identity_check: `match` or `mismatch`; "
                                "activation: `activated` or `failed`.",
                            },
                            "method": nullable(enum(requests.METHODS, description="With `match`.")),
                            "reason": nullable(
                                {"type": "string", "description": "With `mismatch` or `failed`."}
                            ),
                            "phone": nullable({"type": "string", "description": "phone: a mobile number."}),
                            "own_subscription": nullable(
                                {"type": "boolean", "description": "phone: must be true."}
                            ),
                        },
                        required=[],
                    )
                ),
            },
            required=["step"],
        ),
    }


def vneid_paths() -> dict:
    return request_paths(
        "/vneid-requests",
        "VneidRequest",
        "A VNeID request",
        tag="vneid",
        collection={
            "post": endpoint(
                "Request VNeID level 2 for a resident who already holds a chip card (no new card)",
                {201: json_body(ref("VneidRequest"), "The request, at its first step.")},
                (403, 409, 422),
                tag="vneid",
                body="VneidNew",
                description="422 when the resident is unknown, out of scope (without `presented`), "
                "deceased or holds no chip card; 409 when one is already in progress.",
            )
        },
        read="One request of the caller's unit subtree",
        actions={
            "steps": dict(
                summary="Complete the step waiting: identity_check, then phone, then activation",
                errors=(403, 404, 409, 422),
                body="VneidStep",
                description="A mismatch or a failed activation ends the request (`refused`) with its "
                "reason. 409 when `step` is not the one waiting (a stale client) or the request has ended.",
            )
        },
    )
