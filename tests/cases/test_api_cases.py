"""POST /cases, GET /cases/<code> with its timeline, GET /cases search in scope."""

from datetime import date

import pytest

from tests.support.api import CLEAN, complete, fields_of, make_overdue, snapshot, started, task_id
from webapp.views.api.openapi.blocks import EVENT_ACTIONS

CASE_KEYS = {
    "code",
    "status",
    "kind",
    "priority",
    "unit",
    "version",
    "resident",
    "tasks",
    "law",
    "legal_due_on",
}
TASK_KEYS = {"id", "case_code", "step", "department", "unit", "assignee", "ready_at", "due_at"}


def test_starting_a_case_answers_it_with_the_first_task_assigned_to_the_starter(api, world):
    pid = world.resident()
    response = api.post(
        "/cases", world.police, json={"personal_id": pid, "kind": "new", "priority": "student"}
    )
    assert response.status_code == 201
    case = response.get_json()
    assert set(case) == CASE_KEYS
    assert case["code"].startswith(f"HS-{date.today().year}-")
    assert (case["status"], case["kind"], case["priority"], case["unit"]) == (
        "open",
        "new",
        "student",
        "13300",
    )
    assert case["resident"]["personal_id"] == pid and case["resident"]["full_name"] == "Nguyễn Thị Lan"
    (task,) = case["tasks"]
    assert set(task) == TASK_KEYS
    assert (task["step"], task["department"], task["assignee"], task["case_code"], task["unit"]) == (
        "verify_application",
        "police",
        "police_a",
        case["code"],
        "13300",
    )
    lead_case = started(api, world.lead, world.resident())
    assert lead_case["tasks"][0]["assignee"] == "lead_a"


def test_an_unknown_resident_is_422(api, world):
    api.token(world.police)
    before = snapshot()
    response = api.post("/cases", world.police, json={"personal_id": "037190999999", "kind": "new"})
    assert response.status_code == 422 and fields_of(response) == {"personal_id"}
    assert snapshot() == before


def test_a_deceased_resident_is_422(api, world):
    pid = world.resident(status="deceased")
    response = api.post("/cases", world.police, json={"personal_id": pid, "kind": "new"})
    assert response.status_code == 422 and fields_of(response) == {"personal_id"}


def test_a_resident_not_eligible_is_422(api, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "IDENTITY_LAW", "2014")  # no card under 14 under the 2014 law
    child = world.resident(born=date(2016, 6, 1))
    api.token(world.police)
    before = snapshot()
    response = api.post("/cases", world.police, json={"personal_id": child, "kind": "new"})
    assert response.status_code == 422 and fields_of(response) == {"kind"}
    assert snapshot() == before


def test_a_resident_outside_scope_is_as_unknown(api, world):
    elsewhere = world.resident(unit=world.other_commune, province="001")
    response = api.post("/cases", world.police, json={"personal_id": elsewhere, "kind": "new"})
    assert response.status_code == 422 and fields_of(response) == {"personal_id"}
    assert "resident" not in response.get_json()


def test_a_second_open_case_is_409_naming_the_open_one(api, world):
    pid = world.resident()
    first = started(api, world.police, pid)
    api.token(world.police2)
    before = snapshot()
    response = api.post("/cases", world.police2, json={"personal_id": pid, "kind": "exchange"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["fields"] == {"open_case": [first["code"]]}
    assert first["code"] in error["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "status", "fields"),
    [
        ({"kind": "new"}, 422, {"personal_id"}),
        ({}, 422, {"personal_id", "kind"}),
        ({"personal_id": "PID", "kind": "renew"}, 422, {"kind"}),
        ({"personal_id": "037190999999", "kind": "renew"}, 422, {"kind", "personal_id"}),
        ({"personal_id": "PID", "kind": "new", "priority": "vip"}, 422, {"priority"}),
        ({"personal_id": 37190000001, "kind": "new"}, 400, {"personal_id"}),
        ({"personal_id": "PID", "kind": ["new"]}, 400, {"kind"}),
        ({"personal_id": "PID", "kind": "new", "priority": 1}, 400, {"priority"}),
    ],
)
def test_bad_input_to_start_names_each_field_and_changes_nothing(api, world, payload, status, fields):
    pid = world.resident()
    payload = {k: (pid if v == "PID" else v) for k, v in payload.items()}
    api.token(world.police)
    before = snapshot()
    response = api.post("/cases", world.police, json=payload)
    assert response.status_code == status
    assert fields_of(response) == fields
    assert snapshot() == before


@pytest.mark.parametrize("role", ["justice", "approval", "production", "supervisor"])
def test_roles_that_do_not_start_cases_get_403(api, world, role):
    user = getattr(world, role)
    pid = world.resident()
    api.token(user)
    before = snapshot()
    assert api.post("/cases", user, json={"personal_id": pid, "kind": "new"}).status_code == 403
    assert snapshot() == before


def test_a_case_shows_its_tasks_and_timeline(api, world):
    case = started(api, world.police, world.resident())
    tid = task_id(case, "verify_application")
    assert api.post(f"/tasks/{tid}/release", world.police).status_code == 200
    assert api.post(f"/tasks/{tid}/claim", world.police2).status_code == 200
    complete(api, world.police2, tid, {"discrepancies": ["dob_mismatch"], "note": "1990 hay 1991"})
    response = api.get(f"/cases/{case['code']}", world.justice)
    assert response.status_code == 200
    shown = response.get_json()
    assert set(shown) == CASE_KEYS | {"events"}
    # Biometrics at the same visit, beside the justice office.
    assert sorted(t["step"] for t in shown["tasks"]) == ["capture_biometrics", "triage_correction"]
    for event in shown["events"]:
        assert set(event) == {"at", "actor", "action", "step", "detail"}
        assert event["action"] in EVENT_ACTIONS
        assert date.fromisoformat(event["at"][:10]) and "+" in event["at"]
        assert isinstance(event["detail"], dict)
    timeline = [(e["actor"], e["action"], e["step"]) for e in shown["events"]]
    assert timeline[:4] == [
        ("police_a", "started", None),
        ("police_a", "released", "verify_application"),
        ("police_a2", "claimed", "verify_application"),
        ("police_a2", "completed", "verify_application"),
    ]
    assert shown["events"][0]["detail"]["kind"] == "new"
    assert shown["events"][3]["detail"]["data"]["discrepancies"] == ["dob_mismatch"]


def test_a_case_outside_scope_or_unknown_is_404(api, world):
    code = started(api, world.police, world.resident())["code"]
    for user in (world.outsider, world.police_b, world.justice_b):
        assert api.get(f"/cases/{code}", user).status_code == 404
    assert api.get("/cases/HS-2026-999999", world.admin).status_code == 404
    assert api.get(f"/cases/{code.lower()}", world.admin).status_code == 404
    assert api.get(f"/cases/{code}", world.production).status_code == 200  # the centre works nationally


@pytest.fixture
def three_cases(api, world):
    """Lan at verify (overdue), Bình at triage (justice), Hùng in commune B; one in Hà Nội."""
    lan = started(api, world.police, world.resident(name="Nguyễn Thị Lan"))
    make_overdue(task_id(lan, "verify_application"))
    binh = started(api, world.police, world.resident(name="Trần Văn Bình", sex="male"))
    complete(api, world.police, task_id(binh, "verify_application"), {"discrepancies": ["name_mismatch"]})
    hung = started(api, world.police_b, world.resident(name="Lê Hùng", sex="male", unit=world.commune_b))
    hanoi = started(api, world.outsider, world.resident(name="Nguyễn Thị Lan", unit=world.other_commune))
    return {"lan": lan, "binh": binh, "hung": hung, "hanoi": hanoi}


def codes(api, user, **query) -> list[str]:
    response = api.get("/cases", user, query_string=query)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["total"] >= len(body["items"])
    return sorted(c["code"] for c in body["items"])


def test_search_by_status_step_unit_text_and_overdue(api, world, three_cases):
    lan, binh, hung = (three_cases[k]["code"] for k in ("lan", "binh", "hung"))
    sup = world.supervisor
    assert codes(api, sup) == sorted([lan, binh, hung])
    assert codes(api, sup, status="open") == sorted([lan, binh, hung])
    assert codes(api, sup, status="issued") == []
    assert codes(api, sup, step="verify_application") == sorted([lan, hung])
    assert codes(api, sup, step="triage_correction") == [binh]
    assert codes(api, sup, unit="13301") == [hung]
    assert codes(api, sup, unit="13300") == sorted([lan, binh])
    assert codes(api, sup, unit="00004") == []  # another province's unit: nothing of it is visible
    assert codes(api, sup, overdue="true") == [lan]
    assert codes(api, sup, overdue="false") == sorted([lan, binh, hung])
    assert codes(api, sup, q="nguyen thi lan") == [lan]
    assert codes(api, sup, q="NGUYỄN thị LAN") == [lan]
    assert codes(api, sup, q="tran van") == [binh]
    assert codes(api, sup, q="Bình") == [binh]
    assert codes(api, sup, q=three_cases["binh"]["resident"]["personal_id"]) == [binh]
    assert codes(api, sup, q=three_cases["binh"]["resident"]["personal_id"][:3]) == sorted([lan, binh, hung])
    assert codes(api, sup, q="nguyen", status="open", unit="13300", step="verify_application") == [lan]
    assert codes(api, sup, q="%") == [] and codes(api, sup, q="_") == []


def test_search_sees_only_the_callers_subtree(api, world, three_cases):
    lan, binh, hung, hanoi = (three_cases[k]["code"] for k in ("lan", "binh", "hung", "hanoi"))
    assert codes(api, world.police) == sorted([lan, binh])
    assert codes(api, world.justice) == sorted([lan, binh])
    assert codes(api, world.police_b) == [hung]
    assert codes(api, world.police_b, q="nguyen thi lan") == []
    assert codes(api, world.outsider) == [hanoi]
    assert codes(api, world.outsider, unit="13300") == []
    assert codes(api, world.police, unit="13301") == []
    assert codes(api, world.production) == sorted([lan, binh, hung, hanoi])  # national


def test_search_pages(api, world, three_cases):
    first = api.get("/cases", world.supervisor, query_string={"per_page": 2}).get_json()
    second = api.get("/cases", world.supervisor, query_string={"per_page": 2, "page": 2}).get_json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert not {c["code"] for c in first["items"]} & {c["code"] for c in second["items"]}
    assert api.get("/cases", world.supervisor, query_string={"per_page": 201}).status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"step": "card"}, "step"),  # not a step, though part of some step names
        ({"step": "verify_application;"}, "step"),
        ({"overdue": "yes"}, "overdue"),
    ],
)
def test_a_bad_filter_is_422_naming_it(api, world, three_cases, query, field):
    response = api.get("/cases", world.supervisor, query_string=query)
    assert response.status_code == 422 and fields_of(response) == {field}


def test_case_codes_and_steps_after_completion(api, world):
    case = started(api, world.police, world.resident())
    after = complete(api, world.police, task_id(case, "verify_application"), CLEAN)
    assert after["case"]["code"] == case["code"]
    assert codes(api, world.police, step="capture_biometrics") == [case["code"]]
