"""Signing in with the test client."""

from helpers import PASSWORD


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


HTMX = {"HX-Request": "true"}
