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

Analysis results (:class:`Analyses` over an :class:`AnalysisStore`) are the other way round:
an analysis counts over the whole corpus, so its result is kept for every later request until
the graph changes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import GraphQLError, GraphQLOutputType, OperationDefinitionNode, is_non_null_type
from graphql.pyutils import Path
from graphql_sync_dataloaders import DeferredExecutionContext, SyncDataLoader, SyncFuture

from valuegraph.graph.connection import Graph
from valuegraph.queries import catalog
from valuegraph.queries.associations import DEFAULT_MIN_COUNT, association_table
from valuegraph.queries.associations import _check_arguments as check_association_arguments
from valuegraph.queries.catalog import (
    ClusterInfo,
    ConversationInfo,
    CountedItem,
    IdPage,
    Link,
    LinkKind,
)
from valuegraph.queries.counting import ConversationFilter, Levels, check_model, read_co_occurrence
from valuegraph.queries.materialize import Materialization, current_materialization
from valuegraph.queries.results import AssociationKind, AssociationResult

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


class AnalysisStore:
    """Analysis results kept across requests, dropped when the graph changes.

    An analysis counts over the whole corpus (seconds at paper scale) to answer with a small
    table; the same question asked again is answered from here. The graph's fingerprint (count
    store counts and the materialisation's generation: one constant-time query) is checked at
    most every ``recheck_seconds``, and any change drops every entry; entries also expire after
    ``max_age_seconds``, which catches a re-ingest that happens to leave every count unchanged.
    Concurrent requests for the same missing entry wait for a single computation.
    """

    def __init__(
        self,
        recheck_seconds: float,
        max_age_seconds: float,
        max_entries: int = 512,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recheck_seconds = recheck_seconds
        self.max_age_seconds = max_age_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._fingerprint: tuple[Any, ...] | None = None
        self._checked_at = float("-inf")
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
        """The entry for ``key``, computed now if missing; ``keep`` can refuse to store it."""
        self._revalidate(graph)
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

    def _revalidate(self, graph: Graph) -> None:
        if self._clock() - self._checked_at < self.recheck_seconds:
            return
        with self._check_lock:  # one thread asks Neo4j; the others use what it found
            if self._clock() - self._checked_at < self.recheck_seconds:
                return
            current = catalog.fingerprint(graph)
            with self._lock:
                self._checked_at = self._clock()
                if current != self._fingerprint:
                    self._fingerprint = current
                    self._entries.clear()
                    self._generation += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            self._checked_at = float("-inf")


class Analyses:
    """The analyses of ``queries.analyses``, answered through an :class:`AnalysisStore`.

    Every result is the analysis function's own. ``associations`` shares one counted table
    among all questions about the same kind, levels and model, and hands it to the analysis'
    pure half (``association_table``), so asking about another value or task costs statistics,
    not another pass over the corpus.
    """

    def __init__(self, store: AnalysisStore, k: int) -> None:
        self.store = store
        self.k = k

    def check_model(self, graph: Graph, model: str | None) -> None:
        if model is not None:
            self.store.get(graph, ("model", model), lambda: check_model(graph, model))

    def associations(self, graph: Graph, **arguments: Any) -> AssociationResult[Any]:
        """``queries.analyses.associations(graph, **arguments)``, from the shared table."""
        key = ("associations", self.k, *sorted(arguments.items()))
        return self.store.get(graph, key, lambda: self._associations(graph, **arguments))

    def _associations(
        self,
        graph: Graph,
        *,
        kind: AssociationKind,
        value_level: int = 0,
        task_level: int = 0,
        model: str | None = None,
        min_count: int = DEFAULT_MIN_COUNT,
        value: str | None = None,
        task: str | None = None,
        human_value: str | None = None,
        response_type: str | None = None,
        alpha: float | None = None,
        top: int | None = None,
    ) -> AssociationResult[Any]:
        # The steps of queries.associations.associations, with the read shared.
        partner = check_association_arguments(
            kind, task_level, min_count, alpha, top, task, human_value, response_type
        )
        levels = Levels(value_level=value_level, task_level=task_level)
        self.check_model(graph, model)
        table = self.store.get(
            graph,
            ("co-occurrence", kind, levels, model),
            lambda: read_co_occurrence(graph, kind, ConversationFilter(model=model), levels),
        )
        return association_table(
            table,
            kind=kind,
            levels=levels,
            min_count=min_count,
            value=value,
            partner=partner,
            alpha=alpha,
            top=top,
            min_conversations=self.k,
        )

    def run(self, graph: Graph, analysis: Callable[..., V], **arguments: Any) -> V:
        """Any other analysis function, called with k and kept until the graph changes."""
        key = (analysis.__module__, analysis.__name__, self.k, *sorted(arguments.items()))
        return self.store.get(
            graph, key, lambda: analysis(graph, min_conversations=self.k, **arguments)
        )

    def materialization(self, graph: Graph) -> Materialization | None:
        return self.store.get(graph, ("materialization",), lambda: current_materialization(graph))
