"""The counting half of the analyses: Cypher files run, their rows turned into arrays.

Counting happens in Neo4j (the ``.cypher`` files next to this module); what comes back is
margins (:class:`Units`: conversations per value, task, cluster, ...) and co-occurrence counts
(:class:`CoOccurrence`: a sparse matrix of conversations per pair). The statistics in
:mod:`queries.stats` take these arrays; nothing here does statistics.

All counts behind one table are read in a single read transaction, so the margins and the
pairs come from the same state of the graph even while an ingest is running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from neo4j import ManagedTransaction
from scipy import sparse

from valuegraph.domain import RESPONSE_TYPES, ClusterKind
from valuegraph.errors import InputError, QueryError
from valuegraph.graph.connection import Graph
from valuegraph.keys import normalise_key
from valuegraph.queries import load_cypher

IntArray = npt.NDArray[np.int64]

AI_VALUE_CLUSTER_KIND = ClusterKind.AI_VALUE.value  # Cluster.kind of the value taxonomy
TASK_CLUSTER_KIND = ClusterKind.TASK.value  # of task clusters: (:Task)-[:IN_CLUSTER]->(:Cluster)
MAX_LEVEL = 3  # the taxonomy's top level; task clusters use the same range

# Which Cypher file counts the pairs of each association kind, at value level and at cluster
# level of the AI values.
_PAIR_QUERIES: Mapping[str, tuple[str, str]] = {
    "value-task": ("value_task_pairs", "cluster_task_pairs"),
    "ai-human": ("value_human_pairs", "cluster_human_pairs"),
    "value-response": ("value_response_pairs", "cluster_response_pairs"),
}


@dataclass(frozen=True)
class ConversationFilter:
    """Which conversations a table is taken over (None: no restriction)."""

    model: str | None = None
    response_type: str | None = None

    def __post_init__(self) -> None:
        if self.response_type is not None and self.response_type not in RESPONSE_TYPES:
            raise InputError(
                f"unknown response type {self.response_type!r} "
                f"(one of: {', '.join(RESPONSE_TYPES)})"
            )

    def params(self) -> dict[str, Any]:
        return {"model": self.model, "response_type": self.response_type}


@dataclass(frozen=True)
class Levels:
    """The grain of each side: 0 is individual values (tasks); 1-3 taxonomy clusters."""

    value_level: int = 0
    task_level: int = 0

    def __post_init__(self) -> None:
        for name, level in (("value_level", self.value_level), ("task_level", self.task_level)):
            if isinstance(level, bool) or not isinstance(level, int):
                raise InputError(f"{name} must be an integer 0-{MAX_LEVEL}, got {level!r}")
            if not 0 <= level <= MAX_LEVEL:
                raise InputError(f"{name} must be 0-{MAX_LEVEL}, got {level}")

    def params(self) -> dict[str, Any]:
        return {
            "value_level": self.value_level,
            "task_level": self.task_level,
            "value_cluster_kind": AI_VALUE_CLUSTER_KIND,
            "task_cluster_kind": TASK_CLUSTER_KIND,
        }


@dataclass(frozen=True)
class Totals:
    """The base of every share: conversations matching the filter, and value expressions."""

    conversations: int
    with_human_values: int
    ai_expressions: int
    human_expressions: int


# eq=False: the arrays have no single truth value, so field-wise equality would raise.
@dataclass(frozen=True, eq=False)
class Units:
    """The items of one side of a table (values, clusters, tasks, ...) and their margins."""

    keys: tuple[str, ...]
    names: tuple[str, ...]
    conversations: IntArray  # distinct conversations with the item
    expressions: IntArray  # edges into the item (AI_EXPRESSED, HUMAN_EXPRESSED, ABOUT)

    @cached_property
    def position(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.keys)}

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, wanted: str) -> int | None:
        """The position of the item whose key, or whose name by key rules, is ``wanted``."""
        if wanted in self.position:
            return self.position[wanted]
        folded = normalise_key(wanted)
        if folded in self.position:
            return self.position[folded]
        for i, name in enumerate(self.names):
            if normalise_key(name) == folded:
                return i
        return None


@dataclass(frozen=True, eq=False)
class CoOccurrence:
    """Conversations per (row item, column item), both sides' margins, and the total."""

    rows: Units
    cols: Units
    together: sparse.csr_array  # rows x cols
    conversations: int  # the conversations the table is taken over


def _units(records: Sequence[Mapping[str, Any]]) -> Units:
    return Units(
        keys=tuple(str(r["key"]) for r in records),
        names=tuple(str(r["name"] if r["name"] is not None else r["key"]) for r in records),
        conversations=np.array([r["conversations"] for r in records], dtype=np.int64),
        expressions=np.array([r["expressions"] for r in records], dtype=np.int64),
    )


def _totals(record: Mapping[str, Any]) -> Totals:
    return Totals(
        conversations=int(record["conversations"]),
        with_human_values=int(record["with_human_values"]),
        ai_expressions=int(record["ai_expressions"] or 0),
        human_expressions=int(record["human_expressions"] or 0),
    )


def _run(tx: ManagedTransaction, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [record.data() for record in tx.run(load_cypher(name), dict(params))]


_UNIT_QUERIES: Mapping[str, str] = {
    "ai_value": "ai_value_units",
    "human_value": "human_value_units",
    "task": "task_units",
}


@dataclass(frozen=True, eq=False)
class Margins:
    """The totals of a filter and the margins of each side read with them."""

    totals: Totals
    sides: Mapping[str, Units]


def read_units(
    graph: Graph, sides: Sequence[str], where: ConversationFilter, levels: Levels = Levels()
) -> Margins:
    """Totals and the margins of each side asked for (``ai_value``, ``human_value``, ``task``),
    read in one transaction."""
    unknown = [side for side in sides if side not in _UNIT_QUERIES]
    if unknown:
        raise ValueError(f"unknown side {unknown[0]!r}")
    params = {**where.params(), **levels.params()}

    def work(tx: ManagedTransaction) -> Margins:
        totals = _totals(_run(tx, "totals", params)[0])
        return Margins(
            totals, {side: _units(_run(tx, _UNIT_QUERIES[side], params)) for side in sides}
        )

    return graph.read_tx(work)


@dataclass(frozen=True)
class ResponseTypeCount:
    """Conversations of one model and response type, and how many of them state human values."""

    model: str | None
    response_type: str
    conversations: int
    with_human_values: int


def read_response_type_counts(
    graph: Graph, where: ConversationFilter
) -> tuple[ResponseTypeCount, ...]:
    """Conversations per (model, response type) matching the filter."""
    return tuple(
        ResponseTypeCount(
            model=record["model"],
            response_type=str(record["response_type"]),
            conversations=int(record["conversations"]),
            with_human_values=int(record["with_human_values"]),
        )
        for record in graph.read(load_cypher("response_type_counts"), where.params())
    )


def known_models(graph: Graph) -> tuple[str, ...]:
    return tuple(str(r["name"]) for r in graph.read(load_cypher("models_list")))


def check_model(model: str | None, models: Sequence[str]) -> None:
    """A --model naming none of the graph's ``models`` is a user mistake, not an empty table."""
    if model is not None and model not in models:
        raise InputError(f"unknown model {model!r} (known: {', '.join(models) or 'none'})")


def _response_type_units(records: Sequence[Mapping[str, Any]]) -> Units:
    by_type = dict.fromkeys(RESPONSE_TYPES, 0)
    for record in records:
        by_type[str(record["response_type"])] += int(record["conversations"])
    present = [t for t in RESPONSE_TYPES if by_type[t] > 0]
    counts = np.array([by_type[t] for t in present], dtype=np.int64)
    return Units(tuple(present), tuple(present), counts, counts.copy())


def _matrix(
    rows: Units, cols: Units, pair_records: Sequence[Mapping[str, Any]]
) -> sparse.csr_array:
    """The co-occurrence matrix from the rows of a ``*_pairs.cypher`` file.

    A file returns either one row per column item (``b_key``, ``a_keys``, ``counts``) or one
    row per row item (``a_key``, ``b_keys``, ``counts``), whichever Neo4j counts faster.
    """
    row_index: list[int] = []
    col_index: list[int] = []
    counts: list[int] = []
    try:
        for record in pair_records:
            if "b_key" in record:
                col = cols.position[str(record["b_key"])]
                row_index.extend(rows.position[str(a)] for a in record["a_keys"])
                col_index.extend([col] * len(record["a_keys"]))
            else:
                row = rows.position[str(record["a_key"])]
                col_index.extend(cols.position[str(b)] for b in record["b_keys"])
                row_index.extend([row] * len(record["b_keys"]))
            counts.extend(record["counts"])
    except KeyError as missing:
        raise QueryError(f"a pair names {missing}, which has no margin") from None
    return sparse.csr_array(
        (
            np.array(counts, dtype=np.int64),
            (np.array(row_index, dtype=np.int64), np.array(col_index, dtype=np.int64)),
        ),
        shape=(len(rows), len(cols)),
    )


def _units_from_pairs(
    names: Sequence[Mapping[str, Any]], pair_records: Sequence[Mapping[str, Any]]
) -> Units:
    """Row margins as the row sums of the pairs: valid when the columns split the conversations
    (each has exactly one task, or one response type), so no conversation is counted twice."""
    totals: dict[str, int] = {}
    for record in pair_records:
        if "b_key" in record:
            for key, count in zip(record["a_keys"], record["counts"], strict=True):
                totals[str(key)] = totals.get(str(key), 0) + int(count)
        else:
            totals[str(record["a_key"])] = totals.get(str(record["a_key"]), 0) + sum(
                record["counts"]
            )
    name_of = {str(r["key"]): str(r["name"] if r["name"] is not None else r["key"]) for r in names}
    keys = tuple(sorted(totals))
    conversations = np.array([totals[key] for key in keys], dtype=np.int64)
    # Expressions are not counted on this path; at value level they equal conversations.
    return Units(keys, tuple(name_of.get(key, key) for key in keys), conversations, conversations)


def read_co_occurrence(
    graph: Graph, kind: str, where: ConversationFilter, levels: Levels
) -> CoOccurrence:
    """AI values or value clusters (rows) against tasks, human values or response types."""
    if kind not in _PAIR_QUERIES:
        raise InputError(f"unknown association kind {kind!r} (one of: {', '.join(_PAIR_QUERIES)})")
    value_query, cluster_query = _PAIR_QUERIES[kind]
    pair_query = value_query if levels.value_level == 0 else cluster_query
    params = {**where.params(), **levels.params()}

    def work(tx: ManagedTransaction) -> CoOccurrence:
        base = _run(tx, "conversation_count", params)[0]
        n = int(base["conversations"])
        if kind == "value-task":
            cols = _units(_run(tx, "task_units", params))
            partition = levels.task_level == 0 and int(base["with_one_task"]) == n
        elif kind == "ai-human":
            cols = _units(_run(tx, "human_value_units", params))
            partition = False
        else:
            cols = _response_type_units(_run(tx, "response_type_counts", params))
            partition = int(base["with_response_type"]) == n
        pairs = _run(tx, pair_query, params)
        if partition:
            rows = _units_from_pairs(_run(tx, "ai_value_names", params), pairs)
        else:
            rows = _units(_run(tx, "ai_value_units", params))
        return CoOccurrence(rows, cols, _matrix(rows, cols, pairs), n)

    return graph.read_tx(work)


@dataclass(frozen=True, eq=False)
class ModelValueCounts:
    """AI value names by key, and per model the conversations expressing each value."""

    names: Mapping[str, str]
    per_model: Mapping[str | None, Mapping[str, int]]


def read_model_value_counts(graph: Graph, where: ConversationFilter) -> ModelValueCounts:
    """AI value names by key, and per model the conversations expressing each value."""
    params = {**where.params(), **Levels().params()}

    def work(tx: ManagedTransaction) -> ModelValueCounts:
        names = {
            str(r["key"]): str(r["name"] if r["name"] is not None else r["key"])
            for r in _run(tx, "ai_value_names", params)
        }
        per_model = {
            record["model"]: dict(zip(record["a_keys"], record["counts"], strict=True))
            for record in _run(tx, "model_value_counts", params)
        }
        return ModelValueCounts(names, per_model)

    return graph.read_tx(work)


@dataclass(frozen=True)
class MirroringRateCount:
    """Conversations of one response type stating a human value, and how many the AI mirrored."""

    response_type: str
    with_human_values: int
    mirrored: int


@dataclass(frozen=True)
class MirroredValueCount:
    """A value the user stated and the AI expressed, and in how many conversations."""

    key: str
    name: str
    conversations: int


@dataclass(frozen=True)
class ResistancePairCount:
    """A human value met by a different AI value, and in how many conversations."""

    human_key: str
    human_value: str
    ai_key: str
    ai_value: str
    conversations: int


@dataclass(frozen=True)
class ResistanceCounts:
    """One response type's resistance pairs (most frequent first) and how many were held back."""

    response_type: str
    pairs: tuple[ResistancePairCount, ...]  # only those resting on at least k conversations
    suppressed: int


@dataclass(frozen=True)
class MirroringCounts:
    """The rows of the three mirroring files, read in one transaction.

    The resistance pairs are thresholded in Cypher (rare pairs never leave the server), so these
    counts hold for one k only.
    """

    rates: tuple[MirroringRateCount, ...]
    values: tuple[MirroredValueCount, ...]
    resistance: tuple[ResistanceCounts, ...]


def read_mirroring(
    graph: Graph, where: ConversationFilter, response_types: Sequence[str], k: int
) -> MirroringCounts:
    """Mirroring per response type, values mirrored, and (for ``response_types``) resistance
    pairs resting on at least ``k`` conversations."""
    params: dict[str, Any] = {
        **where.params(),
        "response_types": list(response_types),
        "min_conversations": k,
    }

    def work(tx: ManagedTransaction) -> MirroringCounts:
        return MirroringCounts(
            rates=tuple(MirroringRateCount(**r) for r in _run(tx, "mirroring_rates", params)),
            values=tuple(MirroredValueCount(**r) for r in _run(tx, "mirrored_values", params)),
            resistance=tuple(
                ResistanceCounts(
                    response_type=r["response_type"],
                    pairs=tuple(ResistancePairCount(**pair) for pair in r["pairs"]),
                    suppressed=int(r["suppressed"]),
                )
                for r in _run(tx, "resistance_pairs", params)
            ),
        )

    return graph.read_tx(work)


def require_clusters(table: CoOccurrence, kind: str, levels: Levels) -> None:
    """Asking for a cluster level the graph has no clusters at is a mistake, not an empty table."""
    if not table.conversations:
        return
    if levels.value_level and not len(table.rows):
        raise InputError(
            f"no AI value clusters at level {levels.value_level}: load a taxonomy first "
            "(valuegraph ingest taxonomy)"
        )
    if kind == "value-task" and levels.task_level and not len(table.cols):
        raise InputError(
            f"no task clusters at level {levels.task_level}: none of "
            f"(:Task)-[:IN_CLUSTER]->(:Cluster {{kind: '{TASK_CLUSTER_KIND}', "
            f"level: {levels.task_level}}})"
        )
