"""HTTP views. The web UI (inboxes, task pages) and the JSON API grow here."""

from flask import Flask

from . import health


def init_app(app: Flask) -> None:
    app.register_blueprint(health.bp)
