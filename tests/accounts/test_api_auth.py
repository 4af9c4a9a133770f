"""Tokens: signing in, the lockout after repeated failures, every way a token is refused, and an
administrator revoking a user's tokens (DELETE /users/<username>/tokens, an extension of API.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.support.api import fields_of, snapshot
from tests.support.world import PASSWORD
from webapp.models import ApiToken, User, db
from webapp.services.uow import command


def sign_in(api, username, password=PASSWORD):
    return api.post("/auth/token", json={"username": username, "password": password})


def test_the_right_password_gets_a_token_that_works_for_twelve_hours(api, world):
    response = sign_in(api, "police_a")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None  # ISO 8601 with an offset
    assert timedelta(hours=11, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=12)
    assert api.get("/units", token=body["token"]).status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("username", "password"),
    [("police_a", "wrong-password"), ("nobody", PASSWORD), ("", ""), ("police_a", "")],
)
def test_a_wrong_username_or_password_is_401(api, world, username, password):
    response = sign_in(api, username, password)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert "token" not in response.get_json()


# Throttling of repeated failures: tests/accounts/test_sign_in.py


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (b"{", 400, None),
        (b"", 400, None),
        (b'["police_a", "x"]', 400, None),
        (b'{"username": 5, "password": "x"}', 400, "username"),
        (b'{"username": "police_a", "password": ["x"]}', 400, "password"),
        (b'{"username": "police_a"}', 422, "password"),
        (b'{"password": "x"}', 422, "username"),
    ],
)
def test_a_malformed_sign_in_says_why_and_counts_no_failure(api, world, payload, status, field):
    before = snapshot()
    response = api.post("/auth/token", data=payload, content_type="application/json")
    assert response.status_code == status
    if field:
        assert field in fields_of(response)
    assert snapshot() == before


def _unauthorized(api, **kw):
    response = api.get("/cases", **kw)
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Basic cG9saWNlX2E6c2VjcmV0",
        "Token abc",
        "x" * 500,
    ],
)
def test_no_or_a_bad_token_is_401(api, world, header):
    _unauthorized(api, headers={"Authorization": header} if header is not None else {})


def test_the_scheme_is_case_insensitive(api, world):
    token = api.token(world.police)
    assert api.get("/units", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_an_expired_token_is_401(api, world):
    token = api.token(world.police)
    assert api.get("/cases", token=token).status_code == 200
    with command():
        db.session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    _unauthorized(api, token=token)


def test_the_token_of_a_deactivated_user_is_401(api, world):
    token = api.token(world.police)
    with command():
        db.session.execute(update(User).where(User.username == "police_a").values(active=False))
    _unauthorized(api, token=token)


def test_an_administrator_revokes_every_token_of_a_user(api, world):
    first = sign_in(api, "police_a").get_json()["token"]
    second = sign_in(api, "police_a").get_json()["token"]
    colleague = api.token(world.police2)
    response = api.delete("/users/police_a/tokens", world.admin)
    assert response.status_code == 200
    assert response.get_json() == {"revoked": 2}
    _unauthorized(api, token=first)
    _unauthorized(api, token=second)
    assert api.get("/cases", token=colleague).status_code == 200  # other users keep theirs
    assert api.delete("/users/police_a/tokens", world.admin).get_json() == {"revoked": 0}
    fresh = sign_in(api, "police_a").get_json()["token"]  # signing in again works
    assert api.get("/cases", token=fresh).status_code == 200


@pytest.mark.parametrize("role", ["police", "police_lead", "justice", "approval", "production", "supervisor"])
def test_only_an_administrator_revokes_tokens(api, world, role):
    user = {
        "police": world.police,
        "police_lead": world.lead,
        "justice": world.justice,
        "approval": world.approval,
        "production": world.production,
        "supervisor": world.supervisor,
    }[role]
    victim, _ = api.token(world.police2), api.token(user)
    before = snapshot()
    assert api.delete("/users/police_a2/tokens", user).status_code == 403
    assert snapshot() == before
    assert api.get("/cases", token=victim).status_code == 200


def test_revoking_the_tokens_of_an_unknown_user_is_404(api, world):
    assert api.delete("/users/nobody/tokens", world.admin).status_code == 404
    assert api.delete("/users/police_a/tokens").status_code == 401  # and a token is needed
