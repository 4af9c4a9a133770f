"""Every route declares its permission in one place (services/access.py, through `web.allow` or
the API's `allow`), and the role x route matrix is generated from those declarations: for every
route, method and role, a role outside the route's rule is refused (403) and nothing changes; a
role inside it is let through in its own scope; outside its scope it finds nothing (404).

A new route fails `test_every_route_declares_its_permission` until it names a rule, and the
matrix until tests/support/route_samples.py has sample arguments for its path."""

import pytest
from flask import url_for

from tests.support.api import snapshot
from tests.support.route_samples import ARGS, BODIES, IN, OUT, Samples
from tests.support.web import login
from webapp import create_app
from webapp.services import access

# Reachable without signing in, on purpose: load balancers, the sign-in itself, the API document.
PUBLIC = {"static", "health.check", "auth.login", "auth.language", "api.accounts.token", "api.meta.openapi"}

ROLE_USERS = {
    "police": "police",
    "police_lead": "lead",
    "justice": "justice",
    "approval": "approval",
    "production": "production",
    "supervisor": "supervisor",
    "admin": "admin",
}

# Weaknesses the issue names that later parts of issue 12 fix; each flips to a pass (strict).
NOT_YET = {
    **dict.fromkeys(
        [(f"admin.{e}", "admin") for e in ("user", "update", "set_active", "reset_password")],
        "administrators see users of every province (issue 12: admins scoped to their subtree)",
    ),
    ("api.accounts.revoke", "admin"): "an administrator revokes anyone's tokens (issue 12)",
}


def _declared():
    """(endpoint, method, rule) for every route of a fresh app, as url_map lists them."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    out = []
    for url_rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        rule = getattr(app.view_functions[url_rule.endpoint], "access_rule", None)
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            out.append((url_rule.endpoint, method, rule, url_rule.arguments))
    return out


ROUTES = _declared()


@pytest.mark.no_db
def test_every_route_declares_its_permission():
    undeclared = sorted({endpoint for endpoint, _, rule, _ in ROUTES if not isinstance(rule, access.Rule)})
    assert undeclared == []


@pytest.mark.no_db
def test_only_the_intended_routes_are_public():
    public = {endpoint for endpoint, _, rule, _ in ROUTES if rule is not None and rule.public}
    assert public == PUBLIC


@pytest.mark.no_db
def test_every_route_with_arguments_has_samples_for_the_matrix():
    missing = sorted({endpoint for endpoint, _, _, arguments in ROUTES if arguments and endpoint not in ARGS})
    assert missing == []


MATRIX = [
    (endpoint, method, role)
    for endpoint, method, rule, _ in ROUTES
    if rule is not None and not rule.public
    for role in access.ROLES
]


def _path(app, endpoint, role, scope, samples) -> str | None:
    """The route's URL with arguments in or out of the scope of an officer of `role` (the sample
    objects are made here); None when the route has no out-of-scope object."""
    make = ARGS.get(endpoint)
    view_args = make(samples, scope, role) if make else ({} if scope == IN else None)
    if view_args is None:
        return None
    with app.test_request_context():
        return url_for(endpoint, **view_args)


def _call(app, api, world, endpoint, method, role, path):
    user = getattr(world, ROLE_USERS[role])
    if endpoint.startswith("api."):
        api.token(user)
        return _read(api.call(method, path.removeprefix("/api/v1"), user, json=BODIES.get(endpoint)))
    client = login(app.test_client(), user.username)
    return _read(client.open(path, method=method))


def _read(response):
    """The whole answer read and its file closed (downloads stream from open files)."""
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize(("endpoint", "method", "role"), MATRIX, ids=["-".join(m) for m in MATRIX])
def test_role_by_route(app, api, world, endpoint, method, role, request):
    reason = NOT_YET.get((endpoint, role))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    rule = app.view_functions[endpoint].access_rule
    samples = Samples(world)
    if role not in rule.roles:
        path = _path(app, endpoint, role, IN, samples)
        user = getattr(world, ROLE_USERS[role])
        client = None if endpoint.startswith("api.") else login(app.test_client(), user.username)
        if client is None:
            api.token(user)
        before = snapshot()
        if client is None:
            response = _read(api.call(method, path.removeprefix("/api/v1"), user, json=BODIES.get(endpoint)))
        else:
            response = _read(client.open(path, method=method))
        assert response.status_code == 403
        assert snapshot() == before  # a refused call changes nothing
        return
    if role not in rule.national:
        outside = _path(app, endpoint, role, OUT, samples)
        if outside is not None:
            response = _call(app, api, world, endpoint, method, role, outside)
            assert response.status_code == 404, (response.status_code, response.get_data(as_text=True)[:300])
    response = _call(app, api, world, endpoint, method, role, _path(app, endpoint, role, IN, samples))
    # Let through: never refused. A GET finds its object; a bare POST may miss what its form
    # names (a slot, a colleague: 404), be invalid (400, 422) or late (409).
    refused = (401, 403) if method != "GET" else (401, 403, 404)
    assert response.status_code not in refused, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.status_code < 500
    if response.status_code == 302 and endpoint != "auth.logout":  # never sent to sign in again
        assert "/login" not in response.headers["Location"]


@pytest.mark.parametrize("endpoint", sorted({e for e, _, r, _ in ROUTES if r is not None and not r.public}))
def test_signed_out_visitors_are_refused(app, world, endpoint):
    """Pages send a signed-out visitor to sign in; the API answers 401."""
    method = next(m for e, m, _, _ in ROUTES if e == endpoint)
    make = ARGS.get(endpoint)
    view_args = make(Samples(world), IN, "police") if make else {}
    with app.test_request_context():
        path = url_for(endpoint, **view_args)
    response = _read(app.test_client().open(path, method=method))
    if endpoint.startswith("api."):
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
