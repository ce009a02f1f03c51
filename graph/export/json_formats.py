"""JSON: Cytoscape.js ``elements`` (the default) or networkx node-link.

Both are written element by element, so the document is never held whole.

- Cytoscape: ``{"elements": {"nodes": [{"data": {...}}], "edges": [...]}}``, what
  ``cy.add()`` / ``cytoscape({elements})`` take. Nodes also carry ``value`` (the same
  as ``id``) and the top level ``data``/``directed``/``multigraph``, so that
  ``networkx.cytoscape_graph`` reads the file as it is; edges carry ``key`` (their id)
  so parallel edges survive in a networkx multigraph.
- node-link: ``{"directed", "multigraph", "graph", "nodes", "edges"}``, what
  ``networkx.node_link_graph(data)`` reads (networkx 3.4 and later name the list
  ``edges``; pass ``edges="edges"`` to older versions).

A stored property whose name the format uses for itself gets a leading underscore.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from valuegraph.files import json_line
from valuegraph.graph.export.display import association_weight, display_label, renamed
from valuegraph.graph.export.model import ExportNode, ExportRelationship
from valuegraph.graph.export.reader import SubgraphReader
from valuegraph.graph.export.values import plain


class JsonStyle(StrEnum):
    CYTOSCAPE = "cytoscape"
    NODE_LINK = "node-link"


_CYTOSCAPE_NODE = frozenset({"id", "value", "label", "labels"})
_CYTOSCAPE_EDGE = frozenset({"id", "source", "target", "key", "label", "weight"})
_NODE_LINK_NODE = frozenset({"id", "label", "labels"})
_NODE_LINK_EDGE = frozenset({"source", "target", "key", "type", "label", "weight"})


def _dump(value: Any) -> str:
    return json_line(value, separators=(",", ":"))


def _properties(
    element: ExportNode | ExportRelationship, reserved: frozenset[str]
) -> dict[str, Any]:
    return {key: plain(value) for key, value in renamed(element.properties, reserved).items()}


def _cytoscape_node(node: ExportNode) -> dict[str, Any]:
    data = _properties(node, _CYTOSCAPE_NODE)
    data.update(id=node.id, value=node.id, label=display_label(node), labels=list(node.labels))
    return {"data": data}


def _cytoscape_edge(rel: ExportRelationship) -> dict[str, Any]:
    data = _properties(rel, _CYTOSCAPE_EDGE)
    data.update(id=rel.id, source=rel.start, target=rel.end, key=rel.id, label=rel.type)
    weight = association_weight(rel)
    if weight is not None:
        data["weight"] = weight
    return {"data": data}


def _node_link_node(node: ExportNode) -> dict[str, Any]:
    data = _properties(node, _NODE_LINK_NODE)
    data.update(id=node.id, label=display_label(node), labels=list(node.labels))
    return data


def _node_link_edge(rel: ExportRelationship) -> dict[str, Any]:
    data = _properties(rel, _NODE_LINK_EDGE)
    data.update(source=rel.start, target=rel.end, key=rel.id, type=rel.type, label=rel.type)
    weight = association_weight(rel)
    if weight is not None:
        data["weight"] = weight
    return data


def _array(items: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one element a line, written as the elements come."""
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + _dump(item)
        first = False
    yield "\n]"


def json_chunks(reader: SubgraphReader, style: JsonStyle = JsonStyle.CYTOSCAPE) -> Iterator[str]:
    graph_data = {"name": "valuegraph export", "description": reader.plan.description}
    if style is JsonStyle.CYTOSCAPE:
        yield '{"data":' + _dump(graph_data) + ',"directed":true,"multigraph":true,'
        yield '"elements":{"nodes":['
        yield from _array(_cytoscape_node(node) for node in reader.nodes())
        yield ',"edges":['
        yield from _array(_cytoscape_edge(rel) for rel in reader.relationships())
        yield "}}\n"
        return
    yield '{"directed":true,"multigraph":true,"graph":' + _dump(graph_data) + ',"nodes":['
    yield from _array(_node_link_node(node) for node in reader.nodes())
    yield ',"edges":['
    yield from _array(_node_link_edge(rel) for rel in reader.relationships())
    yield "}\n"
