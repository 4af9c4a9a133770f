"""Flask application factory for the card-issuance case system."""

import logging
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine as SAEngine

from . import cli, config, i18n, labels, views, web
from .models import db
from .services import hooks, uow, workflow_store

migrate = Migrate()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    uow.engine_options(app)
    db.init_app(app)
    uow.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True)
    workflow_store.init_app(app)
    hooks.install()
    i18n.init_app(app)
    web.init_app(app)
    labels.init_app(app)
    cli.init_app(app)
    views.init_app(app)
    return app


@event.listens_for(SAEngine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL so readers never wait for the writer; foreign keys on; wait for locks, not fail."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: inbox joins stay in memory
        cursor.close()
