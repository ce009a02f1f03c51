"""What every format shows besides the stored properties: a display label and an edge weight.

Gephi and Cytoscape show a node's ``label`` and size edges by ``weight``; the
formats add these, and rename a stored property whose name the format reserves
(a Cluster's ``id`` becomes ``_id`` in Cytoscape JSON, whose ``id`` is the element's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from valuegraph.graph.export.model import ExportNode, ExportRelationship

# The materialised (or computed) associations: these edges carry a weight.
ASSOCIATION_TYPES = frozenset({"ASSOCIATED_WITH", "CO_OCCURS_WITH"})
# The first of these a node has is its display label.
_DISPLAY_KEYS = ("name", "id", "key")


def display_label(node: ExportNode) -> str:
    for key in _DISPLAY_KEYS:
        value = node.properties.get(key)
        if value is not None:
            return str(value)
    return ":".join(node.labels) or node.id


def association_weight(relationship: ExportRelationship) -> float | None:
    """The adjusted residual of an association, or its conversation count when computed."""
    if relationship.type not in ASSOCIATION_TYPES:
        return None
    for key in ("adjusted_residual", "observed"):
        value = relationship.properties.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def stored_key(key: str, reserved: frozenset[str]) -> str:
    """The name a stored property takes in a format that reserves some names for itself."""
    while key in reserved:
        key = "_" + key
    return key


def renamed(properties: Mapping[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    return {stored_key(key, reserved): value for key, value in properties.items()}
