"""Restored workflows kept between commands, so a command on a case this process touched recently
skips restoring its state (the largest part of a command's engine time).

The key is chosen by the caller and must change whenever the stored state changes: the app uses
the case, its version, its spec version and a digest of the stored state, so an entry can never
stand for another state than the one in the database. A command *takes* its entry out (one user
at a time, also across threads) and the caller puts the advanced workflow back under the new key
only once the new state is committed; a command that fails leaves nothing behind.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable


class WorkflowCache:
    """A bounded map of key -> restored workflow; the least recently used goes first."""

    def __init__(self, size: int = 500):
        self.size = max(0, size)
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def take(self, key: Hashable):
        """The workflow stored under `key`, removed from the cache; None on a miss."""
        with self._lock:
            workflow = self._items.pop(key, None)
            if workflow is None:
                self.misses += 1
            else:
                self.hits += 1
            return workflow

    def put(self, key: Hashable, workflow) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._items[key] = workflow
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0
