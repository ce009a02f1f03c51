"""Subgraph export: GraphML, JSON (Cytoscape.js or networkx node-link), neo4j-admin CSV, Cypher.

A selection (``selection.py``) becomes a plan of Cypher fragments; the reader
(``reader.py``) runs the plan's schema query, then streams its nodes and
relationships; a writer per format (``graphml.py``, ``json_formats.py``,
``csv_import.py``, ``cypher_script.py``) turns the stream into text as it arrives.
``pipeline.py`` ties them together for the command line and the HTTP route.

Privacy holds in every path: Conversation nodes only with ``include_conversations``,
never their ``text``, and no node resting on fewer than k conversations.
"""

from valuegraph.graph.export.json_formats import JsonStyle
from valuegraph.graph.export.pipeline import (
    CONTENT_TYPES,
    EXTENSIONS,
    ExportFormat,
    ExportRequest,
    ExportSummary,
    PreparedExport,
    format_for_path,
    prepare_export,
)
from valuegraph.graph.export.selection import (
    AROUND_KINDS,
    Around,
    Associations,
    ClusterBranch,
    Selection,
    UserQuery,
    parse_around,
    selection_from_options,
)

__all__ = [
    "AROUND_KINDS",
    "CONTENT_TYPES",
    "EXTENSIONS",
    "Around",
    "Associations",
    "ClusterBranch",
    "ExportFormat",
    "ExportRequest",
    "ExportSummary",
    "JsonStyle",
    "PreparedExport",
    "Selection",
    "UserQuery",
    "format_for_path",
    "parse_around",
    "prepare_export",
    "selection_from_options",
]
