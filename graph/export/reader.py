"""Runs a :class:`SubgraphPlan`: first its schema, then its nodes and relationships as streams.

Nothing here holds more than one record at a time: node and relationship rows
come from ``Graph.stream`` and are handed on as they arrive; duplicates are removed
by the server (``WITH DISTINCT``), not by a set in this process. The schema is a
handful of aggregate rows. So the memory of an export does not grow with the
subgraph, only its running time does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Any

from valuegraph.graph import statements
from valuegraph.graph.connection import Graph
from valuegraph.graph.export.model import (
    ExportNode,
    ExportRelationship,
    SchemaBuilder,
    SubgraphSchema,
    parse_value_type,
)
from valuegraph.graph.export.selection import ComputedRows, CypherRows, SubgraphPlan

# Properties that never leave the database, whatever the selection (raw conversation text).
PROGRESS_EVERY = 1000
PRIVATE_PROPERTIES: Mapping[str, frozenset[str]] = {"Conversation": frozenset({"text"})}


def _public(labels: tuple[str, ...], properties: Mapping[str, Any]) -> dict[str, Any]:
    """Properties without nulls and without private keys (the query drops them too)."""
    private: frozenset[str] = frozenset().union(
        *(PRIVATE_PROPERTIES.get(label, frozenset()) for label in labels)
    )
    return {k: v for k, v in properties.items() if v is not None and k not in private}


class SubgraphReader:
    """The nodes, relationships and schema of one plan, read from one graph."""

    def __init__(
        self,
        graph: Graph,
        plan: SubgraphPlan,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.graph = graph
        self.plan = plan
        self.on_progress = on_progress
        self.nodes_read = 0
        self.relationships_read = 0

    def _tick(self) -> None:
        done = self.nodes_read + self.relationships_read
        if self.on_progress is not None and done % PROGRESS_EVERY == 0:
            self.on_progress(done)

    # --- schema ----------------------------------------------------------------------------
    @cached_property
    def schema(self) -> SubgraphSchema:
        nodes = SchemaBuilder("node")
        counts = {"conversations": 0, "suppressed": 0, "relationships": 0}
        for row in self._schema_rows(
            statements.node_schema_query(self.plan.nodes.fragment), self.plan.nodes.params
        ):
            labels = tuple(row["labels"])
            if not row["kept"]:
                counts["conversations" if "Conversation" in labels else "suppressed"] += row["rows"]
            else:
                self._add_schema_row(nodes, labels, row)
        relationships = SchemaBuilder("relationship")
        for source in self.plan.relationships:
            if isinstance(source, ComputedRows):
                for rel in source.relationships:
                    relationships.add_element((rel.type,), rel.properties)
                continue
            query = statements.relationship_schema_query(source.fragment)
            for row in self._schema_rows(query, source.params):
                if not row["kept"]:
                    counts["relationships"] += row["rows"]
                else:
                    self._add_schema_row(relationships, tuple(row["labels"]), row)
        return SubgraphSchema(
            node_groups=nodes.groups(),
            relationship_groups=relationships.groups(),
            excluded_conversations=counts["conversations"],
            suppressed_nodes=counts["suppressed"],
            excluded_relationships=counts["relationships"],
        )

    def _schema_rows(self, query: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self.graph.read(query, params)

    @staticmethod
    def _add_schema_row(
        builder: SchemaBuilder, labels: tuple[str, ...], row: Mapping[str, Any]
    ) -> None:
        if row["key"] is None:
            builder.add_count(labels, int(row["rows"]))
            return
        for type_name in row["types"]:
            builder.add_type(labels, row["key"], parse_value_type(type_name))

    # --- streams ---------------------------------------------------------------------------
    def nodes(self, labels: tuple[str, ...] | None = None) -> Iterator[ExportNode]:
        """Every node of the plan (or of one label combination), each once."""
        source = self.plan.nodes
        params = {**source.params, "only_labels": list(labels) if labels is not None else None}
        with self.graph.stream(statements.node_rows_query(source.fragment), params) as records:
            for record in records:
                node_labels = tuple(record["labels"])
                self.nodes_read += 1
                self._tick()
                yield ExportNode(record["id"], node_labels, _public(node_labels, record["props"]))

    def relationships(self, type_: str | None = None) -> Iterator[ExportRelationship]:
        """Every relationship of the plan (or of one type), each once."""
        for source in self.plan.relationships:
            if isinstance(source, ComputedRows):
                for rel in source.relationships:
                    if type_ is None or rel.type == type_:
                        self.relationships_read += 1
                        self._tick()
                        yield rel
            else:
                yield from self._stored_relationships(source, type_)

    def _stored_relationships(
        self, source: CypherRows, type_: str | None
    ) -> Iterator[ExportRelationship]:
        params = {**source.params, "only_type": type_}
        query = statements.relationship_rows_query(source.fragment)
        with self.graph.stream(query, params) as records:
            for record in records:
                self.relationships_read += 1
                self._tick()
                yield ExportRelationship(
                    record["id"],
                    record["type"],
                    record["start"],
                    record["end"],
                    {k: v for k, v in record["props"].items() if v is not None},
                )
