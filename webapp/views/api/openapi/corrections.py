"""The document's part for the police desk's corrections of a population record
(webapp/views/api/residents.py, services/residents/corrections.py): their schemas."""

from ....services.residents import corrections
from .blocks import DATE, STRING, TIMESTAMP, enum, nullable, obj, ref


def correction_schemas() -> dict:
    basis = obj(
        {
            "kind": enum(corrections.BASIS_KINDS),
            "number": {"type": "string", "minLength": 1, "maxLength": 50, "example": "123/TLKS"},
            "date": DATE,
        }
    )
    change = obj({"old": {"nullable": True}, "new": {"nullable": True}})
    return {
        "CorrectionInput": obj(
            {
                "changes": {
                    "type": "object",
                    "minProperties": 1,
                    "description": "Field → new value; fields: " + ", ".join(corrections.FIELDS) + ".",
                    "additionalProperties": True,
                },
                "basis": basis,
                "reason": nullable({"type": "string", "maxLength": 2000}),
            },
            required=("changes", "basis"),
            additional=True,
        ),
        "Correction": obj(
            {
                "id": {"type": "integer"},
                "status": enum(("applied", "pending")),
                "changes": {"type": "object", "additionalProperties": change},
                "basis": basis,
                "reason": nullable(STRING),
                "by": STRING,
                "at": TIMESTAMP,
                "confirmed_by": nullable(STRING),
            }
        ),
        "CorrectionResult": obj({"correction": ref("Correction"), "resident": ref("Resident")}),
    }
