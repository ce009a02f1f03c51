"""``GET /export``: a subgraph as a streamed download, with the options of ``valuegraph export``.

Query parameters: one selection (``around`` with ``depth`` and ``top_k``; ``cluster``;
``associations=true`` with ``min_residual``; ``cypher``), then ``format`` (graphml, json,
csv, cypher; default graphml), ``json_style`` and ``include_conversations``. CSV comes as a
zip of the ``neo4j-admin database import`` files.

Everything that can fail on the user's side happens before the first byte: the options are
parsed, the selection planned (a write query is refused here, before it runs), and the
schema read. Such failures are a 400 (503 when Neo4j is down) with a one-line message;
then the body streams as Neo4j returns rows.

:func:`export_url` builds the URL for a selection; the GraphQL ``exportUrl`` field uses it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import graphene
from flask import (
    Blueprint,
    Response,
    current_app,
    has_request_context,
    request,
    stream_with_context,
)

from valuegraph.api.public_errors import public_message
from valuegraph.errors import InputError, ValuegraphError
from valuegraph.graph.connection import Graph
from valuegraph.graph.export import (
    CONTENT_TYPES,
    EXTENSIONS,
    ExportFormat,
    ExportRequest,
    JsonStyle,
    prepare_export,
)
from valuegraph.graph.export.selection import selection_from_options
from valuegraph.settings import Settings

log = logging.getLogger("valuegraph.api.export")

exports = Blueprint("export", __name__)
EXPORT_PATH = "/export"
_STATUS = {"BAD_REQUEST": 400, "DATABASE_UNAVAILABLE": 503, "QUERY_TIMEOUT": 504}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _flag(args: Mapping[str, str], name: str) -> bool:
    raw = args.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InputError(f"{name}={raw!r}: expected true or false")


def _number(args: Mapping[str, str], name: str, kind: type[int] | type[float], default: Any) -> Any:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r}: expected a number") from None


def _choice(args: Mapping[str, str], name: str, choices: list[str], default: str) -> str:
    raw = args.get(name, default).strip().lower() or default
    if raw not in choices:
        raise InputError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def request_from_args(args: Mapping[str, str]) -> ExportRequest:
    """An :class:`ExportRequest` from query parameters, or an InputError naming the parameter."""
    selection = selection_from_options(
        args.get("around"),
        args.get("cluster"),
        _flag(args, "associations"),
        args.get("cypher"),
        depth=_number(args, "depth", int, 2),
        top_k=_number(args, "top_k", int, 10),
        min_residual=_number(args, "min_residual", float, 0.0),
    )
    fmt = _choice(args, "format", [f.value for f in ExportFormat], ExportFormat.GRAPHML.value)
    style = _choice(args, "json_style", [s.value for s in JsonStyle], JsonStyle.CYTOSCAPE.value)
    return ExportRequest(
        selection, ExportFormat(fmt), JsonStyle(style), _flag(args, "include_conversations")
    )


def export_url(base: str = "", **options: Any) -> str:
    """``/export?...`` for the given options (None and False left out), after ``base``."""
    query = {
        key: ("true" if value is True else value)
        for key, value in options.items()
        if value is not None and value is not False
    }
    return f"{base.rstrip('/')}{EXPORT_PATH}?{urlencode(query)}"


def _graph_and_settings() -> tuple[Graph, Settings]:
    """The app's Neo4j connection and settings (``create_app`` keeps them in its provider)."""
    provider = current_app.extensions["valuegraph"]
    return provider.get(), provider.settings


def _error(message: str, code: str, status: int) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(json.dumps(body), status=status, mimetype="application/json")


@exports.get(EXPORT_PATH)
def export_download() -> Response:
    try:
        export_request = request_from_args(request.args)
        graph, settings = _graph_and_settings()
        prepared = prepare_export(
            graph, export_request, min_conversations=settings.min_conversations
        )
        schema = prepared.schema  # read now, so its failures are a 400, not a cut-off body
    except ValuegraphError as exc:
        # The API's policy: clear messages for the client's mistakes, none of our Cypher.
        message, code = public_message(exc)
        return _error(message, code, _STATUS.get(code, 500))

    def body() -> Iterator[bytes]:
        try:
            yield from prepared.chunks()
        except ValuegraphError as exc:  # after the headers, all we can do is stop and log
            log.warning("export stopped: %s", exc)

    fmt = export_request.format
    response = Response(stream_with_context(body()), mimetype=CONTENT_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = CONTENT_TYPES[fmt]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="valuegraph-export{EXTENSIONS[fmt]}"'
    )
    response.headers["X-Valuegraph-Nodes"] = str(schema.node_count)
    response.headers["X-Valuegraph-Relationships"] = str(schema.relationship_count)
    response.headers["X-Valuegraph-Suppressed"] = str(
        schema.suppressed_nodes + prepared.reader.plan.suppressed_pairs
    )
    return response


# --- GraphQL: the URL of an export (add ``export_url = EXPORT_URL_FIELD`` to api.schema.Query) ---

ExportFormatEnum = graphene.Enum(
    "ExportFormat", [(f.name, f.value) for f in ExportFormat], description="An export format."
)
JsonStyleEnum = graphene.Enum(
    "ExportJsonStyle",
    [(s.name.replace("-", "_"), s.value) for s in JsonStyle],
    description="JSON layout: Cytoscape.js elements or networkx node-link.",
)


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
