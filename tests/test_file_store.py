"""The file store every node shares: what one node writes, another reads; a file is whole or
absent; a key cannot reach outside the store's directory."""

import pytest

from webapp.services.file_store import LocalStore

pytestmark = pytest.mark.no_db


def test_what_one_node_stores_another_reads(tmp_path):
    shared = tmp_path / "uploads"
    node_a, node_b = LocalStore(shared), LocalStore(shared)
    assert not node_b.exists("portraits/ab/abc.jpg")
    node_a.put("portraits/ab/abc.jpg", b"\xff\xd8 portrait")
    assert node_b.exists("portraits/ab/abc.jpg")
    assert node_b.get("portraits/ab/abc.jpg") == b"\xff\xd8 portrait"


def test_a_failed_write_leaves_no_file_and_no_part(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)

    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        store.put("portraits/cd/cde.png", b"png")
    assert not store.exists("portraits/cd/cde.png")
    assert list((tmp_path / "portraits" / "cd").iterdir()) == []


@pytest.mark.parametrize("key", ["../secret_key", "portraits/../../etc/passwd", "/etc/passwd"])
def test_a_key_outside_the_store_is_refused(tmp_path, key):
    store = LocalStore(tmp_path / "uploads")
    with pytest.raises(ValueError, match="outside the store"):
        store.put(key, b"x")
    with pytest.raises(ValueError, match="outside the store"):
        store.get(key)
