"""The access log of personal-data reads (webapp/views/api/access_log.py,
services/accounts/access_log.py): its path and schemas."""

from ....services.accounts.access_log import ACTIONS
from ..access_log import MAX_LENGTHS
from .blocks import (
    COUNT,
    DATE,
    PAGING,
    PERSONAL_ID_SHOWN,
    STRING,
    TIMESTAMP,
    endpoint,
    enum,
    json_body,
    obj,
    paged,
    query,
    ref,
)


def access_log_paths() -> dict:
    return {
        "/access-log": {
            "get": endpoint(
                "Who read or exported personal data in the caller's subtree (supervisors, administrators)",
                {200: json_body(ref("AccessLogList"), "One page, newest first.")},
                (400, 403, 422),
                tag="supervision",
                parameters=(
                    query(
                        "case_code",
                        "Only reads of this case.",
                        {**STRING, "maxLength": MAX_LENGTHS["case_code"]},
                    ),
                    query(
                        "personal_id",
                        "Only reads of this resident's data.",
                        PERSONAL_ID_SHOWN,
                    ),
                    query(
                        "user",
                        "Only this officer's reads (a username).",
                        {**STRING, "maxLength": MAX_LENGTHS["user"]},
                    ),
                    query(
                        "since",
                        "From this day (`YYYY-MM-DD`, Vietnamese time) or instant (ISO 8601 with offset).",
                        {"anyOf": [DATE, TIMESTAMP]},
                    ),
                    *PAGING,
                ),
                description="Each case page, resident record and portrait shown and each list downloaded "
                "as a file (CSV, XLSX, an import's rejected rows) is one entry, written in the request that "
                "showed the data; entries are never changed or removed. An entry belongs to the unit of the "
                "data read (a case's, a resident's) or, for a file, the downloader's unit. "
                "`case_code` and `personal_id` name what was read; `rows` how many rows a file held. "
                "A filter longer than it can match, or a personal ID that is not 12 digits, is a 422.",
            )
        }
    }


def access_log_schemas() -> dict:
    return {
        "AccessLogEntry": obj(
            {
                "at": TIMESTAMP,
                "user": {**STRING, "description": "The reader's username."},
                "action": enum(ACTIONS),
                "case_code": STRING,
                "personal_id": STRING,
                "rows": COUNT,
            },
            required=["at", "user", "action"],
        ),
        "AccessLogList": paged("AccessLogEntry"),
    }
