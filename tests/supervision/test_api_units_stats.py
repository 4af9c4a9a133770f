"""Units (children of a unit, pages of at most 200) and the progress statistics."""

from datetime import date

import pytest

from tests.support.api import CLEAN, complete, fields_of, started, task_id
from webapp.services.accounts import units, users
from webapp.services.uow import command


def test_without_parent_the_roots(api, world):
    response = api.get("/units", world.police)
    assert response.status_code == 200
    assert response.get_json() == {
        "items": [
            {"code": "01", "name": "Hà Nội", "level": "province", "parent": None},
            {"code": "37", "name": "Ninh Bình", "level": "province", "parent": None},
        ],
        "page": 1,
        "per_page": 50,
        "total": 2,
    }


def test_the_children_of_a_unit(api, world):
    body = api.get("/units", world.police, query_string={"parent": "37"}).get_json()
    assert [(u["code"], u["name"], u["level"], u["parent"]) for u in body["items"]] == [
        ("13300", "Phường Hoa Lư", "commune", "37"),
        ("13301", "Xã Gia Viễn", "commune", "37"),
    ]
    assert body["total"] == 2
    assert api.get("/units", world.police, query_string={"parent": "13300"}).get_json()["items"] == []
    assert api.get("/units", world.police, query_string={"parent": "nope"}).get_json()["total"] == 0


def test_pages(api, world):
    with command():
        for n in range(205):
            units.ensure(f"9{n:04d}", f"Xã {n}", "commune", world.province)
    first = api.get("/units", world.police, query_string={"parent": "37", "per_page": 200}).get_json()
    assert (len(first["items"]), first["page"], first["per_page"], first["total"]) == (200, 1, 200, 207)
    last = api.get("/units", world.police, query_string={"parent": "37", "per_page": 200, "page": 2})
    assert [u["code"] for u in last.get_json()["items"]] == [f"9{n:04d}" for n in range(198, 205)]
    middle = api.get("/units", world.police, query_string={"parent": "37", "per_page": 2, "page": 2})
    assert [u["code"] for u in middle.get_json()["items"]] == ["90000", "90001"]
    beyond = api.get("/units", world.police, query_string={"parent": "37", "page": 99}).get_json()
    assert beyond["items"] == [] and beyond["total"] == 207


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("per_page", "201"),
        ("per_page", "0"),
        ("per_page", "-1"),
        ("per_page", "ten"),
        ("per_page", "1e2"),
        ("per_page", "２"),
        ("page", "0"),
        ("page", "1.5"),
        ("page", ""),
        ("page", "99999999999999999999"),
    ],
)
def test_a_bad_page_or_page_size_is_400(api, world, name, value):
    response = api.get("/units", world.police, query_string={name: value})
    assert response.status_code == 400
    assert name in fields_of(response)


PROGRESS_KEYS = {
    "unit",
    "eligible",
    "applied",
    "with_justice",
    "approved",
    "produced",
    "issued",
    "quota",
    "percent_of_quota",
    "vneid_level2",  # an addition: VNeID level 2 for chip-card holders (tests/vneid)
}


def test_progress_counts_the_subtree(api, world):
    for _ in range(3):
        world.resident()
    child = world.resident(born=date(2020, 1, 1))  # under 14: not counted as eligible
    world.resident(unit=world.commune_b)
    at_verify = started(api, world.police, world.resident())
    justice_case = started(api, world.police, world.resident())
    complete(
        api, world.police, task_id(justice_case, "verify_application"), {"discrepancies": ["dob_mismatch"]}
    )
    approved = started(api, world.police, world.resident())
    after = complete(api, world.police, task_id(approved, "verify_application"), CLEAN)
    after = complete(api, world.police, after["next_tasks"][0]["id"], {"fingerprints": "ok"})
    complete(api, world.approval, after["next_tasks"][0]["id"], {"decision": "approve"})
    assert child and at_verify

    body = api.get("/stats/progress", world.supervisor).get_json()
    assert set(body) == PROGRESS_KEYS
    assert body["unit"] == "37"
    assert body["eligible"] == 7  # adults alive in the province: 3 + commune B + 3 with cases
    assert (body["applied"], body["with_justice"], body["approved"], body["produced"], body["issued"]) == (
        3,
        1,
        1,
        0,
        0,
    )
    assert body["quota"] is None and body["percent_of_quota"] is None
    commune_b = api.get("/stats/progress", world.supervisor, query_string={"unit": "13301"}).get_json()
    assert (commune_b["unit"], commune_b["eligible"], commune_b["applied"]) == ("13301", 1, 0)
    with command():
        lead_b = users.create("lead_b", "police_lead", "13301", "secret-pass-1")
    own = api.get("/stats/progress", lead_b).get_json()  # default: the caller's unit
    assert own["unit"] == "13301"


def test_progress_of_a_unit_outside_scope_or_unknown_is_404(api, world):
    with command():
        lead_b = users.create("lead_b", "police_lead", "13301", "secret-pass-1")
    assert api.get("/stats/progress", lead_b, query_string={"unit": "13300"}).status_code == 404
    assert api.get("/stats/progress", world.lead, query_string={"unit": "01"}).status_code == 404
    assert api.get("/stats/progress", world.admin, query_string={"unit": "nope"}).status_code == 404
    assert api.get("/stats/progress", world.admin, query_string={"unit": "37\x00"}).status_code == 404


def test_progress_is_read_by_the_roles_of_the_progress_page_only(api, world):
    """Like the progress page: leads, supervisors and administrators (issue 12: every officer
    could read the province's figures through the API)."""
    for user in (world.police, world.justice, world.approval, world.production):
        assert api.get("/stats/progress", user).status_code == 403, user.role
    for user in (world.lead, world.supervisor, world.admin):
        assert api.get("/stats/progress", user).status_code == 200, user.role
