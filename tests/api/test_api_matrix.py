"""Role x endpoint: every role on the main endpoints, for something in its scope (the expected
success, or 403 when the role may not act) and for something outside its scope (404)."""

import pytest

from tests.support.api import CLEAN, RECORD, ROLES, complete, new_pid, snapshot, started, task_id
from webapp.services.accounts import users
from webapp.services.uow import command


def _user(world, role):
    return {
        "police": world.police,
        "police_lead": world.lead,
        "justice": world.justice,
        "approval": world.approval,
        "production": world.production,
        "supervisor": world.supervisor,
        "admin": world.admin,
    }[role]


def _verify_task(api, world) -> tuple[dict, str]:
    """A case of commune A whose verify_application task nobody holds."""
    case = started(api, world.police, world.resident())
    tid = task_id(case, "verify_application")
    assert api.post(f"/tasks/{tid}/release", world.police).status_code == 200
    return case, tid


def _waiting_for_production(api, world) -> str:
    case = started(api, world.police, world.resident())
    after = complete(api, world.police, task_id(case, "verify_application"), CLEAN)
    after = complete(api, world.police, after["next_tasks"][0]["id"], {"fingerprints": "ok"})
    complete(api, world.approval, after["next_tasks"][0]["id"], {"decision": "approve"})
    return case["code"]


# endpoint -> (setup(api, world) -> (method, path, json), success status, roles allowed; others 403)
ALL = set(ROLES)
EDITORS = {"police", "police_lead", "admin"}
POLICE = {"police", "police_lead"}
CENTRE = {"production", "admin"}


def _units(api, w):
    return "GET", "/units", None


def _resident_get(api, w):
    return "GET", f"/residents/{w.resident()}", None


def _resident_put(api, w):
    return "PUT", f"/residents/{new_pid()}", RECORD


def _case_start(api, w):
    return "POST", "/cases", {"personal_id": w.resident(), "kind": "new"}


def _case_get(api, w):
    return "GET", f"/cases/{_verify_task(api, w)[0]['code']}", None


def _case_search(api, w):
    return "GET", "/cases", None


def _task_list(api, w):
    return "GET", "/tasks?scope=queue", None


def _task_get(api, w):
    return "GET", f"/tasks/{_verify_task(api, w)[1]}", None


def _task_claim(api, w):
    return "POST", f"/tasks/{_verify_task(api, w)[1]}/claim", None


def _task_release(api, w):
    case = started(api, w.police, w.resident())
    return "POST", f"/tasks/{task_id(case, 'verify_application')}/release", None


def _task_complete(api, w):
    return "POST", f"/tasks/{_verify_task(api, w)[1]}/complete", {"data": CLEAN}


def _queue(api, w):
    return "GET", "/production/queue", None


def _card(api, w):
    code = _waiting_for_production(api, w)
    return "POST", "/production/cards", {"case_code": code, "card_number": "C1", "produced_at": "2026-11-20"}


def _progress(api, w):
    return "GET", "/stats/progress", None


def _revoke(api, w):
    return "DELETE", "/users/police_a2/tokens", None


ENDPOINTS = {
    "GET /units": (_units, 200, ALL),
    "GET /residents/<id>": (_resident_get, 200, ALL),
    "PUT /residents/<id>": (_resident_put, 201, EDITORS),
    "POST /cases": (_case_start, 201, EDITORS),
    "GET /cases/<code>": (_case_get, 200, ALL),
    "GET /cases": (_case_search, 200, ALL),
    "GET /tasks": (_task_list, 200, ALL),
    "GET /tasks/<id>": (_task_get, 200, ALL),
    "POST /tasks/<id>/claim": (_task_claim, 200, POLICE),
    # police_a holds the task and releases it; a lead may release anyone's
    "POST /tasks/<id>/release": (_task_release, 200, POLICE),
    "POST /tasks/<id>/complete": (_task_complete, 200, POLICE),
    "GET /production/queue": (_queue, 200, CENTRE),
    "POST /production/cards": (_card, 200, CENTRE),
    # like the progress page: leads, supervisors and administrators (issue 12)
    "GET /stats/progress": (_progress, 200, {"police_lead", "supervisor", "admin"}),
    "DELETE /users/<name>/tokens": (_revoke, 200, {"admin"}),
}
MATRIX = [(role, name) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("role", "endpoint"), MATRIX, ids=[f"{r}-{e}" for r, e in MATRIX])
def test_role_on_endpoint(api, world, role, endpoint):
    setup, success, allowed = ENDPOINTS[endpoint]
    method, path, payload = setup(api, world)
    user = _user(world, role)
    api.token(user)
    before = snapshot()
    response = api.call(method, path, user, json=payload)
    if role in allowed:
        assert response.status_code == success, response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert snapshot() == before  # a refused call changes nothing


def test_a_colleague_may_not_release_someone_elses_task(api, world):
    method, path, _ = _task_release(api, world)
    assert api.call(method, path, world.police2).status_code == 409


# Outside the caller's scope: officers of commune B and of another province, for commune A's data.
OUTSIDE = {
    "GET /residents/<id>": _resident_get,
    "GET /cases/<code>": _case_get,
    "GET /tasks/<id>": _task_get,
    "POST /tasks/<id>/claim": _task_claim,
    "POST /tasks/<id>/release": _task_release,
    "POST /tasks/<id>/complete": _task_complete,
}
OUTSIDERS = ("police_b", "justice_b", "outsider")
OUT_MATRIX = [(who, name) for name in OUTSIDE for who in OUTSIDERS]


@pytest.mark.parametrize(("who", "endpoint"), OUT_MATRIX, ids=[f"{w}-{e}" for w, e in OUT_MATRIX])
def test_outside_the_scope_is_404(api, world, who, endpoint):
    method, path, payload = OUTSIDE[endpoint](api, world)
    user = getattr(world, who)
    api.token(user)
    before = snapshot()
    assert api.call(method, path, user, json=payload).status_code == 404
    assert snapshot() == before


def test_outsiders_cannot_reach_another_provinces_statistics_or_search(api, world):
    started(api, world.police, world.resident())
    with command():
        supervisor_hn = users.create("supervisor_hn", "supervisor", "01", "secret-pass-1")
    assert api.get("/stats/progress", supervisor_hn, query_string={"unit": "37"}).status_code == 404
    # a plain officer may not read progress at all, like the progress page (issue 12)
    assert api.get("/stats/progress", world.outsider).status_code == 403
    assert api.get("/cases", world.outsider).get_json()["total"] == 0
    assert api.get("/tasks", world.outsider, query_string={"scope": "queue"}).get_json()["total"] == 0


def test_a_province_officer_of_the_police_works_the_communes_tasks(api, world):
    with command():
        provincial = users.create("police_37", "police", "37", "secret-pass-1")
    case, tid = _verify_task(api, world)
    assert api.post(f"/tasks/{tid}/claim", provincial).status_code == 200
    assert api.get(f"/cases/{case['code']}", provincial).status_code == 200
