"""The Flask app: ``/graphql`` (POST and GET, GraphiQL for browsers), ``/healthz``, the routes.

``create_app(settings)`` puts the pieces together: the provider (one Neo4j driver, made on
first use, and the per-process memos: ``provider.py``), the GraphQL view (``view.py``), the
gates every request passes (size, token, CORS: ``gates.py``), and the other routes (the
report, exports, the Neo4j Browser's files) as the blueprints in :data:`BLUEPRINTS`, behind the
same gates. Which paths need no token is decided here, in :data:`PUBLIC_PREFIXES`.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from valuegraph.api.browser.routes import browser
from valuegraph.api.exports.routes import exports
from valuegraph.api.gates import install_gates
from valuegraph.api.graphiql import ASSETS_URL, assets
from valuegraph.api.paths import GRAPHQL_PATH, HEALTH_PATH
from valuegraph.api.provider import GraphProvider
from valuegraph.api.report_routes import report_blueprint
from valuegraph.api.responses import json_response
from valuegraph.api.schema import schema
from valuegraph.api.settings import ApiLimits, api_limits
from valuegraph.api.view import ValuegraphView
from valuegraph.errors import ValuegraphError
from valuegraph.settings import Settings

# The routes besides /graphql and /healthz, registered by every app in this order.
BLUEPRINTS: tuple[Blueprint, ...] = (report_blueprint, exports, browser)

# Path prefixes served without the API token: files that hold no data and that a browser
# fetches without being able to add a header. Keep this list short.
PUBLIC_PREFIXES: list[str] = [ASSETS_URL + "/", "/browser/"]

HEALTH_QUERY = "RETURN 1 AS ok"


def create_app(settings: Settings, limits: ApiLimits | None = None) -> Flask:
    """The API app for ``settings``; ``limits`` default to the API's part of ``settings``."""
    limits = limits or api_limits(settings)
    provider = GraphProvider(settings, limits)
    app = Flask("valuegraph.api")
    app.config["MAX_CONTENT_LENGTH"] = limits.max_request_bytes
    app.extensions["valuegraph"] = provider
    view = ValuegraphView.as_view(
        "graphql", graphql_schema=schema.graphql_schema, provider=provider
    )
    app.add_url_rule(GRAPHQL_PATH, view_func=view, methods=["GET", "POST", "OPTIONS"])
    app.add_url_rule(HEALTH_PATH, view_func=lambda: health(provider), methods=["GET"])
    app.register_blueprint(assets)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    install_gates(app, settings, limits, PUBLIC_PREFIXES)
    return app


def health(provider: GraphProvider) -> Response:
    """200 if Neo4j answers a trivial read, 503 (with the reason, never a trace) if not."""
    try:
        provider.get().read(HEALTH_QUERY)
    except ValuegraphError as exc:
        body = {"status": "unavailable", "neo4j": "unreachable", "message": str(exc)}
        return json_response(body, 503)
    return json_response({"status": "ok", "neo4j": "reachable"}, 200)
