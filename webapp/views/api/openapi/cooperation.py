"""The document's part for requests between units (webapp/views/api/cooperation.py,
services/cooperation/): their schemas and paths."""

from ....services.cooperation import requests, transfers
from .blocks import (
    DATE,
    PAGING,
    PERSONAL_ID,
    PERSONAL_ID_SHOWN,
    TIMESTAMP,
    endpoint,
    enum,
    json_body,
    nullable,
    obj,
    paged,
    query,
    ref,
    request_paths,
)

TEXT = {"type": "string", "minLength": 1, "maxLength": requests.MESSAGE_MAX}
UNIT = {
    "type": "string",
    "minLength": 1,
    "description": "The receiving unit: a code (today's or a pre-2025 one), a picker option "
    "ending in `(code)`, or a name matching exactly one unit.",
    "example": "00004",
}


def cooperation_schemas() -> dict:
    item = {
        "id": {"type": "integer", "minimum": 1},
        "kind": enum(requests.ALL_KINDS),
        "status": enum(requests.STATUSES),
        "personal_id": PERSONAL_ID_SHOWN,
        "resident_name": {"type": "string"},
        "case_code": nullable({"type": "string", "description": "The case a transfer is about."}),
        "from_unit": {"type": "string", "description": "Code of the sending unit."},
        "to_unit": {"type": "string", "description": "Code of the receiving unit."},
        "message": {"type": "string"},
        "due_on": {**DATE, "description": "Answer due (working days from cooperation_due.dmn)."},
        "created_at": TIMESTAMP,
        "created_by": {"type": "string"},
        "answer": nullable({"type": "string"}),
        "answered_at": nullable(TIMESTAMP),
        "answered_by": nullable({"type": "string"}),
        "result_case_code": nullable(
            {"type": "string", "description": "The case the answer started or named."}
        ),
    }
    return {
        "CooperationRequest": obj(item),
        "CooperationList": paged("CooperationRequest"),
        "CooperationNew": obj(
            {
                "kind": enum(requests.KINDS),
                "personal_id": PERSONAL_ID,
                "unit": UNIT,
                "message": TEXT,
            }
        ),
        "CooperationAnswer": obj(
            {
                "result": nullable(enum(requests.RESULTS, description="A request (not a transfer).")),
                "decision": nullable(enum(transfers.DECISIONS, description="A transfer.")),
                "note": nullable(
                    {**TEXT, "minLength": 0, "description": "Required with not_done or decline."}
                ),
            },
            required=[],
        ),
        "TransferRequest": obj({"unit": UNIT, "reason": TEXT}),
    }


def cooperation_paths(code: dict) -> dict:
    return {
        **request_paths(
            "/cooperation",
            "CooperationRequest",
            "A request",
            tag="cooperation",
            collection={
                "get": endpoint(
                    "Requests to the caller's unit subtree (incoming) or sent from it (outgoing)",
                    {200: json_body(ref("CooperationList"), "One page, oldest due first.")},
                    (400, 403, 422),
                    tag="cooperation",
                    parameters=(
                        query("box", "`incoming` (default) or `outgoing`.", enum(requests.BOXES)),
                        query(
                            "status",
                            "Only this status (default `open`; `all` for every one).",
                            enum((*requests.STATUSES, "all")),
                        ),
                        query("kind", "Only this kind.", enum(requests.ALL_KINDS)),
                        *PAGING,
                    ),
                ),
                "post": endpoint(
                    "Ask another unit (any commune of the country) for help with a resident in scope",
                    {
                        201: json_body(
                            ref("CooperationRequest"), "The request, waiting in the receiving unit's queue."
                        )
                    },
                    (403, 409, 422),
                    tag="cooperation",
                    body="CooperationNew",
                    description="While the request is open the receiving unit sees the resident, and only "
                    "then. 409 when the same request already waits for that unit.",
                ),
            },
            read="One request (either side)",
            actions={
                "answer": dict(
                    summary="The receiving unit's answer: `result` for a request, `decision` for a transfer",
                    errors=(403, 404, 409, 422),
                    body="CooperationAnswer",
                    description="`done` on `take_application` starts the resident's case in the receiving "
                    "unit (or names an open or issued one); accepting a transfer moves the case there. 409 "
                    "when the request is no longer open.",
                ),
                "cancel": dict(summary="The sender cancels an open request", errors=(403, 404, 409)),
            },
        ),
        "/cases/{code}/transfer": {
            "post": endpoint(
                "Ask another unit to take the case over (it moves when that unit accepts)",
                {201: json_body(ref("CooperationRequest"), "The transfer request.")},
                (403, 404, 409, 422),
                tag="cooperation",
                parameters=(code,),
                body="TransferRequest",
            )
        },
    }
