"""Tasks: the lists, a task with its form, claim, release, complete, and simultaneous claims."""

import threading

import pytest

from tests.support.api import (
    CLEAN,
    assignee_of,
    complete,
    fields_of,
    make_overdue,
    snapshot,
    started,
    task_id,
)
from webapp.models import User, db
from webapp.services.accounts import users
from webapp.services.cases import step_fields
from webapp.services.uow import command
from webapp.views.api.openapi.blocks import FIELD_TYPES


@pytest.fixture
def case(api, world):
    """A case at verify_application in commune A, held by police_a."""
    return started(api, world.police, world.resident())


def ids(api, user, **query) -> list[str]:
    response = api.get("/tasks", user, query_string=query)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == len(body["items"])
    return [t["id"] for t in body["items"]]


def test_mine_and_queue(api, world, case):
    tid = task_id(case, "verify_application")
    assert ids(api, world.police) == [tid]  # scope=mine is the default
    assert ids(api, world.police, scope="mine") == [tid]
    assert ids(api, world.police2, scope="mine") == []
    assert ids(api, world.police2, scope="queue") == [tid]
    assert ids(api, world.lead, scope="queue") == [tid]
    assert ids(api, world.justice, scope="queue") == []  # another department
    assert ids(api, world.police_b, scope="queue") == []  # another commune
    assert ids(api, world.outsider, scope="queue") == []
    other = started(api, world.police_b, world.resident(unit=world.commune_b))
    assert ids(api, world.police_b, scope="queue") == [task_id(other, "verify_application")]


def test_filters_step_and_overdue(api, world, case):
    tid = task_id(case, "verify_application")
    second = started(api, world.police, world.resident())
    at_biometrics = complete(api, world.police, task_id(second, "verify_application"), CLEAN)
    bio = at_biometrics["next_tasks"][0]["id"]
    assert sorted(ids(api, world.police, scope="queue")) == sorted([tid, bio])
    assert ids(api, world.police, scope="queue", step="verify_application") == [tid]
    assert ids(api, world.police, scope="queue", step="capture_biometrics") == [bio]
    assert ids(api, world.police, scope="queue", overdue="true") == []
    make_overdue(bio)
    assert ids(api, world.police, scope="queue", overdue="true") == [bio]
    assert ids(api, world.police, scope="queue")[0] == bio  # earliest due first


@pytest.mark.parametrize(
    ("query", "field"),
    [({"scope": "all"}, "scope"), ({"step": "bogus"}, "step"), ({"overdue": "1"}, "overdue")],
)
def test_a_bad_filter_is_422(api, world, query, field):
    response = api.get("/tasks", world.police, query_string=query)
    assert response.status_code == 422 and fields_of(response) == {field}


def test_a_task_with_its_form(api, world, case):
    tid = task_id(case, "verify_application")
    response = api.get(f"/tasks/{tid}", world.police2)
    assert response.status_code == 200
    task = response.get_json()
    assert (task["id"], task["case_code"], task["step"], task["assignee"]) == (
        tid,
        case["code"],
        "verify_application",
        "police_a",
    )
    by_name = {f["name"]: f for f in task["form"]["fields"]}
    assert by_name["discrepancies"] == {
        "name": "discrepancies",
        "type": "multi_choice",
        "required": False,
        "choices": list(step_fields.DISCREPANCIES),
    }
    assert by_name["note"] == {"name": "note", "type": "text", "required": False}
    assert by_name["refusal_reason"]["type"] == "choice"
    assert api.get(f"/tasks/{tid}", world.justice).status_code == 200  # same commune: visible
    assert api.get(f"/tasks/{tid}", world.outsider).status_code == 404
    assert api.get("/tasks/no-such-task", world.police).status_code == 404


def test_every_form_field_type_is_one_of_the_contract():
    types = {f.describe()["type"] for step in step_fields.STEP_FIELDS for f in step_fields.fields(step)}
    assert types <= set(FIELD_TYPES)
    assert {"boolean", "date", "choice", "multi_choice", "object", "string", "text"} <= types


def test_claim_release_and_someone_else_holding_it(api, world, case):
    tid = task_id(case, "verify_application")
    api.token(world.police2)
    before = snapshot()
    held = api.post(f"/tasks/{tid}/claim", world.police2)
    assert held.status_code == 409
    assert held.get_json()["error"]["fields"] == {"assignee": ["police_a"]}
    assert api.post(f"/tasks/{tid}/release", world.police2).status_code == 409
    assert snapshot() == before
    again = api.post(f"/tasks/{tid}/claim", world.police)  # claiming one's own task: no change
    assert again.status_code == 200 and again.get_json()["assignee"] == "police_a"
    released = api.post(f"/tasks/{tid}/release", world.police)
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    assert api.post(f"/tasks/{tid}/release", world.police).get_json()["assignee"] is None
    claimed = api.post(f"/tasks/{tid}/claim", world.police2)
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "police_a2"
    assert api.post(f"/tasks/{tid}/release", world.lead).get_json()["assignee"] is None  # a lead may


def test_another_department_gets_403_and_another_commune_404(api, world, case):
    tid = task_id(case, "verify_application")
    for user in (world.justice, world.outsider, world.police_b):
        api.token(user)
    before = snapshot()
    for path in ("claim", "release", "complete"):
        assert api.post(f"/tasks/{tid}/{path}", world.justice, json={"data": CLEAN}).status_code == 403
        assert api.post(f"/tasks/{tid}/{path}", world.outsider, json={"data": CLEAN}).status_code == 404
        assert api.post(f"/tasks/{tid}/{path}", world.police_b, json={"data": CLEAN}).status_code == 404
        assert api.post(f"/tasks/no-such-task/{path}", world.police, json={"data": CLEAN}).status_code == 404
    assert snapshot() == before


def test_complete_answers_the_case_and_its_next_tasks(api, world, case):
    done = complete(
        api, world.police, task_id(case, "verify_application"), {"discrepancies": ["dob_mismatch"]}
    )
    assert set(done) == {"case", "next_tasks"}
    assert done["case"]["code"] == case["code"] and done["case"]["status"] == "open"
    # The justice office and the capture of biometrics, at the same visit.
    capture, triage = sorted(done["next_tasks"], key=lambda t: t["step"])
    assert (triage["step"], triage["department"], triage["assignee"]) == (
        "triage_correction",
        "justice",
        None,
    )
    assert (capture["step"], capture["department"]) == ("capture_biometrics", "police")
    assert sorted(t["id"] for t in done["case"]["tasks"]) == sorted(t["id"] for t in done["next_tasks"])
    assert ids(api, world.justice, scope="queue") == [triage["id"]]
    after = complete(
        api, world.justice, triage["id"], {"procedure": "correction", "documents_complete": True}
    )
    assert sorted(t["step"] for t in after["next_tasks"]) == ["capture_biometrics", "record_correction"]


def test_completing_an_unclaimed_task_claims_it_first(api, world, case):
    tid = task_id(case, "verify_application")
    api.post(f"/tasks/{tid}/release", world.police)
    complete(api, world.police2, tid, CLEAN)
    events = api.get(f"/cases/{case['code']}", world.police).get_json()["events"]
    by_police2 = [(e["action"], e["step"]) for e in events if e["actor"] == "police_a2"]
    assert by_police2 == [("claimed", "verify_application"), ("completed", "verify_application")]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"discrepancies": ["bogus"]}, {"discrepancies"}),
        ({"surprise": 1}, {"surprise"}),
        ({"discrepancies": ["dob_mismatch"], "refusal_reason": "deceased"}, {"refusal_reason"}),
        ({"refusal_reason": "bored"}, {"refusal_reason"}),
        ({"note": "x" * 2001, "extra": True}, {"note", "extra"}),
    ],
)
def test_invalid_data_is_422_naming_each_field_and_records_nothing(api, world, case, data, fields):
    tid = task_id(case, "verify_application")
    before = snapshot()
    response = api.post(f"/tasks/{tid}/complete", world.police, json={"data": data})
    assert response.status_code == 422
    assert fields_of(response) == fields
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"data": {"discrepancies": "dob_mismatch"}}, {"discrepancies"}),
        ({"data": {"discrepancies": [1]}}, {"discrepancies"}),
        ({"data": {"note": 5, "refusal_reason": ["deceased"]}}, {"note", "refusal_reason"}),
        ({"data": []}, {"data"}),
        ({"data": "x"}, {"data"}),
    ],
)
def test_wrong_json_types_are_400_naming_each_field(api, world, case, payload, fields):
    tid = task_id(case, "verify_application")
    before = snapshot()
    response = api.post(f"/tasks/{tid}/complete", world.police, json=payload)
    assert response.status_code == 400
    assert fields_of(response) == fields
    assert snapshot() == before


def test_wrong_types_of_later_steps_are_400(api, world, case):
    done = complete(
        api, world.police, task_id(case, "verify_application"), {"discrepancies": ["dob_mismatch"]}
    )
    triage = next(t["id"] for t in done["next_tasks"] if t["step"] == "triage_correction")
    for data, field in (
        ({"procedure": "correction", "documents_complete": "yes"}, "documents_complete"),
        ({"procedure": "correction", "documents_complete": 1}, "documents_complete"),
    ):
        response = api.post(f"/tasks/{triage}/complete", world.justice, json={"data": data})
        assert response.status_code == 400 and fields_of(response) == {field}


def test_a_repeated_completion_is_409_and_records_nothing(api, world, case):
    tid = task_id(case, "verify_application")
    complete(api, world.police, tid, CLEAN)
    api.token(world.outsider)
    before = snapshot()
    for data in (CLEAN, {"discrepancies": "wrong type"}):
        response = api.post(f"/tasks/{tid}/complete", world.police, json={"data": data})
        assert response.status_code == 409
    assert api.post(f"/tasks/{tid}/claim", world.police).status_code == 409
    assert api.get(f"/tasks/{tid}", world.police).status_code == 409
    assert api.post(f"/tasks/{tid}/complete", world.outsider, json={"data": CLEAN}).status_code == 404
    assert snapshot() == before


def test_completing_a_task_someone_else_holds_is_409(api, world, case):
    tid = task_id(case, "verify_application")
    api.token(world.police2)
    before = snapshot()
    response = api.post(f"/tasks/{tid}/complete", world.police2, json={"data": CLEAN})
    assert response.status_code == 409
    assert snapshot() == before


def test_simultaneous_claims_through_the_api_one_wins(app, api, world, case):
    tid = task_id(case, "verify_application")
    assert api.post(f"/tasks/{tid}/release", world.police).status_code == 200
    with command():
        users.create("police_a3", "police", "13300", "secret-pass-1")
    claimers = [
        world.police,
        world.police2,
        world.lead,
        db.session.scalar(db.select(User).filter_by(username="police_a3")),
    ]
    tokens = [api.token(u) for u in claimers]
    barrier = threading.Barrier(len(tokens))
    results = {}

    def claim(token):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            try:
                response = client.post(
                    f"/api/v1/tasks/{tid}/claim", headers={"Authorization": f"Bearer {token}"}
                )
                results[token] = (response.status_code, response.get_json())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409, 409, 409], results
    (winner,) = [body["assignee"] for status, body in results.values() if status == 200]
    assert db.session.scalar(db.select(User.username).where(User.id == assignee_of(tid))) == winner
    events = api.get(f"/cases/{case['code']}", world.police).get_json()["events"]
    assert [e["action"] for e in events].count("claimed") == 1
