"""Where services get the engine, store spec versions once, and pack workflow state."""

import zlib

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflows import Engine, SpecBundle, load_bundle, load_directory

from ..models import ProcessSpec, db

EXTENSION = "case_engine"


def init_app(app: Flask) -> None:
    """Load and validate every diagram at start-up: a broken diagram stops the app here."""
    app.extensions[EXTENSION] = Engine(load_directory(app.config["BPMN_DIR"]))


def engine() -> Engine:
    return current_app.extensions[EXTENSION]


def current_version() -> str:
    """The version new cases start on, stored once in process_specs."""
    bundle = engine().current
    if db.session.get(ProcessSpec, bundle.version) is None:
        try:
            with db.session.begin_nested():  # another process may store it at the same moment
                db.session.add(ProcessSpec(version=bundle.version, sources=bundle.sources))
        except IntegrityError:
            pass
    return bundle.version


def bundle_for(version: str) -> SpecBundle:
    """The bundle a case is pinned to; older versions are parsed from their stored sources once."""
    eng = engine()
    if not eng.has_version(version):
        sources = db.session.scalar(select(ProcessSpec.sources).where(ProcessSpec.version == version))
        if sources is None:
            raise LookupError(f"spec version {version} is not stored")
        eng.add_bundle(load_bundle(sources))
    return eng.bundle(version)


def pack(state: str) -> bytes:
    return zlib.compress(state.encode("utf-8"), 6)


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")
