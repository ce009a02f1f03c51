"""A memo valid for one state of the graph: entries are dropped when its fingerprint changes.

Counting over the whole corpus takes seconds at paper scale and answers with a small table, so
an analysis session keeps what it read (and what it computed from that) under a key saying what
was counted. Whether the graph changed is asked of :func:`queries.fingerprint.graph_fingerprint`
at most every ``recheck_seconds``; any change drops every entry. Entries also expire after
``max_age_seconds``, which catches a re-ingest that happens to leave every count unchanged.
Concurrent callers asking for the same missing entry wait for one computation.

The defaults suit a session that lives for one command or one report: the fingerprint is read
once, at the first entry, and nothing expires. The API passes its own intervals.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from valuegraph.graph.connection import Graph
from valuegraph.queries.fingerprint import Fingerprint, graph_fingerprint

V = TypeVar("V")
FOREVER = float("inf")


class GraphMemo:
    """Entries by key, kept while the graph's fingerprint stays what it was when they were made."""

    def __init__(
        self,
        recheck_seconds: float = FOREVER,
        max_age_seconds: float = FOREVER,
        max_entries: int = 512,
        clock: Callable[[], float] = time.monotonic,
        fingerprint: Callable[[Graph], Fingerprint] = graph_fingerprint,
    ) -> None:
        self.recheck_seconds = recheck_seconds
        self.max_age_seconds = max_age_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._read_fingerprint = fingerprint
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._fingerprint: Fingerprint | None = None
        self._checked_at = -FOREVER
        self._generation = 0  # bumped on every drop, so a result of old data is not stored
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()

    def get(
        self,
        graph: Graph,
        key: Hashable,
        compute: Callable[[], V],
        keep: Callable[[V], bool] | None = None,
    ) -> V:
        """The entry for ``key``, computed now if missing; ``keep`` can refuse to store it.

        A ``compute`` that raises stores nothing: the next caller tries again.
        """
        self.revalidate(graph)
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and self._clock() - entry[0] <= self.max_age_seconds:
                    self._entries.move_to_end(key)
                    return entry[1]
                waiting = self._pending.get(key)
                if waiting is None:
                    self._pending[key] = threading.Event()
                    generation = self._generation
            if waiting is None:
                return self._compute(key, compute, generation, keep)
            waiting.wait()  # then look again; if that computation failed, this one retries

    def fingerprint(self, graph: Graph) -> Fingerprint:
        """The fingerprint the entries belong to (read now if the recheck interval has passed)."""
        self.revalidate(graph)
        with self._lock:
            assert self._fingerprint is not None  # revalidate read it at least once
            return self._fingerprint

    def revalidate(self, graph: Graph) -> None:
        """Read the fingerprint if it is due, and drop every entry if it changed."""
        if self._clock() - self._checked_at < self.recheck_seconds:
            return
        with self._check_lock:  # one thread asks Neo4j; the others use what it found
            if self._clock() - self._checked_at < self.recheck_seconds:
                return
            current = self._read_fingerprint(graph)
            with self._lock:
                self._checked_at = self._clock()
                if current != self._fingerprint:
                    self._fingerprint = current
                    self._drop()

    def clear(self) -> None:
        """Drop every entry and read the fingerprint again at the next use."""
        with self._lock:
            self._drop()
            self._checked_at = -FOREVER

    def _compute(
        self,
        key: Hashable,
        compute: Callable[[], V],
        generation: int,
        keep: Callable[[V], bool] | None,
    ) -> V:
        try:
            value = compute()
            with self._lock:
                if generation == self._generation and (keep is None or keep(value)):
                    self._entries[key] = (self._clock(), value)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def _drop(self) -> None:
        # Called with self._lock held.
        self._entries.clear()
        self._generation += 1
