"""GraphML, for Gephi and ``networkx.read_graphml``.

Every property gets a typed ``<key>`` (``attr.type`` long, double, boolean or
string) declared before the graph, as the GraphML schema requires; that is why the
export learns its schema first. Nodes carry ``label`` (what Gephi shows) and
``labels`` (``:AIValue``); edges carry ``label`` (the relationship type) and, on
associations, ``weight``. Lists, temporal values and mixed-type keys are text:
lists as JSON, because GraphML has no list type (and networkx's writer rejects them).
"""

from __future__ import annotations

from collections.abc import Iterator

from valuegraph.graph.export.display import (
    ASSOCIATION_TYPES,
    association_weight,
    display_label,
    stored_key,
)
from valuegraph.graph.export.model import ColumnType, PropertyType, changed_if_missing
from valuegraph.graph.export.reader import SubgraphReader
from valuegraph.graph.export.values import as_text, xml_text

_GRAPHML_TYPES = {
    PropertyType.LONG: "long",
    PropertyType.DOUBLE: "double",
    PropertyType.BOOLEAN: "boolean",
}
NODE_RESERVED = frozenset({"label", "labels"})
EDGE_RESERVED = frozenset({"label", "weight"})

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _graphml_type(column: ColumnType) -> str:
    if column.is_list or column.mixed:
        return "string"
    return _GRAPHML_TYPES.get(column.base, "string")


def _key(key_id: str, domain: str, name: str, attr_type: str) -> str:
    return (
        f'<key id="{key_id}" for="{domain}" attr.name="{xml_text(name)}" '
        f'attr.type="{attr_type}"/>\n'
    )


def _data(key_id: str, text: str) -> str:
    return f'<data key="{key_id}">{xml_text(text)}</data>'


def graphml_chunks(reader: SubgraphReader) -> Iterator[str]:
    """The document, in pieces, written as the nodes and relationships stream in."""
    schema = reader.schema
    node_columns = {
        key: (f"n{index}", column)
        for index, (key, column) in enumerate(schema.node_properties().items())
    }
    edge_columns = {
        key: (f"e{index}", column)
        for index, (key, column) in enumerate(schema.relationship_properties().items())
    }
    has_weights = any(g.labels[0] in ASSOCIATION_TYPES for g in schema.relationship_groups)

    yield _HEADER
    yield f"<desc>{xml_text('valuegraph export: ' + reader.plan.description)}</desc>\n"
    yield _key("label", "node", "label", "string")
    yield _key("labels", "node", "labels", "string")
    for key, (key_id, column) in node_columns.items():
        yield _key(key_id, "node", stored_key(key, NODE_RESERVED), _graphml_type(column))
    yield _key("edge_label", "edge", "label", "string")
    if has_weights:
        yield _key("weight", "edge", "weight", "double")
    for key, (key_id, column) in edge_columns.items():
        yield _key(key_id, "edge", stored_key(key, EDGE_RESERVED), _graphml_type(column))
    yield '<graph id="G" edgedefault="directed">\n'

    for node in reader.nodes():
        parts = [
            f'<node id="{xml_text(node.id)}">',
            _data("label", display_label(node)),
            _data("labels", "".join(":" + label for label in node.labels)),
        ]
        for key, value in node.properties.items():
            key_id, column = changed_if_missing(node_columns, key)
            parts.append(_data(key_id, as_text(value, column)))
        parts.append("</node>\n")
        yield "".join(parts)

    for rel in reader.relationships():
        parts = [
            f'<edge id="{xml_text(rel.id)}" source="{xml_text(rel.start)}" '
            f'target="{xml_text(rel.end)}">',
            _data("edge_label", rel.type),
        ]
        weight = association_weight(rel)
        if weight is not None:
            parts.append(_data("weight", repr(weight)))
        for key, value in rel.properties.items():
            key_id, column = changed_if_missing(edge_columns, key)
            parts.append(_data(key_id, as_text(value, column)))
        parts.append("</edge>\n")
        yield "".join(parts)
    yield "</graph>\n</graphml>\n"
