"""``GET /export``: a subgraph as a streamed download, with the options of ``valuegraph export``.

The options are in ``options.py``; CSV comes as a zip of the ``neo4j-admin database import``
files. Everything that can fail on the user's side happens before the first byte: the options
are parsed, the selection planned (a write query is refused here, before it runs), and the
schema read. Such failures are a 400 (503 when Neo4j is down) with a one-line message; then the
body streams as Neo4j returns rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request, stream_with_context

from valuegraph.api.exports.options import EXPORT_PATH, request_from_args
from valuegraph.api.public_errors import public_message
from valuegraph.api.responses import error_response
from valuegraph.errors import ValuegraphError
from valuegraph.graph.connection import Graph
from valuegraph.graph.export import CONTENT_TYPES, EXTENSIONS, prepare_export
from valuegraph.settings import Settings

log = logging.getLogger("valuegraph.api.export")

exports = Blueprint("export", __name__)
_STATUS = {"BAD_REQUEST": 400, "DATABASE_UNAVAILABLE": 503, "QUERY_TIMEOUT": 504}


def _graph_and_settings() -> tuple[Graph, Settings]:
    """The app's Neo4j connection and settings (``create_app`` keeps them in its provider)."""
    provider = current_app.extensions["valuegraph"]
    return provider.get(), provider.settings


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
        return error_response(message, code, _STATUS.get(code, 500))

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
