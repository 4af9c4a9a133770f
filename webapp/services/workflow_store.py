"""Where services get the engine, store spec versions once, pack workflow state, and keep
restored workflows in the engine's cache once their state is committed."""

import hashlib
import zlib
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows import Engine, Outcome, SpecBundle, load_bundle, load_directory

from ..models import ProcessSpec, db

EXTENSION = "case_engine"


def init_app(app: Flask) -> None:
    """Load and validate every diagram at start-up: a broken diagram stops the app here."""
    app.extensions[EXTENSION] = Engine(
        load_directory(app.config["BPMN_DIR"]), cache_size=app.config.get("WORKFLOW_CACHE_SIZE", 500)
    )


def engine() -> Engine:
    return current_app.extensions[EXTENSION]


def current_version() -> str:
    """The version new cases start on, stored once in process_specs."""
    bundle = engine().current
    # The key only: the row's sources (every diagram, tens of kB) are not needed to know it is there.
    stored = db.session.scalar(select(ProcessSpec.version).where(ProcessSpec.version == bundle.version))
    if stored is None:
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
    # Level 1: a few per cent larger than the default level, several times faster, on every command.
    return zlib.compress(state.encode("utf-8"), 1)


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


# --- the cache of restored workflows ----------------------------------------------------------
# An entry is keyed by the case, its version, its spec version and a digest of the stored state:
# a case another process changed, a changed diagram version, even a database restored from a
# backup, all give another key, so a stale workflow is never used.


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def cache_key(case) -> tuple:
    return (case.id, case.version, case.spec_version, _digest(case.state))


def workflow_of(case) -> tuple[str, Callable[[], str], tuple]:
    """What the engine needs for a command on a case: its spec version (loaded), its state (read
    and decompressed only when the workflow is not in the cache) and its cache key."""
    bundle_for(case.spec_version)
    blob = case.state
    return case.spec_version, lambda: unpack(blob), cache_key(case)


_PENDING = "workflows_to_keep"


def keep_after_commit(case, outcome: Outcome, blob: bytes) -> None:
    """Put the outcome's workflow in the cache once the transaction that stores `blob` (its
    packed state) as the case's state commits; nothing if it rolls back."""
    db.session.info.setdefault(_PENDING, {})[id(case)] = [engine(), case, outcome, blob, None]


@event.listens_for(Session, "after_flush_postexec")
def _note_keys(session, _flush_context) -> None:
    # The version column is bumped by the flush: the key is known only now.
    for entry in session.info.get(_PENDING, {}).values():
        _eng, case, _outcome, blob, _key = entry
        entry[4] = cache_key(case) if case.state is blob else None


@event.listens_for(Session, "after_commit")
def _keep(session) -> None:
    for eng, _case, outcome, _blob, key in session.info.pop(_PENDING, {}).values():
        if key is not None:
            eng.keep(key, outcome)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_PENDING, None)
