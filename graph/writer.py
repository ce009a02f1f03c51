"""Batched writers: records and the taxonomy into the graph, as ``UNWIND $rows`` transactions.

A batch is one transaction. Within it a conversation is merged, its outgoing
relationships are deleted and written anew, so a second record with the same
``conversation_id`` replaces the first, and re-ingesting a file changes nothing.
The statement text is :mod:`graph.statements`'.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from valuegraph.domain import ExtractedRecord
from valuegraph.graph import statements
from valuegraph.graph.connection import Graph
from valuegraph.graph.rows import RecordRows, conversation_parameters, record_rows


@dataclass
class LoadStats:
    """What a load wrote: conversations and relationships, and how long it took."""

    conversations: int = 0
    relationships: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def conversations_per_second(self) -> float:
        return self.conversations / self.seconds if self.seconds else 0.0

    @property
    def relationships_per_second(self) -> float:
        return self.relationships / self.seconds if self.seconds else 0.0


@dataclass
class _KnownNodes:
    """Keys merged earlier in this load, so each node is merged once, not once per mention."""

    tasks: set[str] = field(default_factory=set)
    ai_values: set[str] = field(default_factory=set)
    human_values: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)


def _new_nodes(batch: list[RecordRows], known: _KnownNodes) -> dict[str, list[dict[str, str]]]:
    """The nodes this batch mentions that no earlier batch did, first-seen name wins."""
    tasks: dict[str, str] = {}
    ai_values: dict[str, str] = {}
    human_values: dict[str, str] = {}
    models: dict[str, str] = {}
    for rows in batch:
        if rows.task_key not in known.tasks:
            tasks.setdefault(rows.task_key, rows.task_name)
        for key, (name, _) in rows.ai_values.items():
            if key not in known.ai_values:
                ai_values.setdefault(key, name)
        for key, name in rows.human_values.items():
            if key not in known.human_values:
                human_values.setdefault(key, name)
        if rows.model is not None and rows.model not in known.models:
            models.setdefault(rows.model, rows.model)
    known.tasks.update(tasks)
    known.ai_values.update(ai_values)
    known.human_values.update(human_values)
    known.models.update(models)
    return {
        statements.MERGE_TASKS: [{"key": k, "name": n} for k, n in tasks.items()],
        statements.MERGE_AI_VALUES: [{"key": k, "name": n} for k, n in ai_values.items()],
        statements.MERGE_HUMAN_VALUES: [{"key": k, "name": n} for k, n in human_values.items()],
        statements.MERGE_MODELS: [{"name": n} for n in models.values()],
    }


def _batches(records: Iterable[ExtractedRecord], size: int) -> Iterator[list[ExtractedRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        # Within a batch the last record of an id wins, as it would across batches.
        yield list({record.conversation_id: record for record in batch}.values())


def load_records(
    graph: Graph,
    records: Iterable[ExtractedRecord],
    *,
    batch_size: int = 5000,
    store_text: bool = False,
    workers: int = 2,
    on_batch: Callable[[LoadStats], None] | None = None,
) -> LoadStats:
    """Write ``records`` in batches, ``workers`` transactions at a time.

    The records are streamed: at most ``workers + 1`` batches are held at once. Each
    batch's new Task/Value/Model nodes are committed before its conversations are
    handed to a worker, so a worker never looks for a node another has not committed.
    Two batches that share a conversation id never run together, so the later record
    still wins. Deadlocks between workers are transient errors the driver retries.
    """
    stats = LoadStats()
    known = _KnownNodes()
    started = time.perf_counter()
    in_flight: deque[tuple[Future[int], frozenset[str], int]] = deque()

    def settle(entry: tuple[Future[int], frozenset[str], int]) -> None:
        future, _, size = entry
        stats.relationships += future.result()
        stats.conversations += size
        stats.batches += 1
        stats.seconds = time.perf_counter() - started
        if on_batch is not None:
            on_batch(stats)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="vg-writer") as pool:
        for batch in _batches(records, batch_size):
            ids = frozenset(record.conversation_id for record in batch)
            # Wait for the oldest batches while the pool is full or they share an id with this one.
            while in_flight and (len(in_flight) >= workers or any(ids & e[1] for e in in_flight)):
                settle(in_flight.popleft())
            mapped = [record_rows(record, store_text=store_text) for record in batch]
            _merge_nodes(graph, _new_nodes(mapped, known))
            rows = [conversation_parameters(record) for record in mapped]
            in_flight.append((pool.submit(_write_conversations, graph, rows), ids, len(batch)))
        while in_flight:
            settle(in_flight.popleft())
    stats.seconds = time.perf_counter() - started
    return stats


def _merge_nodes(graph: Graph, nodes: dict[str, list[dict[str, str]]]) -> None:
    def work(tx: Any) -> None:
        for statement, node_rows in nodes.items():
            if node_rows:
                tx.run(statement, rows=node_rows).consume()

    if any(nodes.values()):
        graph.write_tx(work)


def _write_conversations(graph: Graph, rows: list[dict[str, Any]]) -> int:
    def work(tx: Any) -> int:
        summary = tx.run(statements.WRITE_CONVERSATIONS, rows=rows).consume()
        return int(summary.counters.relationships_created)

    return graph.write_tx(work)


@dataclass(frozen=True)
class TaxonomyRows:
    """A taxonomy ready to write: clusters (any level), values (level 0), published frequencies."""

    clusters: list[dict[str, Any]]
    values: list[dict[str, Any]]
    frequencies: list[dict[str, Any]]


def load_taxonomy(graph: Graph, rows: TaxonomyRows, *, batch_size: int = 5000) -> None:
    """Write clusters, then their parent links, then values and frequencies, in batches."""
    # Parents first: every cluster must exist before any IN_CLUSTER edge points at it.
    for statement, table in (
        (statements.WRITE_CLUSTERS, rows.clusters),
        (statements.LINK_CLUSTERS, [row for row in rows.clusters if row["parent"] is not None]),
        (statements.WRITE_TAXONOMY_VALUES, rows.values),
        (statements.WRITE_FREQUENCIES, rows.frequencies),
    ):
        for start in range(0, len(table), batch_size):
            graph.write(statement, {"rows": table[start : start + batch_size]})
