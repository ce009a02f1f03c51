"""Embeddings on AIValue, HumanValue and Task nodes, their vector indexes, and similarity search.

Each embedded node carries ``embedding`` (a list of floats) and ``embedding_model``, so a change
of model re-embeds exactly the nodes embedded with the old one. Labels come from the fixed
:data:`VECTOR_INDEXES` table, never from input, as Cypher cannot take a label as a parameter.
The statement text is :mod:`graph.statements`'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from valuegraph.domain import Label
from valuegraph.errors import ConfigError, InputError
from valuegraph.graph import statements
from valuegraph.graph.connection import Graph
from valuegraph.keys import normalise_key

# label -> vector index name. The allow-list for every label this module splices into Cypher.
VECTOR_INDEXES: dict[str, str] = {
    Label.AI_VALUE: "ai_value_embedding",
    Label.HUMAN_VALUE: "human_value_embedding",
    Label.TASK: "task_embedding",
}
EMBED_BATCH = 512


class Embedder(Protocol):
    """What this module needs of :class:`ingest.embed.Embedder` (graph/ does not import ingest/)."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def _label(label: str) -> str:
    if label not in VECTOR_INDEXES:
        raise InputError(f"no embeddings for label {label!r}; one of {', '.join(VECTOR_INDEXES)}")
    return label


def vector_index_statement(label: str, dimensions: int) -> str:
    return statements.create_vector_index(VECTOR_INDEXES[_label(label)], label, dimensions)


def ensure_vector_indexes(graph: Graph, dimensions: int) -> None:
    """Create the three vector indexes if missing; refuse to mix dimensions in one index."""
    existing = graph.read(statements.VECTOR_INDEX_DIMENSIONS)
    found = {row["name"]: row["dimensions"] for row in existing}
    for label, name in VECTOR_INDEXES.items():
        if name in found and found[name] is not None and int(found[name]) != dimensions:
            raise ConfigError(
                f"vector index {name} has {found[name]} dimensions but the embedding model gives "
                f"{dimensions}; drop it (DROP INDEX {name}) to re-embed with the new model"
            )
        graph.run_autocommit(vector_index_statement(label, dimensions))
    graph.run_autocommit(statements.AWAIT_INDEXES)


def nodes_to_embed(graph: Graph, label: str, model: str) -> list[tuple[str, str]]:
    """(key, name) of nodes with no embedding, or one made by another model."""
    rows = graph.read(statements.nodes_to_embed(_label(label)), {"model": model})
    return [(row["key"], row["name"] or row["key"]) for row in rows]


def write_embeddings(graph: Graph, label: str, rows: Sequence[dict[str, Any]], model: str) -> None:
    """``rows``: ``{"key", "embedding"}``. Nodes that are gone meanwhile are skipped."""
    statement = statements.write_embeddings(_label(label))
    for start in range(0, len(rows), EMBED_BATCH):
        graph.write(statement, {"rows": list(rows[start : start + EMBED_BATCH]), "model": model})


def embed_missing(
    graph: Graph,
    embedder: Embedder,
    *,
    labels: Sequence[str] = tuple(VECTOR_INDEXES),
    on_progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Embed every node of ``labels`` that lacks an embedding by ``embedder``; idempotent."""
    ensure_vector_indexes(graph, embedder.dimensions)
    done: dict[str, int] = {}
    for label in labels:
        todo = nodes_to_embed(graph, label, embedder.name)
        for start in range(0, len(todo), EMBED_BATCH):
            chunk = todo[start : start + EMBED_BATCH]
            vectors = embedder.encode([name for _, name in chunk])
            rows = [
                {"key": key, "embedding": v.tolist()}
                for (key, _), v in zip(chunk, vectors, strict=True)
            ]
            write_embeddings(graph, label, rows, embedder.name)
            if on_progress is not None:
                on_progress(label, start + len(chunk))
        done[label] = len(todo)
    return done


@dataclass(frozen=True)
class Similar:
    name: str
    key: str
    score: float


def similar(
    graph: Graph, embedder: Embedder, text: str, *, label: str = Label.AI_VALUE, top: int = 10
) -> list[Similar]:
    """The ``top`` nodes nearest to ``text`` through the vector index, the exact match left out."""
    if not 1 <= top <= 1000:
        raise InputError("--top must be between 1 and 1000")
    missing = graph.read(statements.count_unembedded(_label(label)))[0]["n"]
    if missing:
        raise InputError(
            f"{missing} {label} nodes have no embedding yet; run `valuegraph values embed`"
        )
    vector = embedder.encode([text])[0].tolist()
    rows = graph.read(
        statements.SIMILAR_NODES,
        {
            "index": VECTOR_INDEXES[label],
            "k": top + 1,
            "vector": vector,
            "key": normalise_key(text),
            "top": top,
        },
    )
    return [Similar(row["name"], row["key"], round(float(row["score"]), 4)) for row in rows]


def set_aliases(graph: Graph, aliases: dict[str, list[str]]) -> int:
    """Add alias names to the canonical AIValue/HumanValue nodes (kept once each); count nodes."""
    rows = [{"key": key, "aliases": sorted(set(names))} for key, names in sorted(aliases.items())]
    if not rows:
        return 0
    updated = 0
    for label in (Label.AI_VALUE, Label.HUMAN_VALUE):
        result = graph.write(statements.set_aliases(label), {"rows": rows})
        updated += int(result[0]["n"]) if result else 0
    return updated


def value_vocabulary(graph: Graph, model: str) -> tuple[list[str], list[list[float]]]:
    """Names and embeddings of every AI and human value already embedded with ``model``."""
    rows = graph.read(statements.VALUE_VOCABULARY, {"model": model})
    seen: dict[str, tuple[str, list[float]]] = {}
    for row in rows:
        seen.setdefault(row["key"], (row["name"] or row["key"], row["embedding"]))
    return [n for n, _ in seen.values()], [e for _, e in seen.values()]


def ai_value_names(graph: Graph) -> list[str]:
    """The names of the graph's AI values, by key: the vocabulary an offline extraction grows."""
    rows = graph.read(statements.AI_VALUE_NAMES)
    return [row["name"] for row in rows if row["name"]]
