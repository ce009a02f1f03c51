"""The value taxonomy into and out of the graph: the released files imported, a taxonomy built
from the graph's embeddings, and a stored taxonomy exported in the released format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from valuegraph.domain import ClusterKind, Taxonomy
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.graph.embeddings import embed_missing
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.taxonomy_writer import LEAVES, read_leaves, read_taxonomy, write_taxonomy
from valuegraph.graph.writer import TaxonomyRows, load_taxonomy
from valuegraph.ingest.embed import load_embedder
from valuegraph.ingest.extract import ClaudeClient
from valuegraph.ingest.jsonl import Quarantine
from valuegraph.ingest.taxonomy_build import (
    DEFAULT_LEVELS,
    ClaudeNamer,
    Namer,
    offline_namer,
    parse_levels,
)
from valuegraph.ingest.taxonomy_build import build_taxonomy as cluster_taxonomy
from valuegraph.ingest.taxonomy_csv import (
    ClusterRow,
    FrequencyRow,
    ValueRow,
    read_frequencies,
    read_tree,
    write_tree_csv,
)
from valuegraph.settings import Settings

NamerChoice = Literal["auto", "claude", "offline"]


# --- the released files ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaxonomySummary:
    clusters: int
    values: int
    frequencies: int
    rejected: int
    quarantine: tuple[Path, ...]
    first_rejections: tuple[str, ...]


def ingest_taxonomy(tree: Path, frequencies: Path | None, graph: Graph | None) -> TaxonomySummary:
    """Read the released taxonomy files, check the hierarchy, and write it (unless a dry run,
    ``graph=None``)."""
    clusters: list[ClusterRow] = []
    values: list[ValueRow] = []
    shown: list[str] = []
    quarantines: list[Path] = []
    rejected = 0
    with Quarantine(tree) as quarantine:
        for item in read_tree(tree):
            if isinstance(item, ClusterRow):
                clusters.append(item)
            elif isinstance(item, ValueRow):
                values.append(item)
            else:
                quarantine.add(item)
                shown.append(item.message())
        rejected += quarantine.count
        if quarantine.count:
            quarantines.append(quarantine.path)
    _check_parents(tree, clusters, values)
    freq_rows: list[FrequencyRow] = []
    if frequencies is not None:
        with Quarantine(frequencies) as quarantine:
            for entry in read_frequencies(frequencies):
                if isinstance(entry, FrequencyRow):
                    freq_rows.append(entry)
                else:
                    quarantine.add(entry)
                    shown.append(entry.message())
            rejected += quarantine.count
            if quarantine.count:
                quarantines.append(quarantine.path)
    if graph is not None:
        apply_schema(graph)
        load_taxonomy(graph, _released_rows(clusters, values, freq_rows))
    return TaxonomySummary(
        clusters=len(clusters),
        values=len(values),
        frequencies=len(freq_rows),
        rejected=rejected,
        quarantine=tuple(quarantines),
        first_rejections=tuple(shown[:10]),
    )


def _check_parents(tree: Path, clusters: list[ClusterRow], values: list[ValueRow]) -> None:
    known_ids = {cluster.id for cluster in clusters}
    orphans = [c.id for c in clusters if c.parent_id and c.parent_id not in known_ids]
    orphans += [v.name for v in values if v.parent_id and v.parent_id not in known_ids]
    if orphans:
        raise InputError(
            f"{tree}: {len(orphans)} row(s) name a parent_cluster_id that no row defines, "
            f"first: {orphans[0]!r}"
        )


def _released_rows(
    clusters: list[ClusterRow], values: list[ValueRow], frequencies: list[FrequencyRow]
) -> TaxonomyRows:
    """The released files' rows as the taxonomy writer takes them; their clusters are AI
    value clusters."""
    return TaxonomyRows(
        clusters=[
            {
                "id": c.id,
                "name": c.name,
                "description": c.description,
                "level": c.level,
                "kind": ClusterKind.AI_VALUE.value,
                "pct": c.pct_total_occurrences,
                "parent": c.parent_id,
            }
            for c in clusters
        ],
        values=[
            {"key": v.key, "name": v.name, "pct": v.pct_total_occurrences, "parent": v.parent_id}
            for v in values
        ],
        frequencies=[{"key": f.key, "name": f.name, "pct": f.pct_convos} for f in frequencies],
    )


# --- building from embeddings ----------------------------------------------------------------


@dataclass(frozen=True)
class TaxonomyBuild:
    """What ``build_taxonomy`` wrote."""

    kind: str
    levels: dict[int, int]  # level -> rows, level 0 being the leaves
    named_by: str
    seed: int
    clusters: int
    leaves_linked: int
    stale_clusters_removed: int
    named_offline_after_failure: int  # clusters Claude failed to name

    def as_json(self) -> dict[str, Any]:
        """The summary as ``taxonomy build --json`` prints it."""
        result: dict[str, Any] = {
            "kind": self.kind,
            "levels": self.levels,
            "named_by": self.named_by,
            "seed": self.seed,
            "clusters": self.clusters,
            "leaves_linked": self.leaves_linked,
            "stale_clusters_removed": self.stale_clusters_removed,
        }
        if self.named_offline_after_failure:
            result["named_offline_after_failure"] = self.named_offline_after_failure
        return result


def build_taxonomy(
    settings: Settings,
    graph: Graph,
    *,
    kind: ClusterKind = ClusterKind.AI_VALUE,
    levels: str = DEFAULT_LEVELS,
    seed: int = 0,
    namer: NamerChoice = "auto",
    concurrency: int = 8,
) -> TaxonomyBuild:
    """Cluster the graph's values (or tasks) into a hierarchy and replace its Cluster nodes."""
    sizes = parse_levels(levels)
    chosen, naming = _namer(namer, settings, concurrency)
    embedder = load_embedder(settings.embedding_model)
    embed_missing(graph, embedder, labels=[LEAVES[kind][0]])
    leaves = read_leaves(graph, kind)
    if not leaves:
        what = "values" if kind is ClusterKind.AI_VALUE else "tasks"
        raise InputError(f"the graph holds no {what}; ingest some first")
    names = [row["name"] or row["key"] for row in leaves]
    vectors = np.asarray([row["embedding"] for row in leaves], dtype=np.float32)
    counts = {row["name"] or row["key"]: int(row["conversations"]) for row in leaves}
    taxonomy = cluster_taxonomy(
        names,
        vectors,
        counts=counts,
        levels=sizes,
        seed=seed,
        kind=kind,
        namer=chosen or offline_namer,
    )
    written = write_taxonomy(graph, taxonomy)
    return TaxonomyBuild(
        kind=kind.value,
        levels=taxonomy.levels(),
        named_by=naming,
        seed=seed,
        clusters=written["clusters"],
        leaves_linked=written["leaves_linked"],
        stale_clusters_removed=written["stale_clusters_removed"],
        named_offline_after_failure=chosen.fallbacks if isinstance(chosen, ClaudeNamer) else 0,
    )


def _namer(choice: NamerChoice, settings: Settings, concurrency: int) -> tuple[Namer | None, str]:
    if choice == "offline" or (choice == "auto" and settings.anthropic_api_key is None):
        return None, "offline (medoid and distinctive terms)"
    client = ClaudeClient.from_settings(settings)
    return ClaudeNamer(client, concurrency=concurrency), f"Claude ({client.model})"


# --- export ----------------------------------------------------------------------------------


def export_taxonomy(graph: Graph, kind: ClusterKind, output: Path) -> int:
    """Write the stored taxonomy of ``kind`` as values_tree.csv; return the rows written."""
    taxonomy: Taxonomy = read_taxonomy(graph, kind)
    return write_tree_csv(taxonomy, output)
