"""The root ``exportUrl`` field: the URL that downloads a selection, checked as the download is.

:data:`EXPORT_URL_FIELD` is the whole field, ready to mount on a Query.
"""

from __future__ import annotations

from typing import Any

import graphene
from flask import has_request_context, request

from valuegraph.api.exports.options import export_url, request_from_args
from valuegraph.api.exports.types import ExportFormatEnum, JsonStyleEnum
from valuegraph.graph.export import ExportFormat, JsonStyle


def resolve_export_url(
    root: object,
    info: graphene.ResolveInfo,
    format: str = ExportFormat.GRAPHML.value,
    json_style: str = JsonStyle.CYTOSCAPE.value,
    **selection: Any,
) -> str:
    """Check the options as ``GET /export`` would (no query runs), then return its URL."""
    options = {
        "around": selection.get("around"),
        "depth": selection.get("depth"),
        "top_k": selection.get("top_k"),
        "cluster": selection.get("cluster"),
        "associations": selection.get("associations") or False,
        "min_residual": selection.get("min_residual"),
        "cypher": selection.get("cypher"),
        "format": getattr(format, "value", format),
        "json_style": getattr(json_style, "value", json_style),
        "include_conversations": selection.get("include_conversations") or False,
    }
    as_args = {
        k: ("true" if v is True else str(v)) for k, v in options.items() if v not in (None, False)
    }
    request_from_args(as_args)  # the same checks as the download; an InputError names the option
    base = request.host_url if has_request_context() else ""
    return export_url(base, **options)


EXPORT_URL_FIELD = graphene.Field(
    graphene.NonNull(graphene.String),
    around=graphene.String(
        description='One item\'s neighbourhood, e.g. value:"healthy boundaries".'
    ),
    depth=graphene.Int(description="Rounds of expansion for around (default 2)."),
    top_k=graphene.Int(description="Strongest partners kept per node for around (default 10)."),
    cluster=graphene.ID(description="A taxonomy cluster and everything beneath it."),
    associations=graphene.Boolean(description="The materialised associations."),
    min_residual=graphene.Float(description="With associations: the lowest adjusted residual."),
    cypher=graphene.String(description="A read-only Cypher query (checked when downloaded)."),
    format=ExportFormatEnum(default_value=ExportFormat.GRAPHML.value),
    json_style=JsonStyleEnum(default_value=JsonStyle.CYTOSCAPE.value),
    include_conversations=graphene.Boolean(description="Also Conversation nodes, never text."),
    resolver=resolve_export_url,
    description="The URL that downloads this selection as a file (GET /export).",
)
