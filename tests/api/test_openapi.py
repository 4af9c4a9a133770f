"""The OpenAPI document: valid OpenAPI 3, describing exactly the routes served, and true to what
they answer (a schemathesis run in-process, and the walk of docs/api.md checked step by step)."""

import re
import tomllib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS as ALL_CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR
from sqlalchemy import select

from tests.support.cases import CLEAN, do, start
from tests.support.paths import ROOT
from tests.support.world import PASSWORD
from webapp.models import Case, CaseTask, User, db
from webapp.services.accounts import tokens
from webapp.services.cases import step_fields
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command
from webapp.views.api import openapi

BASE = openapi.BASE_PATH
METHODS = {"get", "put", "post", "delete", "patch"}
# Every check schemathesis has (`schemathesis run --checks all`): besides conformance of status,
# content type, headers and body, a schema-valid request must be accepted and an invalid one
# refused, so the document states every limit the server enforces.
CHECKS = ALL_CHECKS.get_all()
MAX_EXAMPLES = 40  # per operation
# Security parameters come from the test (real tokens), not from generation.
# The project's schemathesis.toml (what `schemathesis run` reads: the operations whose 422 depends
# on stored state), plus: security parameters come from the test (real tokens), not from generation.
FUZZ_CONFIG = {
    **tomllib.loads((ROOT / "schemathesis.toml").read_text()),
    "generation": {"with-security-parameters": False},
}


def _documented() -> set[tuple[str, str]]:
    doc = openapi.document()
    return {
        (BASE + path, method) for path, item in doc["paths"].items() for method in item if method in METHODS
    }


def _token(user) -> str:
    with command():
        token, _expires = tokens.issue(user)
    return token


@pytest.mark.no_db
def test_the_document_is_valid_openapi_3():
    doc = openapi.document()
    assert doc["openapi"].startswith("3.0")
    OPENAPI_30_VALIDATOR.validate(doc)
    # schemathesis resolves every reference and builds every operation without complaint
    loaded = schemathesis.openapi.from_dict(doc, config=SchemathesisConfig())
    loaded.validate()
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) == len(_documented())


@pytest.mark.no_db
def test_the_served_document_is_the_document(app):
    response = app.test_client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == openapi.document()


@pytest.mark.no_db
def test_the_document_describes_exactly_the_routes_served(app):
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(BASE + "/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            served |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == _documented()


@pytest.mark.no_db
def test_every_step_and_its_fields_are_documented():
    schemas = openapi.document()["components"]["schemas"]
    assert schemas["Task"]["properties"]["step"]["enum"] == list(step_fields.STEP_FIELDS)
    for step, fields in step_fields.STEP_FIELDS.items():
        described = schemas[f"StepData.{step}"]
        assert list(described["properties"]) == [f.name for f in fields]
        assert described.get("required", []) == [f.name for f in fields if f.required]


@pytest.mark.no_db
def test_only_the_token_and_the_document_need_no_token():
    doc = openapi.document()
    open_ops = {
        (path, method)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if op.get("security") == []
    }
    assert open_ops == {("/auth/token", "post"), ("/openapi.json", "get")}
    shared = doc["components"]["responses"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            statuses = set(op["responses"])
            assert ("401" in statuses) == ((path, method) not in open_ops or path == "/auth/token")
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    response = shared[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }, (path, method, status)


# --- the walk of docs/api.md, every answer checked against the document ---------------------------


class Api:
    """Calls the API with the test client and checks each answer against the document."""

    def __init__(self, app):
        self.client = app.test_client()
        self.schema = schemathesis.openapi.from_dict(openapi.document(), config=SchemathesisConfig())
        self.doc = openapi.document()

    def __call__(self, method: str, template: str, token: str | None = None, **kwargs):
        params = kwargs.pop("path", {})
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.open(
            BASE + template.format(**params), method=method, headers=headers, **kwargs
        )
        documented = self.doc["paths"][template][method.lower()]["responses"]
        assert str(response.status_code) in documented, (
            method,
            template,
            response.status_code,
            response.json,
        )
        assert response.mimetype == "application/json"
        self.schema[template][method].validate_response(response)
        return response


@pytest.fixture
def api(app):
    """This module's client checks every answer against the OpenAPI document."""
    return Api(app)


def test_the_walk_of_the_api_guide_conforms_to_the_document(api, world):
    assert api("POST", "/auth/token", json={"username": "police_a", "password": "wrong"}).status_code == 401
    police = api("POST", "/auth/token", json={"username": "police_a", "password": PASSWORD}).json["token"]
    approval = api("POST", "/auth/token", json={"username": "approval", "password": PASSWORD}).json["token"]
    production = api("POST", "/auth/token", json={"username": "production", "password": PASSWORD}).json[
        "token"
    ]
    admin = api("POST", "/auth/token", json={"username": "admin", "password": PASSWORD}).json["token"]
    assert api("GET", "/units", police).json["total"] == 2
    assert api("GET", "/units", police, query_string={"parent": "37"}).json["items"][0]["parent"] == "37"

    pid = make_personal_id("037", 1990, "female", 999001)
    record = {
        "full_name": "Nguyễn Thị Lan",
        "birth_date": "1990-05-17",
        "sex": "female",
        "permanent_unit": "13300",
    }
    assert (
        api("PUT", "/residents/{personal_id}", police, path={"personal_id": pid}, json=record).status_code
        == 201
    )
    updated = api("PUT", "/residents/{personal_id}", police, path={"personal_id": pid}, json=record)
    assert updated.status_code == 200
    assert api("GET", "/residents/{personal_id}", police, path={"personal_id": pid}).json == updated.json
    assert (
        api("PUT", "/residents/{personal_id}", police, path={"personal_id": "1"}, json=record).status_code
        == 422
    )

    started = api("POST", "/cases", police, json={"personal_id": pid, "kind": "new"})
    assert started.status_code == 201
    code = started.json["code"]
    again = api("POST", "/cases", police, json={"personal_id": pid, "kind": "new"})
    assert again.status_code == 409

    def step(token, name, data=None):
        mine = api("GET", "/tasks", token, query_string={"scope": "queue", "step": name}).json["items"]
        task = next(t for t in mine if t["case_code"] == code)
        detail = api("GET", "/tasks/{task_id}", token, path={"task_id": task["id"]})
        assert [f["name"] for f in detail.json["form"]["fields"]] == [
            f.name for f in step_fields.fields(name)
        ]
        done = api(
            "POST",
            "/tasks/{task_id}/complete",
            token,
            path={"task_id": task["id"]},
            json={"data": data or {}},
        )
        assert done.status_code == 200, done.json
        return task["id"], done.json

    first = api("GET", "/tasks", police, query_string={"scope": "mine"}).json["items"]
    assert [t["step"] for t in first] == ["verify_application"]
    task_id = first[0]["id"]
    assert api("POST", "/tasks/{task_id}/release", police, path={"task_id": task_id}).json["assignee"] is None
    assert (
        api("POST", "/tasks/{task_id}/claim", police, path={"task_id": task_id}).json["assignee"]
        == "police_a"
    )
    bad = api("POST", "/tasks/{task_id}/complete", police, path={"task_id": task_id}, json={"data": {"x": 1}})
    assert bad.status_code == 422 and "x" in bad.json["error"]["fields"]
    done_id, _ = step(police, "verify_application", {"discrepancies": []})
    assert api("GET", "/tasks/{task_id}", police, path={"task_id": done_id}).status_code == 409
    step(police, "capture_biometrics", {"fingerprints": "ok"})
    assert api("GET", "/production/queue", police).status_code == 403
    _, approved = step(approval, "approve_application", {"decision": "approve"})
    assert approved["next_tasks"] == []
    queue = api("GET", "/production/queue", production).json
    assert [c["code"] for c in queue["items"]] == [code]
    card = {"case_code": code, "card_number": "C000123456", "produced_at": "2026-11-20"}
    assert api("POST", "/production/cards", production, json=card).status_code == 200
    assert api("POST", "/production/cards", production, json=card).status_code == 200
    assert api("POST", "/production/cards", production, json={**card, "card_number": "C9"}).status_code == 409
    step(police, "receive_card")
    step(police, "hand_over_card", {"received_by": "self"})
    shown = api("GET", "/cases/{code}", police, path={"code": code}).json
    assert shown["status"] == "issued" and shown["tasks"] == []
    assert [e["action"] for e in shown["events"]][0] == "started"
    assert (
        api("GET", "/cases", police, query_string={"status": "issued", "q": "nguyen thi lan"}).json["total"]
        == 1
    )
    supervisor = api("POST", "/auth/token", json={"username": "supervisor", "password": PASSWORD}).json[
        "token"
    ]
    assert api("GET", "/stats/progress", police).status_code == 403  # like the progress page
    assert api("GET", "/stats/progress", supervisor).json["issued"] == 1
    assert api("GET", "/stats/progress", supervisor, query_string={"unit": "01"}).status_code == 404
    assert api("GET", "/cases/{code}", approval, path={"code": "HS-0000-000000"}).status_code == 404

    assert api("DELETE", "/users/{username}/tokens", police, path={"username": "police_a"}).status_code == 403
    assert api("DELETE", "/users/{username}/tokens", admin, path={"username": "nobody"}).status_code == 404
    assert (
        api("DELETE", "/users/{username}/tokens", admin, path={"username": "police_a"}).json["revoked"] == 1
    )
    assert api("GET", "/cases/{code}", police, path={"code": code}).status_code == 401
    assert api("GET", "/openapi.json").json["openapi"].startswith("3.")


# --- schemathesis, in-process ----------------------------------------------------------------------


@pytest.fixture
def seeded(world):
    """Cases at several steps, and tokens of the roles that work on them."""
    fresh = world.resident()
    at_verify = world.resident()
    start(world.police, at_verify)
    at_approval = world.resident()
    code = start(world.police, at_approval)
    do(world.police, code, "verify_application", CLEAN)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    at_justice = world.resident()
    code = start(world.police, at_justice)
    do(world.police, code, "verify_application", {"discrepancies": ["dob_mismatch"]})
    elsewhere = world.resident(unit=world.other_commune, province="001")
    start(world.outsider, elsewhere)
    return {
        "residents": [fresh, at_verify, at_approval, at_justice, elsewhere],
        # Mostly a police officer; sometimes the roles that work on the other steps, or a bad token.
        "tokens": [_token(world.police)] * 4
        + [_token(u) for u in (world.approval, world.production, world.justice)]
        + ["not-a-token"],
    }


OPERATIONS = sorted((path[len(BASE) :], method) for path, method in _documented())


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_the_api_conforms_to_its_document(app, seeded, path, method):
    """Schemathesis generates valid and invalid requests for the operation from the served document;
    every answer must be documented (status, content type, body schema) and none a server error."""
    schema = schemathesis.openapi.from_wsgi(
        f"{BASE}/openapi.json", app, config=SchemathesisConfig.from_dict(FUZZ_CONFIG)
    )
    operation = schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    # What exists, read once: a fuzzed completion that succeeds must not change the lists the
    # next example draws from (Hypothesis replays examples and refuses data that shifts under it;
    # a case at the justice office now has two ready tasks, capture and triage, to complete).
    db.session.expire_all()
    case_codes = list(db.session.scalars(select(Case.code).order_by(Case.id)))
    known = {
        "code": case_codes,
        "case_code": case_codes,
        "task_id": list(db.session.scalars(select(CaseTask.id).order_by(CaseTask.ready_at, CaseTask.id))),
        "personal_id": seeded["residents"],
        "username": list(db.session.scalars(select(User.username).order_by(User.id))),
    }

    @given(case=cases, data=st.data())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case, data):
        draw = data.draw
        db.session.expire_all()
        for name, value in (case.path_parameters or {}).items():
            if isinstance(value, str):
                case.path_parameters[name] = _known(draw, value, known.get(name, []))
        if isinstance(case.body, dict):
            for name in ("personal_id", "case_code"):
                if isinstance(case.body.get(name), str):
                    case.body[name] = _known(draw, case.body[name], known[name])
        token = draw(st.sampled_from(seeded["tokens"]))
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def _known(draw, generated: str, values: list[str]) -> str:
    """The generated value, or (drawn) one that exists, so that fuzzing also gets past the 404s."""
    return draw(st.sampled_from([generated, *values, *values])) if values else generated
