"""Whether a GraphQL document may run: every check before execution, in order, in one call.

Every request passes, in order: the token check and the size check (in ``api/app.py``, on the
raw HTTP request), then GraphQL validation with the depth and introspection rules, then the
cost and page-size analysis (which needs the variables, so it runs after validation). Only a
document that passes all of them is executed. A rejected one gets a GraphQL error that says
which limit it broke and by how much, with a machine-readable ``extensions.code``.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    ValidationRule,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import OperationType
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql_server.exceptions import GraphQLValidationError, InvalidOperationTypeError

from valuegraph.api.settings import ApiLimits
from valuegraph.api.validation.cost import analyse_cost
from valuegraph.api.validation.depth import depth_rule


def validation_rules(limits: ApiLimits) -> tuple[type[ValidationRule], ...]:
    """Rules added to graphql-core's standard ones: the depth limit, and introspection if off."""
    rules: list[type[ValidationRule]] = [depth_rule(limits.max_depth)]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


def checked_document(
    schema: GraphQLSchema,
    query: object,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: ApiLimits,
    allowed: Set[OperationType] = frozenset({OperationType.QUERY}),
) -> DocumentNode:
    """The parsed document, if it passes every guard; else ``GraphQLValidationError``.

    Order: parse, operation type, the standard rules plus depth (and introspection), then cost
    and page sizes with the variables' values. Nothing here touches Neo4j.
    """
    if not isinstance(query, str) or not query.strip():
        missing = GraphQLError("no GraphQL query found in the request")
        raise GraphQLValidationError([with_code(missing, "GRAPHQL_PARSE_FAILED")])
    document, errors = _parsed_and_validated(schema, query, limits)
    if errors:
        raise GraphQLValidationError(list(errors))
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        wanted = f"an operation named {operation_name!r}" if operation_name else "one operation"
        error = GraphQLError(f"the document must hold {wanted} (pass operationName to choose)")
        raise GraphQLValidationError([with_code(error, "GRAPHQL_VALIDATION_FAILED")])
    if operation.operation not in allowed:
        raise InvalidOperationTypeError(operation.operation, set(allowed))
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):
        raise GraphQLValidationError([with_code(e, "BAD_USER_INPUT") for e in coerced])
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    report = analyse_cost(schema, operation, fragments, coerced, limits)
    if report.errors:
        raise GraphQLValidationError(report.errors)
    return document


@lru_cache(maxsize=1024)
def _parsed_and_validated(
    schema: GraphQLSchema, query: str, limits: ApiLimits
) -> tuple[DocumentNode, tuple[GraphQLError, ...]]:
    """Parse and validate once per distinct query text (clients repeat the same few)."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return DocumentNode(definitions=()), (with_code(error, "GRAPHQL_PARSE_FAILED"),)
    rules = (*specified_rules, *validation_rules(limits))
    errors = validate(schema, document, rules)
    return document, tuple(with_code(error, "GRAPHQL_VALIDATION_FAILED") for error in errors)


def with_code(error: GraphQLError, code: str) -> GraphQLError:
    """The error with ``extensions.code`` set, unless it has one (the guards set their own)."""
    if (error.extensions or {}).get("code"):
        return error
    extensions = {**(error.extensions or {}), "code": code}
    return GraphQLError(
        error.message, error.nodes, error.source, error.positions, error.path, None, extensions
    )
