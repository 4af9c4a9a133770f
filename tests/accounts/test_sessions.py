"""Sessions (issue 12): the cookie's settings really applied, an idle and an absolute lifetime, and
every way a session or an API token ends on the server: sign-out, a password reset, deactivation,
a role or unit change. Redirect targets from the client are paths on this host only."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine

from tests.support.web import login
from webapp import create_app
from webapp.models import db
from webapp.services.accounts import users
from webapp.services.uow import command

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def session_cookie(response) -> str:
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header


def test_the_cookie_is_http_only_same_site_lax_and_lives_thirty_minutes(app, world):
    with time_machine.travel(T0, tick=False):
        response = app.test_client().post(
            "/login", data={"username": "police_a", "password": "secret-pass-1"}
        )
    header = session_cookie(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # plain HTTP unless SESSION_COOKIE_SECURE=1
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert expires == T0 + timedelta(minutes=30)  # not Flask's 31 days
    assert "Strict-Transport-Security" not in response.headers


def test_a_file_or_fragment_answered_late_cannot_put_back_an_older_session(app, world):
    """A stylesheet asked for before a form was sent and answered after it must not overwrite the
    cookie the form's answer set (it carries the "done" message): static answers set no cookie."""
    client = login(app.test_client(), "police_a")
    static = client.get("/static/css/app.css")
    static.close()  # a file response: close it as a server would
    assert not [h for h in static.headers.getlist("Set-Cookie") if "session=" in h]
    check = client.get("/?q=lan", headers={"HX-Request": "true"})  # an htmx fragment, likewise
    assert not [h for h in check.headers.getlist("Set-Cookie") if "session=" in h]
    assert session_cookie(client.get("/"))  # pages still keep the session alive (idle timeout)


def test_behind_https_the_cookie_is_secure_and_hsts_is_sent(app, world, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_ABSOLUTE_HOURS", "8")
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "PASSWORD_HASH_METHOD")}
    secure = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": False})
    assert secure.config["SESSION_ABSOLUTE_LIFETIME"] == timedelta(hours=8)
    client = secure.test_client()
    try:
        response = client.post(
            "/login", data={"username": "police_a", "password": "secret-pass-1"}, base_url="https://localhost"
        )
    finally:
        with secure.app_context():  # the second app's pool, or PostgreSQL's connection outlives the test
            db.engine.dispose()
    assert response.status_code == 302
    assert "Secure" in session_cookie(response)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("name", "value"), [("SESSION_IDLE_MINUTES", "soon"), ("SESSION_ABSOLUTE_HOURS", "0")]
)
def test_a_wrong_lifetime_setting_stops_the_start_naming_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})


def test_thirty_minutes_without_a_request_end_the_session(app, world):
    client = app.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "police_a")
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # each request starts the 30 minutes again
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_active_session_still_ends_twelve_hours_after_signing_in(app, world):
    client = app.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "police_a")
        for _ in range(28):  # a request every 25 minutes: 11 h 40 min
            clock.shift(timedelta(minutes=25))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=25))  # 12 h 05 min after signing in
        response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def copy_of(client, app):
    """A second browser holding a copy of `client`'s cookie (what an attacker could keep)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_copy_of_the_cookie_does_not_outlive_sign_out(app, world):
    client = login(app.test_client(), "police_a")
    kept = copy_of(client, app)
    assert kept.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    response = kept.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert login(app.test_client(), "police_a").get("/").status_code == 200  # signing in again works


def _reset(world):
    users.reset_password(world.admin, world.police.id, "another-pass-2")


def _deactivate(world):
    users.set_active(world.admin, world.police.id, False)


def _new_role(world):
    users.update(world.admin, world.police.id, "police_lead", "13300", "police_a")


def _new_unit(world):
    users.update(world.admin, world.police.id, "police", "13301", "police_a")


def _new_name_only(world):
    users.update(world.admin, world.police.id, "police", "13300", "Nguyễn Văn An")


@pytest.mark.parametrize("change", [_reset, _deactivate, _new_role, _new_unit])
def test_a_security_change_ends_every_session_and_token(app, api, world, change):
    client = login(app.test_client(), "police_a")
    token = api.token(world.police)
    assert api.get("/units", token=token).status_code == 200
    with command():
        change(world)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert api.get("/units", token=token).status_code == 401


def test_a_new_full_name_ends_nothing(app, api, world):
    client = login(app.test_client(), "police_a")
    token = api.token(world.police)
    with command():
        _new_name_only(world)
    assert client.get("/").status_code == 200
    assert api.get("/units", token=token).status_code == 200


def test_sign_out_leaves_the_api_tokens_alone(app, api, world):
    client = login(app.test_client(), "police_a")
    token = api.token(world.police)
    client.post("/logout")
    assert api.get("/units", token=token).status_code == 200


# Each of these would take the browser to another host, or (CR LF) break the answer's headers.
FOREIGN = [
    "/%09/evil.example",
    "/%0D%0A/x",
    "/%0d%0aSet-Cookie:%20a=b",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/%20/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", FOREIGN)
def test_sign_in_never_sends_the_browser_off_this_host(app, world, target):
    response = app.test_client().post(
        f"/login?next={target}", data={"username": "police_a", "password": "secret-pass-1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", FOREIGN)
def test_the_language_switch_never_sends_the_browser_off_this_host(app, world, target):
    response = app.test_client().post(f"/lang/en?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_path_on_this_host_is_kept(app, world):
    response = app.test_client().post(
        "/login?next=/cases/HS-0001%3Fx%3D1", data={"username": "police_a", "password": "secret-pass-1"}
    )
    assert response.headers["Location"] == "/cases/HS-0001?x=1"
    assert app.test_client().post("/lang/en?next=/stuck/%3Fpage%3D2").headers["Location"] == "/stuck/?page=2"
