"""The document's part for the stuck-cases list (webapp/views/api/stuck.py,
services/supervision/stuck.py): its schemas."""

from .blocks import COUNT, DEPARTMENTS, MAX_PER_PAGE, STUCK_REASONS, TIMESTAMP, enum, nullable, obj, ref


def stuck_schemas() -> dict:
    item = {
        "case_code": {"type": "string", "example": "HS-2026-000001"},
        "status": enum(("open", "error")),
        "task_id": nullable({"type": "string", "description": "The stuck task; null for a case row."}),
        "step": nullable(
            {"type": "string", "description": "The task's step, the failed element, or the production wait."}
        ),
        "department": nullable(enum(DEPARTMENTS)),
        "unit": {"type": "string", "description": "Code of the case's unit."},
        "assignee": nullable({"type": "string", "description": "Username of the holder."}),
        "ready_at": nullable(TIMESTAMP),
        "last_action_at": nullable(TIMESTAMP),
        "since": nullable({**TIMESTAMP, "description": "Due (a task), failure (error), production limit."}),
        "late_days": {**COUNT, "description": "Working days past `since` (holidays excluded)."},
        "reasons": {"type": "array", "items": enum(STUCK_REASONS), "minItems": 1},
    }
    capped = "Counts stop at 1001: more than 1000."
    return {
        "StuckItem": obj(item),
        "StuckList": obj(
            {
                "items": {"type": "array", "items": ref("StuckItem")},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {**COUNT, "description": capped},
                "capped": {"type": "boolean", "description": "`total` is more than 1000."},
                "counts": {
                    "description": f"Rows per reason under the other filters. {capped}",
                    **obj({reason: COUNT for reason in STUCK_REASONS}),
                },
            }
        ),
    }
