"""Value embeddings: the graph's values, human values and tasks embedded by the configured
model, and the values nearest a text in meaning."""

from __future__ import annotations

from valuegraph.domain import Label
from valuegraph.graph.connection import Graph
from valuegraph.graph.embeddings import Similar, embed_missing, similar
from valuegraph.ingest.embed import load_embedder
from valuegraph.settings import Settings


def embed_values(settings: Settings, graph: Graph) -> dict[str, int]:
    """Embed every AIValue, HumanValue and Task without an embedding; label -> nodes embedded."""
    return embed_missing(graph, load_embedder(settings.embedding_model))


def similar_values(
    settings: Settings, graph: Graph, text: str, *, label: Label = Label.AI_VALUE, top: int = 10
) -> list[Similar]:
    """The ``top`` nodes of ``label`` nearest to ``text`` in meaning."""
    embedder = load_embedder(settings.embedding_model)
    return similar(graph, embedder, text, label=label.value, top=top)
