"""GET /api/v1/access-log: who read or exported personal data, in the caller's unit subtree
(supervisors and administrators), newest first; the web page's list for other systems."""

from datetime import date, datetime

from flask import Blueprint, jsonify, request

from ...services import access
from ...services.accounts import access_log
from .support import allow, current_user, invalid, page_args

bp = Blueprint("access_log", __name__)

# The longest value each filter can match (a longer one is a 422, not an empty page).
MAX_LENGTHS = {"user": 80, "case_code": 24}


def _text(name: str) -> str:
    value = request.args.get(name, "")
    if len(value) > MAX_LENGTHS[name]:
        raise invalid(name, f"At most {MAX_LENGTHS[name]} characters.")
    return value


def _personal_id() -> str:
    value = request.args.get("personal_id", "")
    if value and not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise invalid("personal_id", "12 ASCII digits.")
    return value


def _since() -> datetime | None:
    """A day (`YYYY-MM-DD`, from its first Vietnamese instant) or a timestamp with its offset."""
    raw = request.args.get("since", "")
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return access_log.local_start(date.fromisoformat(raw))
        moment = datetime.fromisoformat(raw.upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in raw.upper():
        raise invalid("since", "A date YYYY-MM-DD or an ISO 8601 timestamp with its offset.")
    return moment


def _item(entry, username: str) -> dict:
    item = {"at": entry.at.isoformat(), "user": username, "action": entry.action}
    for name in ("case_code", "personal_id", "rows"):
        value = getattr(entry, name)
        if value is not None:
            item[name] = value
    return item


@bp.get("/access-log")
@allow(access.READ_ACCESS_LOG)
def access_log_list():
    page_number, per_page = page_args()
    filters = access_log.Filters(
        user=_text("user"), case=_text("case_code"), personal_id=_personal_id(), page=page_number
    )
    found = access_log.search(current_user(), filters, per_page, from_at=_since())
    return jsonify(
        items=[_item(entry, username) for entry, username in found.rows],
        page=page_number,
        per_page=per_page,
        total=found.total,
    )
