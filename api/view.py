"""The ``/graphql`` view: graphql-server's Flask view with our guards, loaders and error policy.

Every document passes :func:`~valuegraph.api.validation.document.checked_document` before it
runs; answers without errors are kept in the provider's memo; failures reach the client only as
:mod:`~valuegraph.api.public_errors` shows them. Browsers asking for HTML get GraphiQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, request
from graphql import DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema, execute
from graphql.language import OperationType
from graphql_server.flask.views import GraphQLView
from graphql_server.http import GraphQLRequestData
from graphql_server.http.exceptions import HTTPException as GraphQLHTTPException
from graphql_server.http.sync_base_view import SyncHTTPRequestAdapter

from valuegraph.api.core.context import RequestContext
from valuegraph.api.graphiql import graphiql_page
from valuegraph.api.loaders import BatchedExecutionContext
from valuegraph.api.paths import GRAPHQL_PATH
from valuegraph.api.provider import GraphProvider
from valuegraph.api.public_errors import public_errors, public_message
from valuegraph.api.responses import error_response
from valuegraph.api.validation.document import checked_document
from valuegraph.errors import ValuegraphError


class ValuegraphView(GraphQLView):
    """graphql-server's Flask view, with our guards, loaders, error policy and GraphiQL."""

    def __init__(self, graphql_schema: GraphQLSchema, provider: GraphProvider) -> None:
        super().__init__(schema=graphql_schema, graphql_ide="graphiql")
        self.provider = provider
        self.limits = provider.limits

    def dispatch_request(self) -> Response:
        problem = json_body_problem()
        if problem is not None:
            return error_response(problem, "BAD_REQUEST", 400)
        # graphql-server answers a malformed request in plain text; clients get JSON errors.
        try:
            response: Response = self.run(request=request)
        except GraphQLHTTPException as error:
            return error_response(error.reason, "BAD_REQUEST", error.status_code)
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
        key = (request_data.query, canonical_variables(variables), request_data.operation_name)
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


def canonical_variables(variables: Any) -> str:
    """Variables as one string, the same for the same values in any key order."""
    return json.dumps(variables, sort_keys=True, separators=(",", ":"), default=str)


def json_body_problem() -> str | None:
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
