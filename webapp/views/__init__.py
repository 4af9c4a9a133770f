"""HTTP views: thin, always load → check access → call a service → render or redirect."""

from flask import Flask

from . import admin, api, auth, cases, errors, health, imports, inbox, listing, stations, task_pages


def init_app(app: Flask) -> None:
    auth.init_app(app)
    errors.init_app(app)
    api.init_app(app)
    for module in (health, inbox, task_pages, cases, admin, imports, listing, stations):
        app.register_blueprint(module.bp)
    app.register_blueprint(__import__("webapp.views.outbox", fromlist=["_"]).bp)
    app.register_blueprint(__import__("webapp.views.batches", fromlist=["_"]).bp)
    app.register_blueprint(__import__("webapp.views.progress", fromlist=["_"]).bp)
    app.register_blueprint(__import__("webapp.views.stuck", fromlist=["_"]).bp)
