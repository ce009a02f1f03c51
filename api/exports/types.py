"""The GraphQL enums of the ``exportUrl`` field, made from the export layer's own enums."""

from __future__ import annotations

import graphene

from valuegraph.graph.export import ExportFormat, JsonStyle

ExportFormatEnum = graphene.Enum(
    "ExportFormat", [(f.name, f.value) for f in ExportFormat], description="An export format."
)
JsonStyleEnum = graphene.Enum(
    "ExportJsonStyle",
    [(s.name.replace("-", "_"), s.value) for s in JsonStyle],
    description="JSON layout: Cytoscape.js elements or networkx node-link.",
)
