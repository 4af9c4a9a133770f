"""The document's component schemas: every object the API reads or writes. The parts of
production batches, stuck cases, record corrections, cooperation, the access log and VNeID are in
modules of their own."""

from ....services.cases import commands, legal_due, step_fields
from ....services.cases.portraits import CONTENT_TYPES as PORTRAIT_TYPES
from ....services.residents import id_check, registry
from .batches import batch_schemas
from .blocks import (
    CASE_STATUSES,
    COUNT,
    DATE,
    DEPARTMENTS,
    EVENT_ACTIONS,
    FIELD_TYPES,
    PERSONAL_ID,
    PERSONAL_ID_SHOWN,
    PRODUCED_AT,
    STRING,
    TIMESTAMP,
    enum,
    nullable,
    obj,
    paged,
    ref,
    step_schema,
)
from .cooperation import cooperation_schemas
from .corrections import correction_schemas
from .stuck import stuck_schemas
from .trust import access_log_schemas
from .vneid import vneid_schemas


def schemas() -> dict:
    steps = list(step_fields.STEP_FIELDS)
    resident_fields = {
        "full_name": {"type": "string", "minLength": 1, "maxLength": 200, "example": "Nguyễn Thị Lan"},
        "birth_date": {**DATE, "description": "Not in the future, year 1900 or later."},
        "birth_date_precision": enum(registry.PRECISIONS, default="day"),
        "sex": enum(registry.SEXES),
        "old_id_number": nullable({"type": "string", "pattern": "^[0-9]{9}([0-9]{3})?$"}),
        "ethnicity": nullable({"type": "string", "maxLength": 50}),
        "household_id": nullable({"type": "string", "maxLength": 30}),
        "permanent_unit": {
            "type": "string",
            "minLength": 1,
            "description": "A unit code.",
            "example": "13300",
        },
        "temporary_unit": nullable({"type": "string", "description": "A unit code."}),
        "status": enum(registry.STATUSES, default="alive"),
        "card_state": enum(
            registry.CARD_STATES,
            default="none",
            description="The card held today: none, the old CMND, the chip card, or a chip card "
            "reported lost (check-in then proposes a reissue).",
        ),
        "card_issued_on": nullable(
            {
                **DATE,
                "example": "2021-06-15",
                "description": "The chip card's issue date: required with `chip` and only then; "
                "not in the future, not before the birth date.",
            }
        ),
    }
    # What the record says beyond its input: the desk-corrected places and the ID check.
    resident_checks = {
        "hometown": nullable({"type": "string", "maxLength": 200, "description": "Quê quán."}),
        "place_of_birth": nullable({"type": "string", "maxLength": 200, "description": "Nơi sinh."}),
        "flags": {
            "type": "array",
            "items": enum([id_check.FLAG]),
            "description": "`id_inconsistent`: the ID's century/sex or year digits disagree with the "
            "recorded birth date or sex (stored and flagged, not refused).",
        },
        "id_check": obj(
            {"birth_year": {"type": "boolean"}, "sex": {"type": "boolean"}},
        ),
    }
    # A case embeds the resident without the card fields; the residents endpoints always give them.
    resident_required = [n for n in resident_fields if n not in ("card_state", "card_issued_on")]
    task = {
        "id": {"type": "string", "description": "The task's id (a UUID)."},
        "case_code": {"type": "string", "example": "HS-2026-000001"},
        "step": enum(steps),
        "department": enum(DEPARTMENTS),
        "unit": {"type": "string", "description": "Code of the case's unit."},
        "assignee": nullable({"type": "string", "description": "Username of the holder."}),
        "ready_at": TIMESTAMP,
        "due_at": nullable(TIMESTAMP),
    }
    form_field = obj(
        {
            "name": STRING,
            "type": enum(FIELD_TYPES),
            "required": {"type": "boolean"},
            "choices": {"type": "array", "items": STRING},
        },
        required=("name", "type", "required"),
    )
    case = {
        "code": {"type": "string", "example": "HS-2026-000001"},
        "status": enum(CASE_STATUSES),
        "kind": enum(commands.KINDS),
        "priority": nullable(enum(commands.PRIORITIES)),
        "unit": {"type": "string", "description": "Code of the unit handling the case."},
        "version": {"type": "integer", "minimum": 1, "description": "Bumped by every change to the case."},
        "resident": ref("Resident"),
        "tasks": {"type": "array", "items": ref("Task"), "description": "Its ready user tasks."},
        "law": nullable(
            enum(legal_due.LAWS, description="The identity law in force on the application date.")
        ),
        "legal_due_on": nullable(
            {
                **DATE,
                "description": "The statutory return date under that law, the case's kind and its "
                "unit's area, in working days from the day after the application.",
            }
        ),
        "error": {
            "description": "Only with status `error`: where the process stopped.",
            **obj(
                {
                    "step": nullable(STRING),
                    "message": nullable(STRING),
                    "line": nullable({"type": "integer"}),
                }
            ),
        },
    }
    case_required = [name for name in case if name != "error"]
    event = obj(
        {
            "at": TIMESTAMP,
            "actor": nullable({"type": "string", "description": "Username; null for the system."}),
            "action": enum(EVENT_ACTIONS),
            "step": nullable(STRING),
            "detail": {"type": "object", "additionalProperties": True},
        }
    )
    return {
        "Error": obj(
            {
                "error": obj(
                    {
                        "code": {"type": "string", "example": "invalid"},
                        "message": {"type": "string", "description": "A sentence for a person."},
                        "fields": {
                            "type": "object",
                            "description": "Field name → its problems.",
                            "additionalProperties": {"type": "array", "items": STRING},
                        },
                    }
                )
            }
        ),
        "TokenRequest": obj({"username": STRING, "password": {"type": "string", "format": "password"}}),
        "Token": obj({"token": STRING, "expires_at": TIMESTAMP}),
        "Unit": obj(
            {
                "code": {"type": "string", "example": "37"},
                "name": {"type": "string", "example": "Ninh Bình"},
                "level": {"type": "string", "example": "province"},
                "parent": nullable({"type": "string", "description": "The `parent` asked for."}),
            }
        ),
        "UnitList": paged("Unit"),
        "ResidentInput": obj(
            resident_fields,
            required=("full_name", "birth_date", "sex", "permanent_unit"),
            additional=True,
        ),
        "Resident": obj(
            {
                "personal_id": PERSONAL_ID_SHOWN,
                **resident_fields,
                **resident_checks,
            },
            required=["personal_id", *resident_required, *resident_checks],
        ),
        **correction_schemas(),
        "CaseStart": obj(
            {
                "personal_id": PERSONAL_ID,
                "kind": enum(commands.KINDS),
                "priority": nullable(enum(commands.PRIORITIES)),
            },
            required=("personal_id", "kind"),
            additional=True,
        ),
        "Case": {**obj(case, required=case_required)},
        "CaseDetail": obj(
            {**case, "events": {"type": "array", "items": ref("Event")}},
            required=[*case_required, "events"],
        ),
        "CaseList": paged("Case"),
        "Event": event,
        "Task": obj(task),
        "TaskDetail": obj({**task, "form": obj({"fields": {"type": "array", "items": ref("FormField")}})}),
        "TaskList": paged("Task"),
        "FormField": form_field,
        "TaskCompletion": {
            "type": "object",
            "properties": {
                "data": {
                    "description": "The step's fields (see the task's `form`); unknown fields are a 422.",
                    "anyOf": [ref(f"StepData.{step}") for step in steps],
                }
            },
            "additionalProperties": True,
        },
        "CompletionResult": obj({"case": ref("Case"), "next_tasks": {"type": "array", "items": ref("Task")}}),
        **{f"StepData.{step}": step_schema(step) for step in steps},
        "CardProduced": obj(
            {
                "case_code": {"type": "string", "example": "HS-2026-000001"},
                "card_number": {"type": "string", "minLength": 1, "maxLength": 30, "example": "C000123456"},
                "produced_at": PRODUCED_AT,
            },
            additional=True,
        ),
        "ProductionReturn": obj(
            {
                "case_code": {"type": "string", "example": "HS-2026-000001"},
                "reason": enum(commands.RETURN_REASONS),
                "note": nullable({"type": "string", "maxLength": commands.RETURN_NOTE_MAX}),
            },
            required=["case_code", "reason"],
        ),
        **batch_schemas(),
        **stuck_schemas(),
        **cooperation_schemas(),
        **access_log_schemas(),
        **vneid_schemas(),
        "Progress": obj(
            {
                "unit": STRING,
                "eligible": COUNT,
                "applied": COUNT,
                "with_justice": COUNT,
                "approved": COUNT,
                "produced": COUNT,
                "issued": COUNT,
                "quota": nullable(COUNT),
                "percent_of_quota": nullable({"type": "number", "minimum": 0}),
                # An addition (issue 16): VNeID level 2 asked by chip-card holders, no new card.
                "vneid_level2": obj({n: COUNT for n in ("requested", "activated", "refused", "open")}),
            },
            required=[
                "unit",
                "eligible",
                "applied",
                "with_justice",
                "approved",
                "produced",
                "issued",
                "quota",
                "percent_of_quota",
            ],
        ),
        "Revoked": obj({"revoked": COUNT}),
        "Portrait": obj(
            {
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "content_type": enum(PORTRAIT_TYPES),
                "size": {"type": "integer", "minimum": 1},
            }
        ),
    }
