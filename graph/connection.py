"""The connection to Neo4j: one driver, read and write transactions, errors translated.

Reads run as managed read transactions with a timeout, so with a ``neo4j://``
URI (a cluster or Aura) they are routed to readers; writes go to the leader.
Every session of one :class:`Graph` shares a bookmark manager, so a read that
follows a write sees it even when a reader serves it (causal consistency).
Driver errors become :class:`GraphUnavailable` or :class:`QueryError` here, at
the edge, and their messages never carry credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, Query
from neo4j import exceptions as neo4j_errors

from valuegraph.errors import GraphUnavailable, QueryError
from valuegraph.graph.server import LocalServer
from valuegraph.settings import Settings

T = TypeVar("T")
Params = Mapping[str, Any]


def resolve_password(settings: Settings) -> str:
    """``NEO4J_PASSWORD``, or the password the local server generated and kept."""
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    if settings.uses_local_server:
        password_file = LocalServer(settings).password_file
        if password_file.exists():
            return password_file.read_text().strip()
        raise GraphUnavailable(
            "no Neo4j password: start the local server first (valuegraph neo4j start) "
            "or set NEO4J_PASSWORD"
        )
    raise GraphUnavailable("NEO4J_URI is set but NEO4J_PASSWORD is not")


class Graph:
    """A driver bound to one database, with the few operations every layer needs."""

    def __init__(self, driver: Driver, database: str, timeout: float, uri: str) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.uri = uri
        # Without it each session starts from no bookmark, and a cluster's reader may answer a
        # read before it has applied the write this process just committed.
        self.bookmarks = GraphDatabase.bookmark_manager()

    def session(self, **config: Any) -> neo4j.Session:
        """A session on this graph's database, causally after everything this graph wrote."""
        return self.driver.session(
            database=self.database, bookmark_manager=self.bookmarks, **config
        )

    @classmethod
    def connect(cls, settings: Settings, *, verify: bool = True) -> Graph:
        """Open a driver for ``settings``; with ``verify``, fail now if Neo4j does not answer."""
        uri = settings.resolved_uri
        auth = (settings.neo4j_user, resolve_password(settings))
        driver = GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=10.0,
            max_connection_pool_size=64,
            # A graph without a taxonomy yet has no IN_CLUSTER type; queries that name it are
            # still right, so the server's "unknown relationship type" notices are noise.
            notifications_disabled_classifications=[
                neo4j.NotificationDisabledClassification.UNRECOGNIZED
            ],
        )
        graph = cls(driver, settings.neo4j_database, settings.neo4j_query_timeout, uri)
        if verify:
            try:
                driver.verify_connectivity()
            except Exception as exc:
                driver.close()
                raise translate(exc, f"Neo4j at {uri}") from None
        return graph

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads ---------------------------------------------------------------------------
    def read(self, query: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Run a read query in a read transaction; return its records as dicts."""

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, dict(params or {}))]

        return self.read_tx(work)

    def read_tx(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in a managed read transaction with the configured timeout."""
        timed = neo4j.unit_of_work(timeout=self.timeout)(work)
        try:
            with self.session() as session:
                return session.execute_read(timed)
        except Exception as exc:
            raise translate(exc, "read") from exc

    @contextmanager
    def stream(self, query: str, params: Params | None = None) -> Iterator[Iterator[neo4j.Record]]:
        """Yield records one by one, for results too large to hold (exports)."""
        try:
            with (
                self.session(default_access_mode=neo4j.READ_ACCESS) as session,
                session.begin_transaction(timeout=None) as tx,
            ):
                yield iter(tx.run(query, dict(params or {})))
        except Exception as exc:
            raise translate(exc, "read") from exc

    # --- writes --------------------------------------------------------------------------
    def write(self, query: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Run a write query in a managed write transaction (retried on transient errors)."""

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, dict(params or {}))]

        return self.write_tx(work)

    def write_tx(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        try:
            with self.session() as session:
                return session.execute_write(work)
        except Exception as exc:
            raise translate(exc, "write") from exc

    def run_autocommit(self, query: str, params: Params | None = None) -> None:
        """For statements a managed transaction cannot run (schema, CALL IN TRANSACTIONS)."""
        try:
            with self.session() as session:
                session.run(Query(query), dict(params or {})).consume()
        except Exception as exc:
            raise translate(exc, "write") from exc


def translate(exc: BaseException, what: str) -> Exception:
    """Map a driver error onto our hierarchy, with a message fit for a user."""
    if isinstance(exc, GraphUnavailable | QueryError):
        return exc
    if isinstance(exc, neo4j_errors.AuthError):
        return GraphUnavailable(
            f"{what}: Neo4j refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)"
        )
    if isinstance(exc, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return GraphUnavailable(f"{what}: Neo4j is not reachable ({type(exc).__name__})")
    if isinstance(exc, neo4j_errors.ClientError):
        code = exc.code or "Neo.ClientError"
        if "TransactionTimedOut" in code or "Timeout" in code:
            return QueryError(f"{what}: the query timed out")
        return QueryError(f"{what}: {exc.message or code}")
    if isinstance(exc, neo4j_errors.Neo4jError):
        return QueryError(f"{what}: {exc.code or type(exc).__name__}")
    if isinstance(exc, neo4j_errors.DriverError):
        return GraphUnavailable(f"{what}: {type(exc).__name__}")
    return QueryError(f"{what}: {type(exc).__name__}: {exc}")
