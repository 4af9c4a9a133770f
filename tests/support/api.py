"""The JSON API in tests: a client that checks the shape of every answer (the `api` fixture),
tokens, cases driven through the API, and a snapshot of the whole database for "nothing changed"."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from webapp.models import CaseTask, db
from webapp.services.accounts import tokens
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command

BASE = "/api/v1"
ROLES = ("police", "police_lead", "justice", "approval", "production", "supervisor", "admin")
CLEAN = {"discrepancies": []}
RECORD = {"full_name": "Trần Văn Bình", "birth_date": "1985-03-02", "sex": "male", "permanent_unit": "13300"}


def check_shape(response) -> None:
    """Every answer is JSON, never a 500; an error is {"error": {"code", "message", "fields"}}."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", (response.status_code, response.get_data()[:200])
    data = response.get_json()
    if response.status_code >= 400:
        assert set(data) == {"error"}, data
        err = data["error"]
        assert set(err) == {"code", "message", "fields"}, err
        assert isinstance(err["code"], str) and err["code"]
        assert isinstance(err["message"], str) and err["message"]
        assert isinstance(err["fields"], dict)
        for problems in err["fields"].values():
            assert isinstance(problems, list) and all(isinstance(p, str) for p in problems), err


class Api:
    """The test client on /api/v1; `user` signs the call with a token of that user."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self._tokens: dict[str, str] = {}

    def token(self, user) -> str:
        if user.username not in self._tokens:
            with command():
                self._tokens[user.username] = tokens.issue(user)[0]
        return self._tokens[user.username]

    def call(self, method: str, path: str, user=None, *, token: str | None = None, headers=None, **kw):
        headers = dict(headers or {})
        if user is not None:
            token = self.token(user)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(BASE + path, method=method, headers=headers, **kw)
        check_shape(response)
        return response

    def get(self, path, user=None, **kw):
        return self.call("GET", path, user, **kw)

    def post(self, path, user=None, **kw):
        return self.call("POST", path, user, **kw)

    def put(self, path, user=None, **kw):
        return self.call("PUT", path, user, **kw)

    def delete(self, path, user=None, **kw):
        return self.call("DELETE", path, user, **kw)


def fields_of(response) -> set[str]:
    return set(response.get_json()["error"]["fields"])


def snapshot() -> dict:
    """Every row of every table: equal snapshots mean the database did not change."""
    db.session.rollback()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(table.select()))
        for table in db.metadata.sorted_tables
    }


def new_pid(born=date(1985, 3, 2), sex="male", serial=900_001, province="037") -> str:
    return make_personal_id(province, born.year, sex, serial)


def started(api, user, pid) -> dict:
    response = api.post("/cases", user, json={"personal_id": pid, "kind": "new"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def task_id(case_json: dict, step: str) -> str:
    (task,) = [t for t in case_json["tasks"] if t["step"] == step]
    return task["id"]


def complete(api, user, tid, data=None):
    response = api.post(f"/tasks/{tid}/complete", user, json={"data": data or {}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def make_overdue(tid: str) -> None:
    with command():
        db.session.execute(
            update(CaseTask).where(CaseTask.id == tid).values(due_at=datetime(2020, 1, 1, tzinfo=UTC))
        )


def assignee_of(tid: str):
    db.session.rollback()
    return db.session.scalar(select(CaseTask.assignee_id).where(CaseTask.id == tid))


@pytest.fixture
def api(app):
    return Api(app)


def approved(api, world, unit=None, user=None) -> str:
    """A case approved through the API and waiting for production; returns its code."""
    user = user or world.police
    case = started(api, user, world.resident(unit=unit) if unit else world.resident())
    after = complete(api, user, task_id(case, "verify_application"), CLEAN)
    after = complete(api, user, after["next_tasks"][0]["id"], {"fingerprints": "ok"})
    done = complete(api, world.approval, after["next_tasks"][0]["id"], {"decision": "approve"})
    assert done["next_tasks"] == []
    return case["code"]


def card(code, number="C000123456", produced="2026-11-20"):
    """The production centre's "card produced" body."""
    return {"case_code": code, "card_number": number, "produced_at": produced}
