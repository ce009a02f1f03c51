"""Embeddings on AIValue, HumanValue and Task nodes, their vector indexes, and similarity search.

Each embedded node carries ``embedding`` (a list of floats) and ``embedding_model``, so a change
of model re-embeds exactly the nodes embedded with the old one. Labels come from the fixed
:data:`VECTOR_INDEXES` table, never from input, as Cypher cannot take a label as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from valuegraph.domain import Label
from valuegraph.errors import ConfigError, InputError
from valuegraph.graph.connection import Graph
from valuegraph.keys import normalise_key

# label -> vector index name. The allow-list for every label spliced into Cypher below.
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
    return (
        f"CREATE VECTOR INDEX {VECTOR_INDEXES[_label(label)]} IF NOT EXISTS "
        f"FOR (n:{label}) ON (n.embedding) "
        f"OPTIONS {{indexConfig: {{`vector.dimensions`: {int(dimensions)}, "
        "`vector.similarity_function`: 'cosine'}}"
    )


def ensure_vector_indexes(graph: Graph, dimensions: int) -> None:
    """Create the three vector indexes if missing; refuse to mix dimensions in one index."""
    existing = graph.read(
        "SHOW VECTOR INDEXES YIELD name, options "
        "RETURN name, options.indexConfig['vector.dimensions'] AS dimensions"
    )
    found = {row["name"]: row["dimensions"] for row in existing}
    for label, name in VECTOR_INDEXES.items():
        if name in found and found[name] is not None and int(found[name]) != dimensions:
            raise ConfigError(
                f"vector index {name} has {found[name]} dimensions but the embedding model gives "
                f"{dimensions}; drop it (DROP INDEX {name}) to re-embed with the new model"
            )
        graph.run_autocommit(vector_index_statement(label, dimensions))
    graph.run_autocommit("CALL db.awaitIndexes(300)")


def nodes_to_embed(graph: Graph, label: str, model: str) -> list[tuple[str, str]]:
    """(key, name) of nodes with no embedding, or one made by another model."""
    rows = graph.read(
        f"MATCH (n:{_label(label)}) "
        "WHERE n.embedding IS NULL OR coalesce(n.embedding_model, '') <> $model "
        "RETURN n.key AS key, n.name AS name ORDER BY key",
        {"model": model},
    )
    return [(row["key"], row["name"] or row["key"]) for row in rows]


def write_embeddings(graph: Graph, label: str, rows: Sequence[dict[str, Any]], model: str) -> None:
    """``rows``: ``{"key", "embedding"}``. Nodes that are gone meanwhile are skipped."""
    statement = (
        f"UNWIND $rows AS row MATCH (n:{_label(label)} {{key: row.key}}) "
        "SET n.embedding = row.embedding, n.embedding_model = $model"
    )
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
    missing = graph.read(
        f"MATCH (n:{_label(label)}) WHERE n.embedding IS NULL RETURN count(n) AS n"
    )[0]["n"]
    if missing:
        raise InputError(
            f"{missing} {label} nodes have no embedding yet; run `valuegraph values embed`"
        )
    vector = embedder.encode([text])[0].tolist()
    rows = graph.read(
        "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score "
        "WHERE node.key <> $key "
        "RETURN node.name AS name, node.key AS key, score ORDER BY score DESC, key LIMIT $top",
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
        result = graph.write(
            f"UNWIND $rows AS row MATCH (n:{label} {{key: row.key}}) "
            "SET n.aliases = [a IN coalesce(n.aliases, []) WHERE NOT a IN row.aliases] "
            "+ row.aliases "
            "RETURN count(n) AS n",
            {"rows": rows},
        )
        updated += int(result[0]["n"]) if result else 0
    return updated


def value_vocabulary(graph: Graph, model: str) -> tuple[list[str], list[list[float]]]:
    """Names and embeddings of every AI and human value already embedded with ``model``."""
    rows = graph.read(
        "CALL () { MATCH (v:AIValue) RETURN v UNION MATCH (v:HumanValue) RETURN v } "
        "WITH v WHERE v.embedding IS NOT NULL AND v.embedding_model = $model "
        "RETURN DISTINCT v.key AS key, v.name AS name, v.embedding AS embedding ORDER BY key",
        {"model": model},
    )
    seen: dict[str, tuple[str, list[float]]] = {}
    for row in rows:
        seen.setdefault(row["key"], (row["name"] or row["key"], row["embedding"]))
    return [n for n, _ in seen.values()], [e for _, e in seen.values()]


def ai_value_names(graph: Graph) -> list[str]:
    """The names of the graph's AI values, by key: the vocabulary an offline extraction grows."""
    rows = graph.read("MATCH (v:AIValue) RETURN v.name AS name ORDER BY v.key")
    return [row["name"] for row in rows if row["name"]]
