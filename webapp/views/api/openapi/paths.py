"""The document's paths: every operation the API serves, with its parameters and answers."""

import re

from ....services.cases import step_fields
from ....services.cases.portraits import CONTENT_TYPES as PORTRAIT_TYPES
from .blocks import (
    CASE_STATUSES,
    CASE_STEPS,
    DEPARTMENTS,
    OVERDUE,
    PAGING,
    PERSONAL_ID_PATTERN,
    STUCK_REASONS,
    endpoint,
    enum,
    json_body,
    path_param,
    query,
    ref,
)
from .cooperation import cooperation_paths
from .trust import access_log_paths
from .vneid import vneid_paths


def paths() -> dict:
    steps = list(step_fields.STEP_FIELDS)
    code = path_param("code", "A case code such as HS-2026-000001.", example="HS-2026-000001")
    task_id = path_param("task_id", "A task id, as in a task's `id`.")
    pid = path_param(
        "personal_id",
        "A 12-digit personal ID (province code, century/sex digit, birth year, serial).",
        example="037190000001",
        pattern=PERSONAL_ID_PATTERN,
    )
    paths = {
        "/auth/token": {
            "post": endpoint(
                "Sign in: exchange a username and password for a bearer token",
                {200: json_body(ref("Token"), "A token, valid for 12 hours.")},
                (401, 422, 429),
                tag="auth",
                body="TokenRequest",
                auth=False,
                description="A wrong username or password answers 401; repeated failures lock the account "
                "for a growing time (429).",
            )
        },
        "/openapi.json": {
            "get": endpoint(
                "This document",
                {200: json_body({"type": "object"}, "The OpenAPI 3 document of this API.")},
                (),
                tag="meta",
                auth=False,
            )
        },
        "/units": {
            "get": endpoint(
                "The children of a unit (without `parent`: the roots)",
                {200: json_body(ref("UnitList"), "One page of units.")},
                (400,),
                tag="units",
                parameters=(query("parent", "A unit code; unknown codes have no children."), *PAGING),
            )
        },
        "/users/{username}/tokens": {
            "delete": endpoint(
                "Revoke every live token of a user (administrators)",
                {200: json_body(ref("Revoked"), "How many tokens were revoked.")},
                (403, 404),
                tag="users",
                parameters=(path_param("username", "The user's username."),),
            )
        },
        "/residents/{personal_id}": {
            "put": endpoint(
                "Create or update a resident (police, police_lead, admin)",
                {
                    200: json_body(ref("Resident"), "Updated: the stored record."),
                    201: json_body(ref("Resident"), "Created: the stored record."),
                },
                (403, 404, 422),
                tag="residents",
                parameters=(pid,),
                body="ResidentInput",
                description="The record is replaced: optional fields left out are cleared. A malformed "
                "personal ID (not 12 ASCII digits, unknown province code) or a birth date in the future "
                "is a 422 naming the rule; an ID whose century/sex or year digits disagree with the birth "
                "date or sex is stored and flagged (`flags`, `id_check`). An existing "
                "resident outside the caller's scope is a 404; a record that would leave it (its units) "
                "is a 422.",
            ),
            "get": endpoint(
                "A resident",
                {200: json_body(ref("Resident"), "The stored record.")},
                (404,),
                tag="residents",
                parameters=(pid,),
            ),
        },
        "/residents/{personal_id}/corrections": {
            "post": endpoint(
                "Correct a population record at the police desk (police, police_lead)",
                {201: json_body(ref("CorrectionResult"), "The correction and the record after it.")},
                (403, 404, 422),
                tag="residents",
                parameters=(pid,),
                body="CorrectionInput",
                description="Audited old → new, with the paper that justifies it. Changes to the name, "
                "birth date (or its precision) or sex are `pending` until another police lead confirms "
                "them; the others apply at once. After a change of birth year or sex the personal ID is "
                "checked again (`flags`, `id_check`). 422 names each field (`changes.<field>`, "
                "`basis.<part>`).",
            )
        },
        "/residents/{personal_id}/corrections/{correction_id}/confirm": {
            "post": endpoint(
                "Confirm a pending correction (police_lead, not one's own)",
                {200: json_body(ref("CorrectionResult"), "The correction, now applied.")},
                (403, 404, 409),
                tag="residents",
                parameters=(
                    pid,
                    path_param("correction_id", "The correction's id.", type="integer"),
                ),
                description="409 when the correction is not pending, or the record changed since it was "
                "made.",
            )
        },
        "/cases": {
            "post": endpoint(
                "Start a case in the caller's unit",
                {201: json_body(ref("Case"), "The new case; its first task is assigned to the caller.")},
                (403, 409, 422),
                tag="cases",
                body="CaseStart",
                description="422 when the resident is unknown, not eligible or deceased; 409 when the "
                "resident already has an open case (`fields.open_case` names its code).",
            ),
            "get": endpoint(
                "Search cases in the caller's scope",
                {200: json_body(ref("CaseList"), "One page of cases.")},
                (400, 422),
                tag="cases",
                parameters=(
                    query("status", "Only cases with this status.", enum(CASE_STATUSES)),
                    query("step", "Only cases at this step.", enum(CASE_STEPS)),
                    query("unit", "Only cases of this unit's subtree (a unit code)."),
                    query("q", "Personal ID or name, without regard to diacritics or case."),
                    OVERDUE,
                    *PAGING,
                ),
            ),
        },
        "/cases/{code}": {
            "get": endpoint(
                "A case with its tasks and its timeline",
                {200: json_body(ref("CaseDetail"), "The case.")},
                (404,),
                tag="cases",
                parameters=(code,),
            )
        },
        "/tasks": {
            "get": endpoint(
                "Ready tasks of the caller's department",
                {200: json_body(ref("TaskList"), "One page of tasks, earliest due first.")},
                (400, 422),
                tag="tasks",
                parameters=(
                    query(
                        "scope",
                        "`mine` (default): assigned to the caller; `queue`: every task of the caller's "
                        "department in their unit subtree.",
                        enum(("mine", "queue"), default="mine"),
                    ),
                    query("step", "Only tasks at this step.", enum(steps)),
                    OVERDUE,
                    *PAGING,
                ),
            )
        },
        "/tasks/{task_id}": {
            "get": endpoint(
                "A task with its form",
                {200: json_body(ref("TaskDetail"), "The task and the fields its completion takes.")},
                (404, 409),
                tag="tasks",
                parameters=(task_id,),
                description="409 when the caller can see the task was already done.",
            )
        },
        "/tasks/{task_id}/claim": {
            "post": endpoint(
                "Assign the task to the caller",
                {200: json_body(ref("Task"), "The task, held by the caller.")},
                (403, 404, 409),
                tag="tasks",
                parameters=(task_id,),
                description="409 when someone else holds it or it is no longer ready.",
            )
        },
        "/tasks/{task_id}/release": {
            "post": endpoint(
                "Give the task back to the queue",
                {200: json_body(ref("Task"), "The task, held by nobody.")},
                (403, 404, 409),
                tag="tasks",
                parameters=(task_id,),
            )
        },
        "/tasks/{task_id}/complete": {
            "post": endpoint(
                "Complete the task with the step's data",
                {200: json_body(ref("CompletionResult"), "The case and its next ready tasks.")},
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
            "get": endpoint(
                "Cases waiting for card production (production centre)",
                {200: json_body(ref("CaseList"), "One page of cases.")},
                (400, 403),
                tag="production",
                parameters=PAGING,
            )
        },
        "/production/cards": {
            "post": endpoint(
                'Deliver the "card produced" message (production centre)',
                {200: json_body(ref("Case"), "The case; repeating the same call changes nothing.")},
                (403, 404, 409, 422),
                tag="production",
                body="CardProduced",
                description="`produced_at` is a timestamp with offset (or a date), not later than today in "
                "Vietnam; the card is issued on its Vietnamese day. 409 when the case is not waiting "
                "for production or already has another card.",
            )
        },
        "/production/returns": {
            "post": endpoint(
                "Return a file waiting for production to the unit (production centre)",
                {200: json_body(ref("Case"), "The case, back at the step that can fix it.")},
                (403, 404, 409, 422),
                tag="production",
                body="ProductionReturn",
                description="`photo_quality` and `fingerprint_quality` send the case back to biometrics, "
                "`data_check` to verification; it then comes back through approval to production. Repeating "
                "the same return while the unit fixes the file answers 200 and changes nothing; 409 when the "
                "case is not waiting for production.",
            )
        },
        **batch_paths(),
        **stuck_paths(),
        **cooperation_paths(code),
        **access_log_paths(),
        **vneid_paths(),
        "/cases/{code}/portrait": {"put": portrait_put(code)},
        "/stats/progress": {
            "get": endpoint(
                "Campaign progress over a unit's subtree (roles police_lead, supervisor, admin)",
                {200: json_body(ref("Progress"), "Counts over the subtree.")},
                (403, 404),
                tag="stats",
                parameters=(
                    query("unit", "A unit code in the caller's scope (default: the caller's unit)."),
                ),
            )
        },
    }
    # The one call without a token answers 401 for a wrong username or password.
    paths["/auth/token"]["post"]["responses"]["401"] = json_body(ref("Error"), "Wrong username or password.")
    for path, methods in paths.items():
        for method, operation in methods.items():
            operation["operationId"] = method + "_" + "_".join(re.findall(r"[a-z]+", path))
    return paths


def batch_paths() -> dict:
    code = path_param("code", "A dispatch batch code such as SX-13300-0001.", example="SX-13300-0001")
    return {
        "/production/batches": {
            "get": endpoint(
                "Dispatch batches sent to the production centre (production centre)",
                {200: json_body(ref("BatchList"), "One page of batches, newest first.")},
                (400, 403, 422),
                tag="production",
                parameters=(
                    query("status", "Only batches with this status.", enum(("sent", "received"))),
                    *PAGING,
                ),
            )
        },
        "/production/batches/{code}": {
            "get": endpoint(
                "A dispatch batch with its cases (production centre)",
                {200: json_body(ref("BatchDetail"), "The batch.")},
                (403, 404),
                tag="production",
                parameters=(code,),
            )
        },
        "/production/batches/{code}/cards": {
            "post": endpoint(
                'Deliver the "card produced" message for cases of a batch (production centre)',
                {200: json_body(ref("BatchCardsResult"), "What happened to each card, and the batch after.")},
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


def stuck_paths() -> dict:
    return {
        "/stuck": {
            "get": endpoint(
                "Stuck cases in the caller's unit subtree (supervisors, administrators, unit leads)",
                {200: json_body(ref("StuckList"), "One page, most overdue first by default.")},
                (400, 403, 404, 422),
                tag="supervision",
                parameters=(
                    query(
                        "unit", "A unit code in the caller's scope (default: the caller's unit); else 404."
                    ),
                    query("step", "Only this step.", enum(CASE_STEPS)),
                    query("department", "Only this department's work.", enum(DEPARTMENTS[:4])),
                    query("reason", "Only rows stuck for this reason.", enum(STUCK_REASONS)),
                    query(
                        "min_days",
                        "At least this many working days late.",
                        {"type": "integer", "minimum": 0, "maximum": 365},
                    ),
                    query(
                        "sort",
                        "`overdue` (default), `oldest` case first, or by `unit`.",
                        enum(("overdue", "oldest", "unit")),
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


def portrait_put(code: dict) -> dict:
    """The one operation whose body is not JSON: the raw image."""
    operation = endpoint(
        "Upload the case's portrait (police taking the application)",
        {
            201: json_body(ref("Portrait"), "Stored as the case's portrait."),
            200: json_body(ref("Portrait"), "The case's portrait already had this content: nothing changed."),
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
    operation["responses"]["413"] = json_body(
        ref("Error"), "The image is over the photo limit (or the body over 1 MB)."
    )
    return operation
