"""A built taxonomy into the graph as Cluster nodes and IN_CLUSTER edges, and back out.

``(:AIValue)-[:IN_CLUSTER]->(:Cluster {kind:'ai_value', level:1})-[:IN_CLUSTER]->...`` and the
same for ``(:Task)`` with ``kind:'task'``. A rebuild replaces the clusters of its kind in one
transaction: readers see the old taxonomy or the new one, never half of each. The cluster Cypher
is the same as :mod:`graph.writer`'s (both in :mod:`graph.statements`), so imported and built
clusters look the same.
"""

from __future__ import annotations

from typing import Any

from valuegraph.domain import CLUSTER_LEAVES, Cluster, Leaf, Taxonomy
from valuegraph.errors import InputError
from valuegraph.graph import statements
from valuegraph.graph.connection import Graph
from valuegraph.keys import normalise_key

# kind -> (leaf label, relationship a conversation uses to reach the leaf). The allow-list.
LEAVES: dict[str, tuple[str, str]] = {
    kind.value: (label.value, relationship.value)
    for kind, (label, relationship) in CLUSTER_LEAVES.items()
}
# Decimals a cluster's share is stored with: those of an exported values_tree.csv, so a
# taxonomy read back from the graph exports as it did when it was built.
PCT_DECIMALS = 4


def _leaf(kind: str) -> tuple[str, str]:
    if kind not in LEAVES:
        raise InputError(f"unknown taxonomy kind {kind!r}; one of {', '.join(LEAVES)}")
    return LEAVES[kind]


def write_taxonomy(graph: Graph, taxonomy: Taxonomy) -> dict[str, int]:
    """Replace the clusters of ``taxonomy.kind`` with ``taxonomy``; return what was written."""
    label, _ = _leaf(taxonomy.kind)
    shares = taxonomy.shares()
    pct = {
        c.id: float(f"{taxonomy.cluster_pct(c, shares):.{PCT_DECIMALS}f}")
        for c in taxonomy.clusters
    }
    clusters = [
        {
            "id": c.id,
            "name": c.name,
            "description": c.description,
            "level": c.level,
            "kind": taxonomy.kind,
            "pct": pct[c.id],
            "parent": c.parent_id,
        }
        for c in taxonomy.clusters
    ]
    leaves = [
        {"key": normalise_key(v.name), "parent": v.parent_id}
        for v in taxonomy.leaves
        if v.parent_id
    ]
    link_leaves = statements.link_leaves(label)

    def work(tx: Any) -> dict[str, int]:
        tx.run(statements.WRITE_CLUSTERS, rows=clusters).consume()
        tx.run(
            statements.LINK_CLUSTERS, rows=[c for c in clusters if c["parent"] is not None]
        ).consume()
        linked = tx.run(link_leaves, rows=leaves, kind=taxonomy.kind).single()
        dropped = tx.run(
            statements.DROP_STALE_CLUSTERS, kind=taxonomy.kind, keep=[c["id"] for c in clusters]
        ).single()
        return {
            "clusters": len(clusters),
            "leaves_linked": int(linked["n"]) if linked else 0,
            "stale_clusters_removed": int(dropped["n"]) if dropped else 0,
        }

    return graph.write_tx(work)


def read_leaves(graph: Graph, kind: str) -> list[dict[str, Any]]:
    """Every leaf node of ``kind`` with its name, embedding and number of conversations."""
    label, relationship = _leaf(kind)
    return graph.read(statements.read_leaves(label, relationship))


def read_taxonomy(graph: Graph, kind: str) -> Taxonomy:
    """The taxonomy of ``kind`` as stored, ready to export to ``values_tree.csv``."""
    label, relationship = _leaf(kind)
    cluster_rows = graph.read(statements.READ_CLUSTERS, {"kind": kind})
    if not cluster_rows:
        raise InputError(
            f"the graph holds no {kind} taxonomy; run `valuegraph taxonomy build` first"
        )
    leaf_rows = graph.read(statements.read_taxonomy_leaves(label, relationship), {"kind": kind})
    # Published shares are kept as they are; otherwise shares come from conversation counts.
    use_pct = all(row["pct"] is not None for row in leaf_rows)
    leaves = tuple(
        Leaf(
            name=row["name"],
            parent_id=row["parent"],
            count=max(1, int(row["conversations"])),
            pct=float(row["pct"]) if use_pct else None,
        )
        for row in leaf_rows
    )
    clusters = tuple(
        Cluster(
            id=row["id"],
            level=int(row["level"]),
            name=row["name"],
            description=row["description"],
            parent_id=row["parent"],
            pct=float(row["pct"]) if use_pct and row["pct"] is not None else None,
        )
        for row in cluster_rows
    )
    return Taxonomy(kind=kind, leaves=leaves, clusters=clusters)
