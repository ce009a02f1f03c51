"""The one answer to "has the graph changed?": a cheap fingerprint of its contents.

Every memo of counted tables, analyses or whole API answers compares this fingerprint with the
one it was filled under (``graph_fingerprint.cypher``: count-store counts and the generation of
the materialised associations, one constant-time query).
"""

from __future__ import annotations

from valuegraph.graph.connection import Graph
from valuegraph.queries import load_cypher

Fingerprint = tuple[int | str | None, ...]


def graph_fingerprint(graph: Graph) -> Fingerprint:
    """Changes whenever nodes or relationships are added or removed, or links rematerialised."""
    row = graph.read(load_cypher("graph_fingerprint"))[0]
    return (*(int(count) for count in row["counts"]), row["generation"])
