"""How resolvers get their data: per-request batch loaders, and per-process analysis results.

Batch loaders: every related list in a response costs one query, not one per row.

A resolver asks a loader for one key and gets a :class:`SyncFuture`; the execution context
(graphql-sync-dataloaders' ``DeferredExecutionContext``) runs each loader's batch once the
sibling resolvers have all asked, so a page of 100 values with their clusters is two queries.
Loaders live in the request's context and die with it: nothing is cached across requests, so a
reload of the graph is visible at once.

graphql-sync-dataloaders lets an exception from a batch function escape the whole operation;
:class:`BatchLoader` turns it into a failure of each key instead, so the error lands on the
fields that asked (as a GraphQL error with a path) and the rest of the response survives.

Analysis results (:class:`Analyses`: the app's ``AnalysisSession`` over a memo) are the other
way round: an analysis counts over the whole corpus, so what it counted and its result are kept
for every later request until the graph changes.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import GraphQLError, GraphQLOutputType, OperationDefinitionNode, is_non_null_type
from graphql.pyutils import Path
from graphql_sync_dataloaders import DeferredExecutionContext, SyncDataLoader, SyncFuture

from valuegraph.graph.connection import Graph
from valuegraph.queries import catalog
from valuegraph.queries.catalog import (
    ClusterInfo,
    ConversationInfo,
    CountedItem,
    IdPage,
    Link,
    LinkKind,
)
from valuegraph.queries.materialize import Materialization, current_materialization
from valuegraph.queries.memo import GraphMemo
from valuegraph.queries.results import AssociationResult
from valuegraph.queries.session import AnalysisSession

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)


class BatchedExecutionContext(DeferredExecutionContext):
    """graphql-sync-dataloaders' execution context, fitted to graphql-core 3.2.14 and later.

    graphql-core 3.2.14 added a ``path`` argument to ``handle_field_error``; the deferred
    context still calls it without one, which turned every field error inside a batch into a
    crash of the whole request. The path is rebuilt from the error's own path list instead.

    An error in a non-null field cannot bubble up to a nullable parent once the field's value
    came from a batch: the deferred context completes it in a future's callback, where the
    raise is lost and the parents' futures never finish ("deferred execution failed to
    complete"). Such errors are noted, and if the operation then cannot finish, its answer is
    what a null bubbled to the root gives: no data, and the errors.
    """

    def execute_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
        self._non_null_errors: list[GraphQLError] = []
        try:
            return super().execute_operation(operation, root_value)
        except RuntimeError:
            if not self._non_null_errors:
                raise
            # graphql-core's execute() answers a GraphQLError from here with data null.
            raise self._non_null_errors[0] from None

    def handle_field_error(
        self, error: GraphQLError, return_type: GraphQLOutputType, path: Path | None = None
    ) -> None:
        if path is None:
            for key in error.path or ():
                path = Path(path, key, None)
        if is_non_null_type(return_type):
            self._non_null_errors.append(error)
        super().handle_field_error(error, return_type, path)


class BatchLoader(SyncDataLoader, Generic[K, V]):
    """A sync DataLoader over ``fetch(keys) -> {key: value}``; a missing key loads ``default``."""

    def __init__(self, fetch: Callable[[list[K]], Mapping[K, V]], default: V | None = None):
        def batch(keys: list[K]) -> list[V | Exception | None]:
            try:
                found = fetch(list(dict.fromkeys(keys)))
            except Exception as exc:
                return [exc] * len(keys)
            return [found.get(key, default) for key in keys]

        super().__init__(batch)

    def load(self, key: K) -> SyncFuture:
        return super().load(key)


def grouped(fetch: Callable[[G, list[K]], Mapping[K, V]]) -> Callable[[list[tuple[G, K]]], Any]:
    """Batch ``(group, key)`` pairs: one ``fetch(group, keys)`` per distinct group.

    For lists whose query takes arguments shared by a batch (page size, cursor), so that
    ``tasks(top: 5)`` on fifty values is one query, and a different ``top`` another.
    """

    def fetch_all(pairs: list[tuple[G, K]]) -> dict[tuple[G, K], V]:
        by_group: dict[G, list[K]] = defaultdict(list)
        for group, key in pairs:
            by_group[group].append(key)
        found: dict[tuple[G, K], V] = {}
        for group, keys in by_group.items():
            for key, value in fetch(group, keys).items():
                found[(group, key)] = value
        return found

    return fetch_all


def then(future: SyncFuture, transform: Callable[[Any], Any]) -> SyncFuture:
    """A future of ``transform(result)``; it keeps the source's dispatch hook, so it still fires."""
    chained = SyncFuture()
    chained.deferred_callback = future.deferred_callback

    def finish() -> None:
        try:
            chained.set_result(transform(future.result()))
        except Exception as exc:
            chained.set_exception(exc)

    if future.done():
        finish()
    else:
        future.add_done_callback(finish)
    return chained


def gather(futures: Sequence[SyncFuture]) -> SyncFuture:
    """A future of the list of results of ``futures`` (in order)."""
    combined = SyncFuture()
    hooks = [f.deferred_callback for f in futures if f.deferred_callback is not None]
    if hooks:

        def dispatch_all() -> None:
            for hook in hooks:
                hook()

        combined.deferred_callback = dispatch_all
    pending = [f for f in futures if not f.done()]

    def finish() -> None:
        if combined.done() or any(not f.done() for f in futures):
            return
        try:
            combined.set_result([f.result() for f in futures])
        except Exception as exc:
            combined.set_exception(exc)

    for future in pending:
        future.add_done_callback(finish)
    finish()
    return combined


@dataclass(frozen=True)
class PageKey:
    """The arguments a batch of conversation pages shares."""

    first: int
    after: str | None


class Loaders:
    """The loaders of one request, all over the same graph."""

    def __init__(self, graph: Graph, k: int) -> None:
        self.graph = graph
        self.k = k
        self.value_sides: BatchLoader[str, catalog.ValueSides] = BatchLoader(
            lambda keys: catalog.value_sides(graph, keys)
        )
        self.value_ancestors: BatchLoader[str, tuple[ClusterInfo, ...]] = BatchLoader(
            lambda keys: catalog.value_ancestors(graph, keys), default=()
        )
        self.cluster: BatchLoader[str, ClusterInfo] = BatchLoader(
            lambda ids: {c.id: c for c in catalog.clusters(graph, ids=ids)}
        )
        self.cluster_children: BatchLoader[str, tuple[ClusterInfo, ...]] = BatchLoader(
            lambda ids: catalog.cluster_children(graph, ids), default=()
        )
        self.cluster_ancestors: BatchLoader[str, tuple[ClusterInfo, ...]] = BatchLoader(
            lambda ids: catalog.cluster_ancestors(graph, ids), default=()
        )
        self.task: BatchLoader[str, CountedItem] = BatchLoader(
            lambda keys: catalog.tasks_by_key(graph, keys)
        )
        self.conversation: BatchLoader[str, ConversationInfo] = BatchLoader(
            lambda ids: catalog.conversations_by_id(graph, ids)
        )
        self.value_conversations: BatchLoader[tuple[tuple[catalog.Role, PageKey], str], IdPage] = (
            BatchLoader(
                grouped(
                    lambda group, keys: catalog.value_conversations(
                        graph, group[0], keys, group[1].first, group[1].after
                    )
                )
            )
        )
        self.task_conversations: BatchLoader[tuple[PageKey, str], IdPage] = BatchLoader(
            grouped(
                lambda page, keys: catalog.task_conversations(graph, keys, page.first, page.after)
            )
        )
        self.links: BatchLoader[tuple[LinkQuery, str], tuple[Link, ...]] = BatchLoader(
            grouped(
                lambda q, keys: catalog.links(
                    graph, q.kind, q.from_value, keys, q.floor, q.limit, q.order
                )
            ),
            default=(),
        )


@dataclass(frozen=True)
class LinkQuery:
    """The arguments a batch of materialised-link lookups shares."""

    kind: LinkKind
    from_value: bool
    floor: int
    limit: int
    order: str  # RESIDUAL or COUNT


# --- analyses, kept per process until the graph changes ------------------------------------


class Analyses:
    """The app's one analysis session (``queries.session.AnalysisSession``) over its graph.

    Every result is the session's, so it is what ``queries.analyses`` answers for the same
    arguments: the API assembles no analysis of its own. The session's memo is the app's
    ``store``, so a counted table is read once for every request and field that rests on it
    (asking about another value or task costs statistics, not another pass over the corpus).
    """

    def __init__(self, store: GraphMemo, k: int) -> None:
        self.store = store
        self.k = k
        self._session: AnalysisSession | None = None
        self._lock = threading.Lock()

    def session(self, graph: Graph) -> AnalysisSession:
        """The session over ``graph``; a new one (same memo) only after the app reconnected."""
        with self._lock:
            if self._session is None or self._session.graph is not graph:
                self._session = AnalysisSession(graph, self.k, self.store)
            return self._session

    def check_model(self, graph: Graph, model: str | None) -> None:
        self.session(graph).check_model(model)

    def associations(self, graph: Graph, **arguments: Any) -> AssociationResult[Any]:
        """``queries.analyses.associations(graph, **arguments)``, from the shared table."""
        return self.session(graph).associations(**arguments)

    def run(self, graph: Graph, analysis: Callable[..., V], **arguments: Any) -> V:
        """Any function of ``queries.analyses``, answered by the session with the app's k."""
        result: V = self.session(graph).run(analysis, **arguments)
        return result

    def materialization(self, graph: Graph) -> Materialization | None:
        return self.store.get(graph, ("materialization",), lambda: current_materialization(graph))
