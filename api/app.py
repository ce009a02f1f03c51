"""The Flask app: ``/graphql`` (POST and GET, GraphiQL for browsers), ``/healthz``, the guards.

``create_app(settings)`` builds an app bound to one Neo4j driver. The driver is made on first
use and reconnects by itself, so the app starts while Neo4j is down, answers "database not
reachable" meanwhile, and recovers on its own once Neo4j is back; no restart is needed.

Answers are kept, by request text and variables, until the graph changes (the same fingerprint
check as the analyses' store, at most every ``cache_recheck_seconds``); a dashboard asking the
same question again gets the kept answer. ``VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES=0`` turns
that off. Answers with errors are never kept.

Before any GraphQL work a request passes the size check and, when ``VALUEGRAPH_API_TOKEN`` is
set, the bearer-token check (constant-time). Exempt from the token are only the GraphiQL shell
and its static files (they carry no data, and a browser cannot send a header to open them) and
CORS preflights (browsers never send credentials on those).

The other routes (the report, exports, the Neo4j Browser's files) are Flask blueprints listed in
:data:`BLUEPRINTS`; they sit behind the same token and size checks.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, request
from graphql import DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema, execute
from graphql.language import OperationType
from graphql_server.flask.views import GraphQLView
from graphql_server.http import GraphQLRequestData
from graphql_server.http.exceptions import HTTPException as GraphQLHTTPException
from graphql_server.http.sync_base_view import SyncHTTPRequestAdapter
from neo4j import GraphDatabase
from werkzeug.exceptions import HTTPException

from valuegraph.api.auth import bearer_token_matches
from valuegraph.api.browser_routes import browser
from valuegraph.api.core.context import RequestContext
from valuegraph.api.export_routes import exports
from valuegraph.api.graphiql import ASSETS_URL, assets, graphiql_page
from valuegraph.api.loaders import Analyses, AnalysisStore, BatchedExecutionContext
from valuegraph.api.public_errors import public_errors, public_message
from valuegraph.api.report_routes import report_blueprint
from valuegraph.api.schema import schema
from valuegraph.api.settings import ApiLimits, api_limits
from valuegraph.api.validation.document import checked_document
from valuegraph.errors import GraphUnavailable, ValuegraphError
from valuegraph.graph.connection import Graph, resolve_password
from valuegraph.settings import Settings

log = logging.getLogger("valuegraph.api")

# The routes besides /graphql and /healthz, registered by every app in this order.
BLUEPRINTS: tuple[Blueprint, ...] = (report_blueprint, exports, browser)

# Path prefixes served without the API token: files that hold no data and that a browser
# fetches without being able to add a header. Keep this list short.
PUBLIC_PREFIXES: list[str] = [ASSETS_URL + "/", "/browser/"]

GRAPHQL_PATH = "/graphql"
HEALTH_PATH = "/healthz"
# A dead Neo4j should cost a request about a second, not the driver's default 30 s of retries.
RETRY_SECONDS = 1.0
CONNECT_SECONDS = 5.0
HEALTH_QUERY = "RETURN 1 AS ok"


class GraphProvider:
    """One driver per app, made on first use (so the app starts while Neo4j is down)."""

    def __init__(self, settings: Settings, limits: ApiLimits) -> None:
        self.settings = settings
        self.limits = limits
        self._graph: Graph | None = None
        self._lock = threading.Lock()
        store = AnalysisStore(limits.cache_recheck_seconds, limits.cache_max_age_seconds)
        self.analyses = Analyses(store, settings.min_conversations)
        # Whole answers, by request, until the graph changes: dashboards repeat themselves.
        self.responses = (
            AnalysisStore(
                limits.cache_recheck_seconds,
                limits.cache_max_age_seconds,
                max_entries=limits.response_cache_entries,
            )
            if limits.response_cache_entries
            else None
        )

    def get(self) -> Graph:
        if self._graph is None:
            with self._lock:
                if self._graph is None:
                    self._graph = self._connect()
        return self._graph

    def _connect(self) -> Graph:
        settings = self.settings
        uri = settings.resolved_uri
        try:
            driver = GraphDatabase.driver(
                uri,
                auth=(settings.neo4j_user, resolve_password(settings)),
                connection_timeout=CONNECT_SECONDS,
                connection_acquisition_timeout=self.limits.query_timeout,
                max_transaction_retry_time=RETRY_SECONDS,
                max_connection_pool_size=max(64, 2 * self.limits.threads),
                notifications_min_severity="OFF",
            )
        except ValuegraphError:
            raise
        except Exception as exc:
            raise GraphUnavailable(f"cannot open a driver for {uri}: {type(exc).__name__}") from exc
        return Graph(driver, settings.neo4j_database, self.limits.query_timeout, uri)

    def close(self) -> None:
        with self._lock:
            if self._graph is not None:
                self._graph.close()
                self._graph = None


class ValuegraphView(GraphQLView):
    """graphql-server's Flask view, with our guards, loaders, error policy and GraphiQL."""

    def __init__(self, graphql_schema: GraphQLSchema, provider: GraphProvider) -> None:
        super().__init__(schema=graphql_schema, graphql_ide="graphiql")
        self.provider = provider
        self.limits = provider.limits

    def dispatch_request(self) -> Response:
        problem = _json_body_problem()
        if problem is not None:
            return _error_response(problem, "BAD_REQUEST", 400)
        # graphql-server answers a malformed request in plain text; clients get JSON errors.
        try:
            response: Response = self.run(request=request)
        except GraphQLHTTPException as error:
            return _error_response(error.reason, "BAD_REQUEST", error.status_code)
        return response

    def get_context(self, request: Any, response: Response) -> RequestContext:  # type: ignore[override]
        provider = self.provider
        return RequestContext(provider.get, provider.settings, self.limits, provider.analyses)

    def execute_operation(
        self,
        request_adapter: SyncHTTPRequestAdapter,
        request_data: GraphQLRequestData,
        context: Any,
        root_value: Any,
        allowed_operation_types: set[OperationType],
    ) -> ExecutionResult:
        variables = request_data.variables
        document = checked_document(
            self.schema,
            request_data.query,
            request_data.operation_name,
            variables,
            self.limits,
            allowed_operation_types,
        )

        def run() -> ExecutionResult:
            return self._execute(document, context, root_value, request_data)

        responses = self.provider.responses
        if responses is None:
            return run()
        key = (request_data.query, _canonical(variables), request_data.operation_name)
        try:
            return responses.get(self.provider.get(), key, run, keep=lambda r: not r.errors)
        except ValuegraphError:
            # The cache could not ask Neo4j whether the graph changed: answer without it (a
            # field that needs Neo4j then reports the outage itself).
            return run()

    def _execute(
        self,
        document: DocumentNode,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            result = execute(
                self.schema,
                document,
                root_value=root_value,
                context_value=context,
                variable_values=request_data.variables,
                operation_name=request_data.operation_name,
                execution_context_class=BatchedExecutionContext,
            )
            if not isinstance(result, ExecutionResult):  # only async resolvers return these
                raise TypeError("the schema must resolve synchronously")
        except Exception as exc:
            # The view would send str(exc) as plain text; clients get a GraphQL error instead.
            message, code = public_message(exc)
            return ExecutionResult(None, [GraphQLError(message, extensions={"code": code})])
        if result.errors:
            return ExecutionResult(result.data, public_errors(result.errors), result.extensions)
        return result

    def render_graphql_ide(self, request: Any, request_data: GraphQLRequestData) -> Response:
        variables = request_data.variables
        return graphiql_page(
            GRAPHQL_PATH,
            request_data.query,
            json.dumps(variables) if isinstance(variables, Mapping) else None,
            auth=self.provider.settings.api_token is not None,
        )


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
    _install_gates(app, settings, limits)
    return app


def health(provider: GraphProvider) -> Response:
    """200 if Neo4j answers a trivial read, 503 (with the reason, never a trace) if not."""
    try:
        provider.get().read(HEALTH_QUERY)
    except ValuegraphError as exc:
        body = {"status": "unavailable", "neo4j": "unreachable", "message": str(exc)}
        return _json(body, 503)
    return _json({"status": "ok", "neo4j": "reachable"}, 200)


# --- the gates every request passes -------------------------------------------------------


def _install_gates(app: Flask, settings: Settings, limits: ApiLimits) -> None:
    token = settings.api_token.get_secret_value() if settings.api_token else None
    origins = _cors_origins(settings.api_cors_origins)

    @app.before_request
    def gate() -> Response | None:
        if request.method == "OPTIONS":
            # A CORS preflight never carries credentials. Ours are answered here; a blueprint's
            # own OPTIONS handler (if any) answers its routes.
            return Response(status=204) if request.path in (GRAPHQL_PATH, HEALTH_PATH) else None
        too_big = _oversized(limits)
        if too_big is not None:
            return too_big
        if token is None or _exempt_from_token():
            return None
        if bearer_token_matches(request.headers.get("Authorization"), token):
            return None
        response = _error_response("missing or wrong bearer token", "UNAUTHENTICATED", 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="valuegraph"'
        return response

    @app.after_request
    def decorate(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and ("*" in origins or origin in origins):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "600"
            response.headers.add("Vary", "Origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        message = error.description or error.name
        if code == 413:
            message = f"the request is larger than the limit of {limits.max_request_bytes} bytes"
        return _error_response(message, error.name.upper().replace(" ", "_"), code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
        return _error_response("internal error; the server log has the details", "INTERNAL", 500)


def _oversized(limits: ApiLimits) -> Response | None:
    """413 for a body or query string over the limit, before anything reads or parses it."""
    length = request.content_length or 0
    query_string = len(request.query_string)
    if max(length, query_string) <= limits.max_request_bytes:
        return None
    size = max(length, query_string)
    return _error_response(
        f"the request is {size} bytes; the limit is {limits.max_request_bytes}",
        "REQUEST_TOO_LARGE",
        413,
    )


def _exempt_from_token() -> bool:
    """The GraphiQL shell and its files: no data in them, and a browser cannot send a header."""
    if any(request.path.startswith(prefix) for prefix in PUBLIC_PREFIXES):
        return True
    wants_html = "text/html" in request.headers.get("Accept", "")
    return request.path == GRAPHQL_PATH and request.method == "GET" and wants_html


def _canonical(variables: Any) -> str:
    """Variables as one string, the same for the same values in any key order."""
    return json.dumps(variables, sort_keys=True, separators=(",", ":"), default=str)


def _cors_origins(configured: str) -> frozenset[str]:
    return frozenset(
        origin.strip().rstrip("/") for origin in configured.split(",") if origin.strip()
    )


def _json_body_problem() -> str | None:
    """What is wrong with a JSON request body, before graphql-server parses it.

    graphql-server trusts the body's shape: a batch (an array), a bare string, bytes that are
    not UTF-8 or JSON nested past Python's recursion limit each end in an exception it does
    not catch, and so in a 500.
    """
    if request.method != "POST" or request.mimetype != "application/json":
        return None
    try:
        body = json.loads(request.get_data(cache=True).decode("utf-8"))
    except UnicodeDecodeError:
        return "the request body is not UTF-8"
    except json.JSONDecodeError as exc:
        return f"the request body is not JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return "the request body is JSON nested too deeply"
    if not isinstance(body, dict):
        return "the request body must be one JSON object: {query, variables, operationName}"
    if not isinstance(body.get("variables"), dict | str | None):  # some clients send a string
        return "variables must be a JSON object"
    if not isinstance(body.get("query"), str | None):
        return "query must be a string"
    return None


def _error_response(message: str, code: str, status: int) -> Response:
    return _json({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def _json(body: Mapping[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
