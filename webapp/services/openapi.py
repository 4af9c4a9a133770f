"""The OpenAPI 3 document of the JSON API v1 (../shared/API.md), served at GET /api/v1/openapi.json.

Built from plain dicts; the step names, their fields and the enumerations come from the modules
that decide them (step_data, cases, residents, access), so the document cannot drift from them.
tests/test_openapi.py checks that it describes exactly the routes served and fuzzes them with it.
"""

import re
from copy import deepcopy

from . import access
from .cases import commands, step_fields
from .cases.portraits import CONTENT_TYPES as PORTRAIT_TYPES
from .residents import registry

BASE_PATH = "/api/v1"
MAX_PER_PAGE = 200
CASE_STATUSES = ("open", "issued", "refused", "withdrawn", "error")
EVENT_ACTIONS = (
    "started",
    "claimed",
    "released",
    "assigned",
    "completed",
    "transferred",
    "commented",
    "escalated",
    "reminded",
    "timer_fired",
    "message_received",
    "moved",
    "refused",
    "withdrawn",
    "failed",
    "synced",  # the population database took a civil-status correction (services/population_sync.py)
    "resent",  # a supervisor sent a failed notification or hand-off again (services/outbox.py)
    "retried",  # a supervisor ran a failed step again (services/supervisor_actions.py)
)
FIELD_TYPES = ("string", "text", "boolean", "date", "integer", "choice", "multi_choice", "object")
DEPARTMENTS = tuple(dict.fromkeys(access.DEPARTMENT.values()))
# A case also waits at this step (for the production centre's message), which is no user task.
WAITING_STEP = "await_card_production"
CASE_STEPS = (*step_fields.STEP_FIELDS, WAITING_STEP)

# Every error answer: the status, its meaning for this API.
ERRORS = {
    400: "Malformed JSON, a body that is not a JSON object, a field of the wrong JSON type, or a bad "
    "`page`/`per_page`.",
    401: "No bearer token, or one that is unknown, expired or revoked.",
    403: "The caller can see the resource but their role may not take this action.",
    404: "No such resource, or it lies outside the caller's department and unit subtree.",
    409: "Conflicts with the current state (the `message` says which; `fields` may name it).",
    413: "The body is larger than 1 MB.",
    415: "The body's Content-Type is not one the operation takes.",
    422: "Well-formed but invalid: `fields` maps each field to its problems.",
    429: "Too many failed sign-ins: the account is locked for a while.",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    """OpenAPI 3.0's nullable; an enumeration must list null itself to allow it."""
    out = {**schema, "nullable": True}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def _obj(properties: dict, required=None, additional=False) -> dict:
    """An object schema; by default every property is required and no other is allowed."""
    out = {"type": "object", "properties": properties, "additionalProperties": additional}
    names = list(properties if required is None else required)
    if names:  # OpenAPI 3.0: `required` lists at least one name
        out["required"] = names
    return out


def _enum(values, **extra) -> dict:
    return {"type": "string", "enum": list(values), **extra}


STRING = {"type": "string"}
DATE = {"type": "string", "format": "date", "example": "1990-05-17"}
TIMESTAMP = {"type": "string", "format": "date-time", "example": "2026-11-20T08:30:00+00:00"}
COUNT = {"type": "integer", "minimum": 0}


def _field_schema(field: step_fields.Field) -> dict:
    """The JSON schema of one step field, as step_rules.validate accepts it (empty counts as absent)."""
    if field.type in ("string", "text"):
        schema = {"type": "string", "minLength": 1 if field.required else 0}
        if field.max_length:
            schema["maxLength"] = field.max_length
    elif field.type == "boolean":
        schema = {"type": "boolean"}
    elif field.type == "date":
        schema = {**DATE, "example": "2026-11-20", "description": "Not in the future."}
    elif field.type == "integer":
        schema = {"type": "integer"}
    elif field.type == "choice":
        schema = _enum(field.choices)
    elif field.type == "multi_choice":
        schema = {"type": "array", "items": _enum(field.choices), "uniqueItems": True}
    elif field.type == "object":
        schema = {
            "type": "object",
            "description": "Record field → new value (text; `birth_date` as YYYY-MM-DD, `sex` male|female).",
            "properties": {
                name: {"type": "string", "minLength": 1, "maxLength": 200} for name in step_fields.CORRECTABLE
            },
            "additionalProperties": False,
        }
        if field.required:
            schema["minProperties"] = 1
    else:  # pragma: no cover - a new field type must be described here
        raise AssertionError(f"no schema for field type {field.type}")
    if field.label is not None:
        schema["title"] = field.label.en
    if field.description is not None:
        schema["description"] = field.description
    return schema if field.required else _nullable(schema)


def _step_schema(step: str) -> dict:
    fields = step_fields.fields(step)
    return {
        "title": step,
        **_obj({f.name: _field_schema(f) for f in fields}, required=[f.name for f in fields if f.required]),
    }


def _paged(item: str) -> dict:
    return _obj(
        {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": COUNT,
        }
    )


def _schemas() -> dict:
    steps = list(step_fields.STEP_FIELDS)
    resident_fields = {
        "full_name": {"type": "string", "minLength": 1, "maxLength": 200, "example": "Nguyễn Thị Lan"},
        "birth_date": {**DATE, "description": "Not in the future, year 1900 or later."},
        "birth_date_precision": _enum(registry.PRECISIONS, default="day"),
        "sex": _enum(registry.SEXES),
        "old_id_number": _nullable({"type": "string", "pattern": "^[0-9]{9}([0-9]{3})?$"}),
        "ethnicity": _nullable({"type": "string", "maxLength": 50}),
        "household_id": _nullable({"type": "string", "maxLength": 30}),
        "permanent_unit": {
            "type": "string",
            "minLength": 1,
            "description": "A unit code.",
            "example": "13300",
        },
        "temporary_unit": _nullable({"type": "string", "description": "A unit code."}),
        "status": _enum(registry.STATUSES, default="alive"),
        "card_state": _enum(
            registry.CARD_STATES,
            default="none",
            description="The card held today: none, the old CMND, or the chip card.",
        ),
        "card_issued_on": _nullable(
            {
                **DATE,
                "example": "2021-06-15",
                "description": "The chip card's issue date: required with `chip` and only then; "
                "not in the future, not before the birth date.",
            }
        ),
    }
    # A case embeds the resident without the card fields; the residents endpoints always give them.
    resident_required = [n for n in resident_fields if n not in ("card_state", "card_issued_on")]
    task = {
        "id": {"type": "string", "description": "The task's id (a UUID)."},
        "case_code": {"type": "string", "example": "HS-2026-000001"},
        "step": _enum(steps),
        "department": _enum(DEPARTMENTS),
        "unit": {"type": "string", "description": "Code of the case's unit."},
        "assignee": _nullable({"type": "string", "description": "Username of the holder."}),
        "ready_at": TIMESTAMP,
        "due_at": _nullable(TIMESTAMP),
    }
    form_field = _obj(
        {
            "name": STRING,
            "type": _enum(FIELD_TYPES),
            "required": {"type": "boolean"},
            "choices": {"type": "array", "items": STRING},
        },
        required=("name", "type", "required"),
    )
    case = {
        "code": {"type": "string", "example": "HS-2026-000001"},
        "status": _enum(CASE_STATUSES),
        "kind": _enum(commands.KINDS),
        "priority": _nullable(_enum(commands.PRIORITIES)),
        "unit": {"type": "string", "description": "Code of the unit handling the case."},
        "version": {"type": "integer", "minimum": 1, "description": "Bumped by every change to the case."},
        "resident": _ref("Resident"),
        "tasks": {"type": "array", "items": _ref("Task"), "description": "Its ready user tasks."},
        "error": {
            "description": "Only with status `error`: where the process stopped.",
            **_obj(
                {
                    "step": _nullable(STRING),
                    "message": _nullable(STRING),
                    "line": _nullable({"type": "integer"}),
                }
            ),
        },
    }
    case_required = [name for name in case if name != "error"]
    event = _obj(
        {
            "at": TIMESTAMP,
            "actor": _nullable({"type": "string", "description": "Username; null for the system."}),
            "action": _enum(EVENT_ACTIONS),
            "step": _nullable(STRING),
            "detail": {"type": "object", "additionalProperties": True},
        }
    )
    return {
        "Error": _obj(
            {
                "error": _obj(
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
        "TokenRequest": _obj({"username": STRING, "password": {"type": "string", "format": "password"}}),
        "Token": _obj({"token": STRING, "expires_at": TIMESTAMP}),
        "Unit": _obj(
            {
                "code": {"type": "string", "example": "37"},
                "name": {"type": "string", "example": "Ninh Bình"},
                "level": {"type": "string", "example": "province"},
                "parent": _nullable({"type": "string", "description": "The `parent` asked for."}),
            }
        ),
        "UnitList": _paged("Unit"),
        "ResidentInput": _obj(
            resident_fields,
            required=("full_name", "birth_date", "sex", "permanent_unit"),
            additional=True,
        ),
        "Resident": _obj(
            {"personal_id": {"type": "string", "pattern": "^[0-9]{12}$"}, **resident_fields},
            required=["personal_id", *resident_required],
        ),
        "CaseStart": _obj(
            {
                "personal_id": {"type": "string", "example": "037190000001"},
                "kind": _enum(commands.KINDS),
                "priority": _nullable(_enum(commands.PRIORITIES)),
            },
            required=("personal_id", "kind"),
            additional=True,
        ),
        "Case": {**_obj(case, required=case_required)},
        "CaseDetail": _obj(
            {**case, "events": {"type": "array", "items": _ref("Event")}},
            required=[*case_required, "events"],
        ),
        "CaseList": _paged("Case"),
        "Event": event,
        "Task": _obj(task),
        "TaskDetail": _obj({**task, "form": _obj({"fields": {"type": "array", "items": _ref("FormField")}})}),
        "TaskList": _paged("Task"),
        "FormField": form_field,
        "TaskCompletion": {
            "type": "object",
            "properties": {
                "data": {
                    "description": "The step's fields (see the task's `form`); unknown fields are a 422.",
                    "anyOf": [_ref(f"StepData.{step}") for step in steps],
                }
            },
            "additionalProperties": True,
        },
        "CompletionResult": _obj(
            {"case": _ref("Case"), "next_tasks": {"type": "array", "items": _ref("Task")}}
        ),
        **{f"StepData.{step}": _step_schema(step) for step in steps},
        "CardProduced": _obj(
            {
                "case_code": {"type": "string", "example": "HS-2026-000001"},
                "card_number": {"type": "string", "minLength": 1, "maxLength": 30, "example": "C000123456"},
                "produced_at": DATE,
            },
            additional=True,
        ),
        **_batch_schemas(),
        **_stuck_schemas(),
        "Progress": _obj(
            {
                "unit": STRING,
                "eligible": COUNT,
                "applied": COUNT,
                "with_justice": COUNT,
                "approved": COUNT,
                "produced": COUNT,
                "issued": COUNT,
                "quota": _nullable(COUNT),
                "percent_of_quota": _nullable({"type": "number", "minimum": 0}),
            }
        ),
        "Revoked": _obj({"revoked": COUNT}),
        "Portrait": _obj(
            {
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "content_type": _enum(PORTRAIT_TYPES),
                "size": {"type": "integer", "minimum": 1},
            }
        ),
    }


def _error_responses() -> dict:
    out = {f"E{status}": _json(_ref("Error"), meaning) for status, meaning in ERRORS.items()}
    out["E401"]["headers"] = {
        "WWW-Authenticate": {"description": "`Bearer`: how to authenticate.", "schema": STRING}
    }
    out["E429"]["headers"] = {
        "Retry-After": {"description": "Seconds until the account may sign in again.", "schema": STRING}
    }
    return out


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(
    summary: str,
    ok: dict,
    errors: tuple[int, ...],
    *,
    tag: str,
    parameters: tuple = (),
    body: str | None = None,
    auth: bool = True,
    description: str | None = None,
) -> dict:
    """One operation; an authenticated one answers 401 too, one with a body 400 and 413 too."""
    statuses = set(errors) | ({401} if auth else set()) | ({400, 413} if body else set())
    responses = {str(status): schema for status, schema in ok.items()}
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    out = {
        "summary": summary,
        "operationId": None,
        "tags": [tag],
        "parameters": [*parameters, {"$ref": "#/components/parameters/AcceptLanguage"}],
        "responses": responses,
    }
    if description:
        out["description"] = description
    if body:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    if not auth:
        out["security"] = []
    return out


def _path_param(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


PAGING = ({"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"})
OVERDUE = _query("overdue", "`true`: only those past their due date.", _enum(("true", "false")))


def _paths() -> dict:
    steps = list(step_fields.STEP_FIELDS)
    code = _path_param("code", "A case code such as HS-2026-000001.", example="HS-2026-000001")
    task_id = _path_param("task_id", "A task id, as in a task's `id`.")
    pid = _path_param(
        "personal_id",
        "A 12-digit personal ID (province code, century/sex digit, birth year, serial).",
        example="037190000001",
        pattern="^[0-9]{12}$",
    )
    paths = {
        "/auth/token": {
            "post": _operation(
                "Sign in: exchange a username and password for a bearer token",
                {200: _json(_ref("Token"), "A token, valid for 12 hours.")},
                (401, 422, 429),
                tag="auth",
                body="TokenRequest",
                auth=False,
                description="A wrong username or password answers 401; repeated failures lock the account "
                "for a growing time (429).",
            )
        },
        "/openapi.json": {
            "get": _operation(
                "This document",
                {200: _json({"type": "object"}, "The OpenAPI 3 document of this API.")},
                (),
                tag="meta",
                auth=False,
            )
        },
        "/units": {
            "get": _operation(
                "The children of a unit (without `parent`: the roots)",
                {200: _json(_ref("UnitList"), "One page of units.")},
                (400,),
                tag="units",
                parameters=(_query("parent", "A unit code; unknown codes have no children."), *PAGING),
            )
        },
        "/users/{username}/tokens": {
            "delete": _operation(
                "Revoke every live token of a user (administrators)",
                {200: _json(_ref("Revoked"), "How many tokens were revoked.")},
                (403, 404),
                tag="users",
                parameters=(_path_param("username", "The user's username."),),
            )
        },
        "/residents/{personal_id}": {
            "put": _operation(
                "Create or update a resident (police, police_lead, admin)",
                {
                    200: _json(_ref("Resident"), "Updated: the stored record."),
                    201: _json(_ref("Resident"), "Created: the stored record."),
                },
                (403, 404, 422),
                tag="residents",
                parameters=(pid,),
                body="ResidentInput",
                description="The record is replaced: optional fields left out are cleared. An invalid "
                "personal ID (not 12 ASCII digits, unknown province code, century/sex digit against the "
                "birth year and sex) or a birth date in the future is a 422 naming the rule. An existing "
                "resident outside the caller's scope is a 404; a record that would leave it (its units) "
                "is a 422.",
            ),
            "get": _operation(
                "A resident",
                {200: _json(_ref("Resident"), "The stored record.")},
                (404,),
                tag="residents",
                parameters=(pid,),
            ),
        },
        "/cases": {
            "post": _operation(
                "Start a case in the caller's unit",
                {201: _json(_ref("Case"), "The new case; its first task is assigned to the caller.")},
                (403, 409, 422),
                tag="cases",
                body="CaseStart",
                description="422 when the resident is unknown, not eligible or deceased; 409 when the "
                "resident already has an open case (`fields.open_case` names its code).",
            ),
            "get": _operation(
                "Search cases in the caller's scope",
                {200: _json(_ref("CaseList"), "One page of cases.")},
                (400, 422),
                tag="cases",
                parameters=(
                    _query("status", "Only cases with this status.", _enum(CASE_STATUSES)),
                    _query("step", "Only cases at this step.", _enum(CASE_STEPS)),
                    _query("unit", "Only cases of this unit's subtree (a unit code)."),
                    _query("q", "Personal ID or name, without regard to diacritics or case."),
                    OVERDUE,
                    *PAGING,
                ),
            ),
        },
        "/cases/{code}": {
            "get": _operation(
                "A case with its tasks and its timeline",
                {200: _json(_ref("CaseDetail"), "The case.")},
                (404,),
                tag="cases",
                parameters=(code,),
            )
        },
        "/tasks": {
            "get": _operation(
                "Ready tasks of the caller's department",
                {200: _json(_ref("TaskList"), "One page of tasks, earliest due first.")},
                (400, 422),
                tag="tasks",
                parameters=(
                    _query(
                        "scope",
                        "`mine` (default): assigned to the caller; `queue`: every task of the caller's "
                        "department in their unit subtree.",
                        _enum(("mine", "queue"), default="mine"),
                    ),
                    _query("step", "Only tasks at this step.", _enum(steps)),
                    OVERDUE,
                    *PAGING,
                ),
            )
        },
        "/tasks/{task_id}": {
            "get": _operation(
                "A task with its form",
                {200: _json(_ref("TaskDetail"), "The task and the fields its completion takes.")},
                (404, 409),
                tag="tasks",
                parameters=(task_id,),
                description="409 when the caller can see the task was already done.",
            )
        },
        "/tasks/{task_id}/claim": {
            "post": _operation(
                "Assign the task to the caller",
                {200: _json(_ref("Task"), "The task, held by the caller.")},
                (403, 404, 409),
                tag="tasks",
                parameters=(task_id,),
                description="409 when someone else holds it or it is no longer ready.",
            )
        },
        "/tasks/{task_id}/release": {
            "post": _operation(
                "Give the task back to the queue",
                {200: _json(_ref("Task"), "The task, held by nobody.")},
                (403, 404, 409),
                tag="tasks",
                parameters=(task_id,),
            )
        },
        "/tasks/{task_id}/complete": {
            "post": _operation(
                "Complete the task with the step's data",
                {200: _json(_ref("CompletionResult"), "The case and its next ready tasks.")},
                (403, 404, 409, 422),
                tag="tasks",
                parameters=(task_id,),
                body="TaskCompletion",
                description="Completing an unclaimed task claims it first. 422 with `fields` for invalid "
                "data; 409 when the task is no longer ready or another user holds it. The fields of each "
                "step are the `StepData.<step>` schemas.",
            )
        },
        "/production/queue": {
            "get": _operation(
                "Cases waiting for card production (production centre)",
                {200: _json(_ref("CaseList"), "One page of cases.")},
                (400, 403),
                tag="production",
                parameters=PAGING,
            )
        },
        "/production/cards": {
            "post": _operation(
                'Deliver the "card produced" message (production centre)',
                {200: _json(_ref("Case"), "The case; repeating the same call changes nothing.")},
                (403, 404, 409, 422),
                tag="production",
                body="CardProduced",
                description="`produced_at` may not be in the future. 409 when the case is not waiting "
                "for production or already has another card.",
            )
        },
        **_batch_paths(),
        **_stuck_paths(),
        "/cases/{code}/portrait": {"put": _portrait_put(code)},
        "/stats/progress": {
            "get": _operation(
                "Campaign progress over a unit's subtree",
                {200: _json(_ref("Progress"), "Counts over the subtree.")},
                (404,),
                tag="stats",
                parameters=(
                    _query("unit", "A unit code in the caller's scope (default: the caller's unit)."),
                ),
            )
        },
    }
    # The one call without a token answers 401 for a wrong username or password.
    paths["/auth/token"]["post"]["responses"]["401"] = _json(_ref("Error"), "Wrong username or password.")
    for path, methods in paths.items():
        for method, operation in methods.items():
            operation["operationId"] = method + "_" + "_".join(re.findall(r"[a-z]+", path))
    return paths


def _batch_schemas() -> dict:
    """Dispatch batches as the production centre sees them (webapp/views/api/production.py)."""
    summary = {
        "code": {"type": "string", "example": "SX-13300-0001"},
        "unit": {"type": "string", "description": "Code of the unit that sent the batch."},
        "status": _enum(
            ("open", "sent", "received"),
            description="`sent`: at the centre; `received`: no case in it waits any more; `open`: not "
            "sent yet (only an administrator sees such a batch).",
        ),
        "created_at": TIMESTAMP,
        "closed_at": _nullable(TIMESTAMP),
        "cases": COUNT,
        "produced": {**COUNT, "description": "Cases of the batch with a card."},
    }
    member = _obj(
        {
            "case_code": {"type": "string", "example": "HS-2026-000001"},
            "personal_id": {"type": "string", "pattern": "^[0-9]{12}$"},
            "full_name": STRING,
            "birth_date": DATE,
            "unit": {"type": "string", "description": "Code of the case's unit."},
            "card_number": _nullable(STRING),
            "waiting": {"type": "boolean", "description": "Still waiting for its card."},
        }
    )
    card = {
        "case_code": {"type": "string", "example": "HS-2026-000001"},
        "card_number": {"type": "string", "minLength": 1, "maxLength": 30, "example": "C000123456"},
        "produced_at": DATE,
    }
    result = _obj(
        {
            "case_code": STRING,
            "outcome": _enum(("produced", "unchanged", "failed")),
            "error": _nullable(_obj({"code": STRING, "message": STRING})),
        }
    )
    return {
        "Batch": _obj(summary),
        "BatchList": _paged("Batch"),
        "BatchDetail": _obj({**summary, "items": {"type": "array", "items": member}}),
        "BatchCards": _obj(
            {
                "cards": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1000,
                    "items": _obj(card, additional=True),
                }
            },
            additional=True,
        ),
        "BatchCardsResult": _obj(
            {
                "batch": _ref("BatchDetail"),
                "produced": COUNT,
                "unchanged": COUNT,
                "failed": COUNT,
                "results": {"type": "array", "items": result},
            }
        ),
    }


def _batch_paths() -> dict:
    code = _path_param("code", "A dispatch batch code such as SX-13300-0001.", example="SX-13300-0001")
    return {
        "/production/batches": {
            "get": _operation(
                "Dispatch batches sent to the production centre (production centre)",
                {200: _json(_ref("BatchList"), "One page of batches, newest first.")},
                (400, 403, 422),
                tag="production",
                parameters=(
                    _query("status", "Only batches with this status.", _enum(("sent", "received"))),
                    *PAGING,
                ),
            )
        },
        "/production/batches/{code}": {
            "get": _operation(
                "A dispatch batch with its cases (production centre)",
                {200: _json(_ref("BatchDetail"), "The batch.")},
                (403, 404),
                tag="production",
                parameters=(code,),
            )
        },
        "/production/batches/{code}/cards": {
            "post": _operation(
                'Deliver the "card produced" message for cases of a batch (production centre)',
                {200: _json(_ref("BatchCardsResult"), "What happened to each card, and the batch after.")},
                (403, 404, 409, 422),
                tag="production",
                parameters=(code,),
                body="BatchCards",
                description="Each card is delivered in its own transaction, exactly as "
                "`POST /production/cards`: a repeat of the same card is `unchanged` and changes nothing; "
                "a case not in the batch, not waiting for production or holding another card is `failed` "
                "with the reason, and the other cards go on. Malformed or invalid entries (wrong types, a "
                "date in the future, a case code twice) refuse the whole call before anything is done: "
                "400 or 422 naming `cards[i].field`. "
                "409 when the batch has not been sent.",
            )
        },
    }


STUCK_REASONS = ("overdue", "target", "idle", "error", "production")


def _stuck_schemas() -> dict:
    """The stuck-cases list (webapp/views/api/stuck.py, services/stuck.py)."""
    item = {
        "case_code": {"type": "string", "example": "HS-2026-000001"},
        "status": _enum(("open", "error")),
        "task_id": _nullable({"type": "string", "description": "The stuck task; null for a case row."}),
        "step": _nullable(
            {"type": "string", "description": "The task's step, the failed element, or the production wait."}
        ),
        "department": _nullable(_enum(DEPARTMENTS)),
        "unit": {"type": "string", "description": "Code of the case's unit."},
        "assignee": _nullable({"type": "string", "description": "Username of the holder."}),
        "ready_at": _nullable(TIMESTAMP),
        "last_action_at": _nullable(TIMESTAMP),
        "since": _nullable({**TIMESTAMP, "description": "Due (a task), failure (error), production limit."}),
        "late_days": {**COUNT, "description": "Working days past `since` (holidays excluded)."},
        "reasons": {"type": "array", "items": _enum(STUCK_REASONS), "minItems": 1},
    }
    capped = "Counts stop at 1001: more than 1000."
    return {
        "StuckItem": _obj(item),
        "StuckList": _obj(
            {
                "items": {"type": "array", "items": _ref("StuckItem")},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {**COUNT, "description": capped},
                "capped": {"type": "boolean", "description": "`total` is more than 1000."},
                "counts": {
                    "description": f"Rows per reason under the other filters. {capped}",
                    **_obj({reason: COUNT for reason in STUCK_REASONS}),
                },
            }
        ),
    }


def _stuck_paths() -> dict:
    return {
        "/stuck": {
            "get": _operation(
                "Stuck cases in the caller's unit subtree (supervisors, administrators, unit leads)",
                {200: _json(_ref("StuckList"), "One page, most overdue first by default.")},
                (400, 403, 404, 422),
                tag="supervision",
                parameters=(
                    _query(
                        "unit", "A unit code in the caller's scope (default: the caller's unit); else 404."
                    ),
                    _query("step", "Only this step.", _enum(CASE_STEPS)),
                    _query("department", "Only this department's work.", _enum(DEPARTMENTS[:4])),
                    _query("reason", "Only rows stuck for this reason.", _enum(STUCK_REASONS)),
                    _query(
                        "min_days",
                        "At least this many working days late.",
                        {"type": "integer", "minimum": 0, "maximum": 365},
                    ),
                    _query(
                        "sort",
                        "`overdue` (default), `oldest` case first, or by `unit`.",
                        _enum(("overdue", "oldest", "unit")),
                    ),
                    *PAGING,
                ),
                description="A ready task is stuck past its legal time limit (`overdue`) or with no action "
                "for longer than its step's idle threshold (`idle`); a case is stuck in `error`, or waiting "
                "for card production past its limit (`production`). Working days exclude Vietnamese public "
                "holidays. Pages reach 10,000 rows deep (a 422 beyond): filter more, or use the web page's "
                "CSV/XLSX file.",
            )
        }
    }


def _portrait_put(code: dict) -> dict:
    """The one operation whose body is not JSON: the raw image."""
    operation = _operation(
        "Upload the case's portrait (police taking the application)",
        {
            201: _json(_ref("Portrait"), "Stored as the case's portrait."),
            200: _json(_ref("Portrait"), "The case's portrait already had this content: nothing changed."),
        },
        (403, 404, 409, 415, 422),
        tag="cases",
        parameters=(code,),
        description="The body is the image itself, JPEG or PNG as its Content-Type says, checked by its "
        "content: 415 for another Content-Type, 422 when the content is not that image (or is not 100 to "
        "4000 pixels a side), 413 over the photo limit (512 KB by default). 409 when the case is not at "
        "intake or biometrics capture. Files are named by their SHA-256: the same content is stored once.",
    )
    binary = {"schema": {"type": "string", "format": "binary"}}
    operation["requestBody"] = {"required": True, "content": {t: binary for t in PORTRAIT_TYPES}}
    operation["responses"]["413"] = _json(
        _ref("Error"), "The image is over the photo limit (or the body over 1 MB)."
    )
    return operation


def document() -> dict:
    """A fresh copy of the whole document (callers may change it)."""
    return deepcopy(_DOCUMENT)


def _build() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CCCD case system API",
            "version": "1",
            "description": "JSON API v1 of the citizen identity card case system: units, residents, "
            "cases, tasks, the production centre and statistics. Get a token from `POST /auth/token`, "
            "then send `Authorization: Bearer <token>`. The caller sees only what their department and "
            "unit subtree allow: anything else is a 404. Errors are always an `Error` object.",
        },
        "servers": [{"url": BASE_PATH}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": name}
            for name in (
                "auth",
                "units",
                "users",
                "residents",
                "cases",
                "tasks",
                "production",
                "stats",
                "supervision",
                "meta",
            )
        ],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `POST /auth/token`.",
                }
            },
            "parameters": {
                "page": {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
                },
                "per_page": {
                    "name": "per_page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50},
                },
                "AcceptLanguage": {
                    "name": "Accept-Language",
                    "in": "header",
                    "required": False,
                    "description": "`en` for English messages; Vietnamese otherwise.",
                    "schema": {"type": "string", "example": "en"},
                },
            },
            "schemas": _schemas(),
            "responses": _error_responses(),
        },
    }


_DOCUMENT = _build()
