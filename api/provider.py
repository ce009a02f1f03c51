"""The app's one Neo4j driver and its per-process memos, made on first use.

The driver reconnects by itself, so the app starts while Neo4j is down, answers "database not
reachable" meanwhile, and recovers on its own once Neo4j is back; no restart is needed. Answers
are kept, by request text and variables, until the graph changes (the same fingerprint check
as the analyses' memo, at most every ``cache_recheck_seconds``);
``VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES=0`` turns that off.
"""

from __future__ import annotations

import threading

from neo4j import GraphDatabase

from valuegraph.api.loaders import Analyses
from valuegraph.api.settings import ApiLimits
from valuegraph.errors import GraphUnavailable, ValuegraphError
from valuegraph.graph.connection import Graph, resolve_password
from valuegraph.queries.memo import GraphMemo
from valuegraph.settings import Settings

# A dead Neo4j should cost a request about a second, not the driver's default 30 s of retries.
RETRY_SECONDS = 1.0
CONNECT_SECONDS = 5.0


class GraphProvider:
    """One driver per app, made on first use (so the app starts while Neo4j is down)."""

    def __init__(self, settings: Settings, limits: ApiLimits) -> None:
        self.settings = settings
        self.limits = limits
        self._graph: Graph | None = None
        self._lock = threading.Lock()
        store = GraphMemo(limits.cache_recheck_seconds, limits.cache_max_age_seconds)
        self.analyses = Analyses(store, settings.min_conversations)
        # Whole answers, by request, until the graph changes: dashboards repeat themselves.
        self.responses = (
            GraphMemo(
                limits.cache_recheck_seconds,
                limits.cache_max_age_seconds,
                max_entries=limits.response_cache_entries,
            )
            if limits.response_cache_entries
            else None
        )

    def get(self) -> Graph:
        if self._graph is None:
            with self._lock:
                if self._graph is None:
                    self._graph = self._connect()
        return self._graph

    def _connect(self) -> Graph:
        settings = self.settings
        uri = settings.resolved_uri
        try:
            driver = GraphDatabase.driver(
                uri,
                auth=(settings.neo4j_user, resolve_password(settings)),
                connection_timeout=CONNECT_SECONDS,
                connection_acquisition_timeout=self.limits.query_timeout,
                max_transaction_retry_time=RETRY_SECONDS,
                max_connection_pool_size=max(64, 2 * self.limits.threads),
                notifications_min_severity="OFF",
            )
        except ValuegraphError:
            raise
        except Exception as exc:
            raise GraphUnavailable(f"cannot open a driver for {uri}: {type(exc).__name__}") from exc
        return Graph(driver, settings.neo4j_database, self.limits.query_timeout, uri)

    def close(self) -> None:
        with self._lock:
            if self._graph is not None:
                self._graph.close()
                self._graph = None
