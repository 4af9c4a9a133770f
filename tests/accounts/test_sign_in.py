"""Sign-in (issue 12): the same answer in the same work for an unknown user and a wrong password;
failures throttled per client address and per account from a client, never locking the owner
out; the password policy; an officer's own password change; the change forced after a reset."""

import pytest

from tests.support.web import login
from tests.support.world import PASSWORD
from webapp.models import db
from webapp.services.accounts import passwords, users
from webapp.services.uow import command

OWNER = {"REMOTE_ADDR": "127.0.0.2"}  # another computer, one that has not been failing


def token(api, username, password=PASSWORD, environ=None):
    return api.client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}, environ_base=environ or {}
    )


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes checked."""
    calls = []
    real = passwords._verify

    def counted(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(passwords, "_verify", counted)
    return calls


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer_after_the_same_work(api, world, hashes):
    unknown = token(api, "nobody", "wrong-password")
    assert len(hashes) == 1  # a dummy hash is checked: the time is that of a real check
    wrong = token(api, "police_a", "wrong-password")
    assert len(hashes) == 2
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    web_unknown = app_post(api, "nobody")
    web_wrong = app_post(api, "police_a")
    assert web_unknown.status_code == web_wrong.status_code == 401
    assert len(hashes) == 4


def app_post(api, username, password="wrong-password", environ=None):
    return api.client.post(
        "/login", data={"username": username, "password": password}, environ_base=environ or {}
    )


@pytest.mark.parametrize("username", ["police_a", "nobody"])
def test_five_failures_hold_back_that_client_alike_for_real_and_unknown_users(api, world, username):
    for _ in range(5):
        assert token(api, username, "wrong-password").status_code == 401
    held = token(api, username, "wrong-password")
    assert held.status_code == 429 and held.get_json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(held.headers["Retry-After"]) <= 15 * 60 + 1
    assert token(api, username, PASSWORD).status_code == 429  # this client was failing


def test_nobody_can_lock_the_owner_out(api, world):
    for _ in range(12):
        token(api, "police_a", "wrong-password")  # an attacker's computer
    assert token(api, "police_a", environ=OWNER).status_code == 200  # the owner's
    assert app_post(api, "police_a", PASSWORD, environ=OWNER).status_code == 302
    assert token(api, "police_a2").status_code == 200  # other accounts from the attacker's address


def test_a_client_failing_on_many_accounts_is_held_back(api, world):
    for n in range(30):
        assert token(api, f"guess{n}", "wrong-password").status_code == 401
    assert token(api, "police_a").status_code == 429  # even a right password, from that client
    assert token(api, "police_a", environ=OWNER).status_code == 200


# --- the policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-1", passwords.TOO_SHORT),
        ("x" * 201, passwords.TOO_LONG),
        ("my-police_a-pass", passwords.HAS_USERNAME),
        ("Password123", passwords.TOO_COMMON),
        ("matkhau123456", passwords.TOO_COMMON),
    ],
)
def test_the_policy_names_the_rule(password, rule):
    assert passwords.problems(password, "police_a") == [rule]


@pytest.mark.no_db
def test_the_common_list_ships_with_the_project():
    assert passwords.COMMON_LIST.exists() and len(passwords.common_passwords()) > 1000
    assert passwords.problems("Gia-Vien-ngay-17", "police_a") == []


# --- an officer's own password ----------------------------------------------------------------------


def test_an_officer_changes_their_own_password(app, api, world):
    client = login(app.test_client(), "police_a")
    kept = app.test_client()
    kept.set_cookie("session", client.get_cookie("session").value)
    old_token = api.token(world.police)
    assert "Đổi mật khẩu" in client.get("/account/password").get_data(as_text=True)
    refused = client.post(
        "/account/password", data={"current_password": "nope", "new_password": "Password123"}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng." in page and "quá phổ biến" in page
    done = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "Gia-Vien-ngay-17"}
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert kept.get("/").status_code == 302  # any other session ended
    assert api.get("/units", token=old_token).status_code == 401  # and every token
    assert token(api, "police_a", "Gia-Vien-ngay-17").status_code == 200


def test_after_a_reset_the_owner_must_choose_a_new_password_first(app, api, world):
    with command():
        users.reset_password(world.admin, world.police.id, "temporary-pass-9")
    client = login(app.test_client(), "police_a", "temporary-pass-9")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert client.get("/cases").status_code == 302
    refused = token(api, "police_a", "temporary-pass-9")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "password_change_required"
    client.post(
        "/account/password", data={"current_password": "temporary-pass-9", "new_password": "Gia-Vien-ngay-17"}
    )
    db.session.expire_all()
    assert not users.by_username("police_a").must_change_password
    assert client.get("/").status_code == 200


# --- the hash: argon2id, old hashes replaced at sign-in ---------------------------------------------


def test_an_old_scrypt_hash_signs_in_and_becomes_argon2id_once(app, api, world, hashes):
    from werkzeug.security import generate_password_hash

    with command():
        world.police.password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    assert token(api, "police_a", "wrong-password").status_code == 401
    db.session.expire_all()
    assert world.police.password_hash.startswith("scrypt:")  # a failure changes nothing
    assert app_post(api, "police_a", PASSWORD, environ=OWNER).status_code == 302
    db.session.expire_all()
    rehashed = world.police.password_hash
    assert rehashed.startswith("$argon2id$") and passwords.check(rehashed, PASSWORD)
    assert token(api, "police_a", environ=OWNER).status_code == 200
    db.session.expire_all()
    assert world.police.password_hash == rehashed  # already current: not hashed again


def test_a_weaker_argon2id_hash_is_replaced_by_the_configured_parameters(app, api, world, monkeypatch):
    with command():
        world.police.password_hash = passwords.hash_password(PASSWORD)
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "argon2id:m=128,t=2,p=1")
    assert token(api, "police_a").status_code == 200
    db.session.expire_all()
    assert "$m=128,t=2,p=1$" in world.police.password_hash


@pytest.mark.no_db
def test_the_production_hash_is_argon2id_at_owasp_minimum_or_above(tmp_path, monkeypatch):
    from webapp.config import from_environment

    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    method = from_environment(tmp_path)["PASSWORD_HASH_METHOD"]
    hasher = passwords._argon2(method)
    assert hasher is not None
    params = hasher.hash("a password to look at").split("$")[3]  # m=19456,t=2,p=1
    got = dict(pair.split("=") for pair in params.split(","))
    assert int(got["m"]) >= 19 * 1024 and int(got["t"]) >= 2 and int(got["p"]) >= 1


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("supervisor", "/progress/"),  # watches the campaign
        ("admin", "/admin/users"),  # manages accounts
        ("production", "/batches/"),  # works the centre's batches
        ("police_a", "/"),  # everyone else: the inbox
        ("justice_a", "/"),
    ],
)
def test_each_role_lands_where_its_work_is(app, world, username, lands_on):
    response = app.test_client().post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == lands_on
    # A `next=` on this site still wins over the landing page.
    response = app.test_client().post(
        "/login?next=/stuck/", data={"username": username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/stuck/"
