"""Every role against every page: what it may see (200), what it may not do (403) and what is
outside its scope (404, existence not revealed). Signed-out visitors go to the sign-in page."""

import pytest

from tests.support.cases import start, task_of
from tests.support.web import USERS, login

# page -> expected status per user (the case and its task belong to commune A, police step)
EXPECTED = {
    "inbox": dict.fromkeys(USERS, 200),
    "case": {**dict.fromkeys(USERS, 200), "police_b": 404, "police_hn": 404},
    "diagram": {**dict.fromkeys(USERS, 200), "police_b": 404, "police_hn": 404},
    "task": {**dict.fromkeys(USERS, 403), "police_a": 200, "lead_a": 200, "police_b": 404, "police_hn": 404},
    "admin": {**dict.fromkeys(USERS, 403), "admin": 200},
}


def url(page: str, code: str, task_id: str) -> str:
    return {
        "inbox": "/?scope=queue",
        "case": f"/cases/{code}",
        "diagram": f"/cases/{code}/diagram.bpmn",
        "task": f"/tasks/{task_id}",
        "admin": "/admin/users",
    }[page]


@pytest.fixture
def case_and_task(world):
    code = start(world.police, world.resident())
    return code, task_of(code, "verify_application").id


@pytest.mark.parametrize("page", list(EXPECTED))
@pytest.mark.parametrize("username", USERS)
def test_role_by_page(app, world, case_and_task, page, username):
    code, task_id = case_and_task
    client = login(app.test_client(), username)
    assert client.get(url(page, code, task_id)).status_code == EXPECTED[page][username]


@pytest.mark.parametrize("page", list(EXPECTED))
def test_signed_out_visitors_are_sent_to_sign_in(app, world, case_and_task, page):
    code, task_id = case_and_task
    response = app.test_client().get(url(page, code, task_id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# police_a started the case and holds its first task; a colleague's claim is a conflict.
@pytest.mark.parametrize(
    ("username", "status"),
    [("police_a", 200), ("lead_a", 409), ("justice_a", 403), ("police_b", 404), ("police_hn", 404)],
)
def test_claim_by_role(app, world, case_and_task, username, status):
    _, task_id = case_and_task
    client = login(app.test_client(), username)
    assert client.post(f"/tasks/{task_id}/claim", headers={"HX-Request": "true"}).status_code == status
