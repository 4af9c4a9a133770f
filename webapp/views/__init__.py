"""HTTP views: thin, always load → check access → call a service → render or redirect.

One package per capability, mirroring webapp/services/; one blueprint per module, named like its
file. Every blueprint is registered here, in this one list.
"""

from flask import Flask

from ..services import access
from ..web import allow
from . import api, errors, health
from .accounts import access_log, admin, auth
from .cases import cases, inbox, tasks
from .cooperation import cooperation
from .messaging import outbox
from .production import batches
from .residents import corrections, imports, listing
from .stations import bookings, stations
from .supervision import progress, stuck
from .visits import visits
from .vneid import vneid

BLUEPRINTS = (
    health.bp,
    auth.bp,
    admin.bp,
    inbox.bp,
    tasks.bp,
    cases.bp,
    imports.bp,
    listing.bp,
    corrections.bp,
    cooperation.bp,
    visits.bp,
    vneid.bp,
    stations.bp,
    bookings.bp,
    batches.bp,
    progress.bp,
    stuck.bp,
    outbox.bp,
    access_log.bp,
    api.bp,
)


def init_app(app: Flask) -> None:
    auth.init_app(app)  # the login manager
    errors.init_app(app)  # error pages and JSON errors
    api.init_app(app)  # bearer tokens instead of CSRF
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # Flask's own static files: public on purpose, declared like every other route.
    app.view_functions["static"] = allow(access.PUBLIC)(app.view_functions["static"])
