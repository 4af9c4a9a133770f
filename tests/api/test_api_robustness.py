"""Whatever is sent, the API answers with its error shape and changes nothing: malformed JSON and
wrong types are 400, bodies over 1 MB 413, odd paths and parameters never a 500."""

import pytest

from tests.support.api import CLEAN, RECORD, fields_of, new_pid, snapshot, started, task_id
from webapp.services.cases import step_fields
from webapp.views.api import ApiError
from webapp.views.api.tasks import _check_types


@pytest.fixture
def targets(api, world):
    """Every endpoint that takes a body, with a caller who may use it."""
    case = started(api, world.police, world.resident())
    for user in (world.police, world.production):
        api.token(user)
    return [
        ("POST", "/auth/token", None),
        ("PUT", f"/residents/{new_pid()}", world.police),
        ("POST", "/cases", world.police),
        ("POST", f"/tasks/{task_id(case, 'verify_application')}/complete", world.police),
        ("POST", "/production/cards", world.production),
    ]


MALFORMED = {
    "truncated": b'{"personal_id": "0371',
    "empty": b"",
    "null": b"null",
    "list": b"[]",
    "string": b'"text"',
    "number": b"42",
    "not utf-8": b'{"full_name": "\xff\xfe"}',
    "NaN": b'{"x": NaN}',
    "Infinity": b'{"x": -Infinity}',
    "two documents": b'{"a": 1}{"b": 2}',
    "single quotes": b"{'a': 1}",
    "deep nesting": b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "NUL escaped": b'{"full_name": "a\\u0000b", "data": {"note": "\\u0000"}}',
    "NUL in a key": b'{"a\\u0000": 1}',
    "lone surrogate": b'{"full_name": "\\ud800"}',
}


@pytest.mark.parametrize("payload", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_body_is_400_everywhere(api, world, targets, payload):
    before = snapshot()
    for method, path, user in targets:
        response = api.call(method, path, user, data=payload, content_type="application/json")
        assert response.status_code == 400, (path, response.get_json())
        assert response.get_json()["error"]["code"] == "bad_request"
    assert snapshot() == before


def test_a_body_over_one_megabyte_is_413(api, world, targets):
    big = b'{"full_name": "' + b"a" * (1024 * 1024) + b'"}'
    before = snapshot()
    for method, path, user in targets:
        response = api.call(method, path, user, data=big, content_type="application/json")
        assert response.status_code == 413, path
        assert response.get_json()["error"]["code"] == "too_large"
    assert snapshot() == before


def test_a_body_just_under_the_limit_is_read(api, world):
    padding = "a" * (1024 * 1024 - 300)
    response = api.put(f"/residents/{new_pid()}", world.police, json={**RECORD, "padding": padding})
    assert response.status_code == 201  # unknown fields of a resident are ignored


def test_a_body_without_a_json_content_type_is_still_read_as_json(api, world):
    import json

    pid = world.resident()
    response = api.post(
        "/cases",
        world.police,
        data=json.dumps({"personal_id": pid, "kind": "new"}),
        content_type="text/plain",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/cases/HS-2026-\x00",
        "/tasks/\x00",
        "/tasks/\x00/claim",
        "/residents/03719000\x000001",
        "/cases/" + "X" * 5000,
        "/tasks/" + "9" * 5000,
        "/residents/" + "1" * 5000,
        "/cases/%",
        "/tasks/..%2F..",
        "/cases/😀",
    ],
)
def test_odd_paths_are_404(api, world, path):
    method = "POST" if path.endswith("/claim") else "GET"
    assert api.call(method, path, world.admin).status_code == 404


def test_odd_personal_ids_to_create_are_422(api, world):
    for pid in ("03719000\x000001", "1" * 5000, "😀" * 12):
        response = api.put(f"/residents/{pid}", world.police, json=RECORD)
        assert response.status_code == 422 and "personal_id" in fields_of(response)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/cases", {"q": "\x00"}),
        ("/cases", {"unit": "37\x00"}),
        ("/tasks", {"step": "\x00"}),
        ("/units", {"parent": "\x00"}),
        ("/units", {"x\x00": "1"}),
    ],
)
def test_a_nul_in_a_query_parameter_is_400(api, world, path, query):
    assert api.get(path, world.supervisor, query_string=query).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 10_000},
        {"q": "'; DROP TABLE cases; --"},
        {"q": "%_\\"},
        {"q": "😀 Nguyễn"},
        {"q": "   "},
        {"unit": "x" * 1000},
        {"unit": "%"},
        {"q": "０３７"},
    ],
)
def test_odd_search_text_is_answered(api, world, query):
    started(api, world.police, world.resident())
    response = api.get("/cases", world.police, query_string=query)
    assert response.status_code == 200
    assert response.get_json()["total"] == (1 if query == {"q": "   "} else 0)


@pytest.mark.parametrize("path", ["/units", "/cases", "/tasks", "/production/queue"])
def test_every_list_is_capped_at_200_per_page(api, world, path):
    assert api.get(path, world.production, query_string={"per_page": 200}).status_code == 200
    response = api.get(path, world.production, query_string={"per_page": 201})
    assert response.status_code == 400 and fields_of(response) == {"per_page"}


def test_unknown_routes_and_methods_answer_in_the_error_shape(api, world):
    assert api.get("/nothing-here", world.police).status_code == 404
    assert api.get("/nothing-here").status_code == 404
    wrong_method = api.delete("/cases", world.police)
    assert wrong_method.status_code == 405
    # The answer says which methods the path takes, as HTTP requires for 405.
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert api.call("PATCH", f"/residents/{new_pid()}", world.police, json=RECORD).status_code == 405


WRONG = {
    "string": 1,
    "text": ["x"],
    "boolean": "true",
    "date": 20261120,
    "integer": "1",
    "choice": 1,
    "multi_choice": "x",
    "object": "x",
}


@pytest.mark.no_db
def test_every_declared_field_of_every_step_refuses_a_wrong_json_type():
    for step in step_fields.STEP_FIELDS:
        for field in step_fields.fields(step):
            with pytest.raises(ApiError) as err:
                _check_types(step, {field.name: WRONG[field.type]})
            assert (err.value.status, set(err.value.fields)) == (400, {field.name}), (step, field.name)
            _check_types(step, {field.name: None})  # null is empty: the step's rules decide


def test_completion_wrong_types_are_400_and_unknown_fields_422(api, world):
    case = started(api, world.police, world.resident())
    tid = task_id(case, "verify_application")
    before = snapshot()
    for field in step_fields.fields("verify_application"):
        response = api.post(
            f"/tasks/{tid}/complete", world.police, json={"data": {field.name: WRONG[field.type]}}
        )
        assert response.status_code == 400 and fields_of(response) == {field.name}
    response = api.post(f"/tasks/{tid}/complete", world.police, json={"data": {**CLEAN, "x": 1}})
    assert response.status_code == 422 and fields_of(response) == {"x"}
    assert snapshot() == before
