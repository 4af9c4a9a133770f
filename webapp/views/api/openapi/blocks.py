"""Building blocks of the OpenAPI document: the enumerations it shares with the services, and
small builders for schemas, operations and parameters."""

from ....services import access
from ....services.cases import step_fields

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
    "synced",  # the population database took a civil-status correction (messaging/population_sync.py)
    "resent",  # a supervisor sent a failed notification or hand-off again (services/messaging/outbox.py)
    "retried",  # a supervisor ran a failed step again (services/supervision/actions.py)
    "id_decided",  # a lead decided on a personal ID that disagrees with the record (cases/id_decision.py)
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


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """OpenAPI 3.0's nullable; an enumeration must list null itself to allow it."""
    out = {**schema, "nullable": True}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def obj(properties: dict, required=None, additional=False) -> dict:
    """An object schema; by default every property is required and no other is allowed."""
    out = {"type": "object", "properties": properties, "additionalProperties": additional}
    names = list(properties if required is None else required)
    if names:  # OpenAPI 3.0: `required` lists at least one name
        out["required"] = names
    return out


def enum(values, **extra) -> dict:
    return {"type": "string", "enum": list(values), **extra}


STRING = {"type": "string"}

DATE = {"type": "string", "format": "date", "example": "1990-05-17"}

TIMESTAMP = {"type": "string", "format": "date-time", "example": "2026-11-20T08:30:00+00:00"}

COUNT = {"type": "integer", "minimum": 0}

PERSONAL_ID_PATTERN = "^[0-9]{12}$"
# A personal ID as answers show it; PERSONAL_ID, with an example, where a client sends one.
PERSONAL_ID_SHOWN = {"type": "string", "pattern": PERSONAL_ID_PATTERN}
PERSONAL_ID = {**PERSONAL_ID_SHOWN, "example": "037190000001"}

# The production centre's `produced_at`: a timestamp as API.md's `*_at` fields, or a plain date.
PRODUCED_AT = {
    "anyOf": [TIMESTAMP, DATE],
    "description": "When the card was made: an ISO 8601 timestamp with offset, or a date YYYY-MM-DD; "
    "not later than today in Vietnam.",
}


def field_schema(field: step_fields.Field) -> dict:
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
        schema = enum(field.choices)
    elif field.type == "multi_choice":
        schema = {"type": "array", "items": enum(field.choices), "uniqueItems": True}
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
    return schema if field.required else nullable(schema)


def step_schema(step: str) -> dict:
    fields = step_fields.fields(step)
    return {
        "title": step,
        **obj({f.name: field_schema(f) for f in fields}, required=[f.name for f in fields if f.required]),
    }


def paged(item: str) -> dict:
    return obj(
        {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": COUNT,
        }
    )


def error_responses() -> dict:
    out = {f"E{status}": json_body(ref("Error"), meaning) for status, meaning in ERRORS.items()}
    out["E401"]["headers"] = {
        "WWW-Authenticate": {"description": "`Bearer`: how to authenticate.", "schema": STRING}
    }
    out["E429"]["headers"] = {
        "Retry-After": {"description": "Seconds until the account may sign in again.", "schema": STRING}
    }
    return out


def json_body(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def endpoint(
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
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    if not auth:
        out["security"] = []
    return out


def path_param(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


def request_paths(
    base: str, schema: str, noun: str, *, tag: str, collection: dict, read: str, actions: dict
) -> dict:
    """The paths of one kind of request numbered by `request_id` (VNeID level 2, cooperation): the
    `collection`'s operations at `base`, the GET of one at `base/{request_id}` (summary `read`),
    and a POST at `base/{request_id}/<name>` for each of `actions` (`endpoint`'s arguments but the
    answer, the tag and the parameters, which all share). Reading or acting answers the request
    (`schema`) as it stands; `noun` names it in the parameter ("A VNeID request")."""
    request_id = path_param("request_id", f"{noun}'s number.", type="integer", minimum=1)
    one = json_body(ref(schema), "The request.")
    item = f"{base}/{{request_id}}"
    out = {
        base: collection,
        item: {"get": endpoint(read, {200: one}, (403, 404), tag=tag, parameters=(request_id,))},
    }
    for action, spec in actions.items():
        out[f"{item}/{action}"] = {
            "post": endpoint(ok={200: one}, tag=tag, parameters=(request_id,), **spec),
        }
    return out


PAGING = ({"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"})

OVERDUE = query("overdue", "`true`: only those past their due date.", enum(("true", "false")))

STUCK_REASONS = ("overdue", "target", "idle", "error", "production")
