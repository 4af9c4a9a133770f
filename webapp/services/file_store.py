"""Where files kept outside the database live (portraits, by SHA-256): a small interface with a
local default, so that every node of a deployment reads what another wrote.

`LocalStore` keeps files under UPLOAD_DIR; several nodes share it when UPLOAD_DIR is one
directory they all mount (NFS or similar). A store for an S3-compatible service (MinIO, Ceph)
implements the same three methods (`exists`, `put`, `get`, keys like `portraits/ab/ab12....jpg`)
and is chosen in `file_store()`; nothing else changes. Resident import files are streamed to
UPLOAD_DIR/imports/ and read back by the worker, so they need the shared directory too.
"""

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app


class FileStore(Protocol):
    def exists(self, key: str) -> bool: ...

    def put(self, key: str, data: bytes) -> None:
        """Store whole or not at all: a reader never sees part of a file."""

    def get(self, key: str) -> bytes: ...


class LocalStore:
    """Files in a directory; a file appears whole or not at all (written aside, then renamed,
    which is atomic on one file system, NFS included)."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"file key outside the store: {key!r}")
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()


def file_store() -> FileStore:
    return LocalStore(Path(current_app.config["UPLOAD_DIR"]))
