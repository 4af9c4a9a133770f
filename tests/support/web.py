"""Signing in with the test client."""

from tests.support.world import PASSWORD


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


HTMX = {"HX-Request": "true"}


# Every user of the test world (conftest.World), for access matrices.
USERS = [
    "police_a",
    "lead_a",
    "justice_a",
    "approval",
    "production",
    "supervisor",
    "admin",
    "police_b",
    "police_hn",
]
