"""What the API refuses, before anything reaches Neo4j, and what it lets clients see of a failure.

Every request passes, in order: the token check and the size check (in ``api/app.py``, on the
raw HTTP request), then GraphQL validation with the depth and introspection rules, then the
cost and page-size analysis below (which needs the variables, so it runs after validation).
Only a document that passes all of them is executed. A rejected one gets a GraphQL error that
says which limit it broke and by how much, with a machine-readable ``extensions.code``.

Failures during execution are shown as errors with clear messages and never with a stack trace
or a line of Cypher: driver errors are reduced to their kind, anything unexpected to "internal
error" plus an id that the server log carries with the details.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    value_from_ast,
)
from graphql.execution.values import get_variable_values
from graphql.language import OperationType
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql_server.exceptions import GraphQLValidationError, InvalidOperationTypeError
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from valuegraph.errors import GraphUnavailable, InputError, QueryError, ValuegraphError

log = logging.getLogger("valuegraph.api")

# Arguments that set how many items a list field returns; the cost multiplies by them.
PAGE_ARGUMENTS = ("first", "top")
# Lists with no page argument, and how many items each holds at most in practice.
LIST_ESTIMATES: Mapping[str, int] = {
    "Value.roles": 2,
    "Value.ancestors": 4,
    "Cluster.ancestors": 4,
    "Conversation.aiValues": 20,
    "Conversation.humanValues": 10,
    "Stats.models": 10,
    "Stats.labels": 10,
    "Stats.relationships": 10,
}
DEFAULT_LIST_ESTIMATE = 10
# In a connection the page argument already counted the items; its edges/nodes lists are that page.
CONNECTION_LISTS = ("edges", "nodes")


class ApiLimits(BaseSettings):
    """The guards' limits, read from ``VALUEGRAPH_API_*`` variables (and ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="VALUEGRAPH_API_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    max_depth: int = Field(default=10, ge=1, description="Deepest selection allowed.")
    max_cost: int = Field(
        default=20_000, ge=1, description="Most fields a query may resolve, lists multiplied out."
    )
    max_page_size: int = Field(default=100, ge=1, description="Largest `first` or `top`.")
    max_request_bytes: int = Field(
        default=100_000, ge=256, description="Largest request body or query string."
    )
    introspection: bool = Field(default=True, description="Whether __schema/__type are answered.")
    query_timeout: float = Field(default=15.0, gt=0, description="Seconds per Neo4j transaction.")
    cache_recheck_seconds: float = Field(
        default=2.0, ge=0, description="How often cached analyses check whether the graph changed."
    )
    cache_max_age_seconds: float = Field(
        default=600.0, ge=0, description="The longest a cached analysis result is served."
    )
    threads: int = Field(default=16, ge=1, le=256, description="Worker threads of `serve`.")
    response_cache_entries: int = Field(
        default=2048,
        ge=0,
        description="Answers kept until the graph changes (0: none; every request is executed).",
    )


# --- the rejection ------------------------------------------------------------------------


class RequestRejected(QueryError):
    """A guard refused the request; ``code`` says which one."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_page_size(argument: str, value: int | None, limits: ApiLimits) -> None:
    """Refuse a page size outside 0..max; resolvers call this too, as a second line."""
    if value is None:
        return
    if value < 0:
        raise RequestRejected(f"{argument} must not be negative, got {value}", "BAD_PAGE_SIZE")
    if value > limits.max_page_size:
        raise RequestRejected(
            f"{argument}: {value} is over the maximum page size {limits.max_page_size}",
            "PAGE_TOO_LARGE",
        )


def bearer_token_matches(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries ``token``; constant-time, so timing tells nothing."""
    scheme, _, presented = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def validation_rules(limits: ApiLimits) -> tuple[type[ValidationRule], ...]:
    """Rules added to graphql-core's standard ones: the depth limit, and introspection if off."""
    rules: list[type[ValidationRule]] = [depth_rule(limits.max_depth)]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


# --- depth --------------------------------------------------------------------------------


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule class that refuses operations nested deeper than ``max_depth``."""

    class MaxDepthRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {f.name.value: f for f in self.context.document.definitions
                         if isinstance(f, FragmentDefinitionNode)}  # fmt: skip
            depth = selection_depth(node.selection_set, fragments, frozenset())
            if depth > max_depth:
                name = f" {node.name.value}" if node.name else ""
                self.report_error(
                    GraphQLError(
                        f"query{name} is {depth} levels deep; the limit is {max_depth}",
                        node,
                        extensions={"code": "QUERY_TOO_DEEP"},
                    )
                )

    return MaxDepthRule


def selection_depth(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    """Levels of fields below ``selection_set``; introspection is left to its own rule."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            below = selection_depth(selection.selection_set, fragments, seen)
            deepest = max(deepest, 1 + below)
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, selection_depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            # A cycle or an unknown fragment is reported by the standard rules; count it as 0.
            if fragment is not None and name not in seen:
                inner = selection_depth(fragment.selection_set, fragments, seen | {name})
                deepest = max(deepest, inner)
    return deepest


# --- cost and page sizes ------------------------------------------------------------------


@dataclass
class CostReport:
    """What the analysis of one operation found."""

    cost: int = 0
    errors: list[GraphQLError] = field(default_factory=list)


@dataclass(frozen=True)
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    limits: ApiLimits


def analyse_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    limits: ApiLimits,
) -> CostReport:
    """The cost of ``operation`` (fields resolved, lists multiplied out) and page-size errors.

    Runs on a document that passed validation, so fields, fragments and arguments are known.
    """
    root = schema.query_type
    report = CostReport()
    if root is None:
        return report
    walk = _Walk(schema, fragments, variables or {}, limits)
    report.cost = _selection_cost(walk, operation.selection_set, root, frozenset(), report)
    if report.cost > limits.max_cost:
        report.errors.append(
            GraphQLError(
                f"query would resolve about {report.cost:,} fields; the limit is "
                f"{limits.max_cost:,} (ask for smaller pages or fewer nested lists)",
                operation,
                extensions={"code": "QUERY_TOO_COSTLY", "cost": report.cost},
            )
        )
    return report


def _selection_cost(
    walk: _Walk,
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    seen: frozenset[str],
    report: CostReport,
) -> int:
    if selection_set is None or not isinstance(parent, GraphQLObjectType):
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(walk, selection, parent, seen, report)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = walk.schema.get_type(condition.name.value) if condition else parent
            total += _selection_cost(walk, selection.selection_set, target or parent, seen, report)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = walk.fragments.get(name)
            if fragment is not None and name not in seen:
                target = walk.schema.get_type(fragment.type_condition.name.value)
                total += _selection_cost(
                    walk, fragment.selection_set, target or parent, seen | {name}, report
                )
    return total


def _field_cost(
    walk: _Walk,
    node: FieldNode,
    parent: GraphQLObjectType,
    seen: frozenset[str],
    report: CostReport,
) -> int:
    name = node.name.value
    if name.startswith("__"):
        return 0  # introspection and __typename: answered from the schema, never from Neo4j
    definition = parent.fields.get(name)
    if definition is None:
        return 0
    multiplier = _multiplier(walk, node, parent, definition, report)
    child_type = get_named_type(definition.type)
    children = _selection_cost(walk, node.selection_set, child_type, seen, report)
    return 1 + multiplier * children


def _multiplier(
    walk: _Walk,
    node: FieldNode,
    parent: GraphQLObjectType,
    definition: GraphQLField,
    report: CostReport,
) -> int:
    """How many times a field's children are resolved: its page size, or an estimate for lists."""
    for argument in PAGE_ARGUMENTS:
        if argument in definition.args:
            size = _argument_value(walk, node, definition, argument)
            try:
                check_page_size(argument, size, walk.limits)
            except RequestRejected as rejected:
                report.errors.append(
                    GraphQLError(
                        f"{parent.name}.{node.name.value}: {rejected}",
                        node,
                        extensions={"code": rejected.code},
                    )
                )
            return max(1, size if size is not None else walk.limits.max_page_size)
    if not _is_list(definition.type):
        return 1
    if node.name.value in CONNECTION_LISTS and parent.name.endswith("Connection"):
        return 1
    return LIST_ESTIMATES.get(f"{parent.name}.{node.name.value}", DEFAULT_LIST_ESTIMATE)


def _argument_value(walk: _Walk, node: FieldNode, definition: GraphQLField, name: str) -> Any:
    """An argument's value: the literal, the variable's value, or the schema default."""
    argument = definition.args[name]
    for given in node.arguments or ():
        if given.name.value != name:
            continue
        if isinstance(given.value, VariableNode):
            variable = given.value.name.value
            if variable in walk.variables:
                return walk.variables[variable]
            break
        return value_from_ast(given.value, argument.type, dict(walk.variables))
    default = argument.default_value
    return default if isinstance(default, int) else None


def _is_list(output: GraphQLOutputType) -> bool:
    if isinstance(output, GraphQLNonNull):
        output = output.of_type
    return isinstance(output, GraphQLList)


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


# --- what clients see of a failure ---------------------------------------------------------


def public_errors(errors: Iterable[GraphQLError]) -> list[GraphQLError]:
    """The errors as a client may see them: clear messages, no Cypher, no traceback."""
    return [_public_error(error) for error in errors]


def _public_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        return error  # a syntax or validation error: its message is about the client's document
    message, code = public_message(original)
    extensions = dict(error.extensions or {})
    extensions["code"] = code
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path, None, extensions
    )


def public_message(error: BaseException) -> tuple[str, str]:
    """A message and code fit for a client, for any exception a resolver raised."""
    if isinstance(error, RequestRejected):
        return str(error), error.code
    if isinstance(error, GraphUnavailable):
        log.warning("Neo4j is unavailable: %s", error)  # the operator's reason, not the client's
        return (
            "the graph database is not reachable right now; try again shortly",
            "DATABASE_UNAVAILABLE",
        )
    if isinstance(error, QueryError) and _from_driver(error):
        if "timed out" in str(error):
            return "the query took too long and was stopped", "QUERY_TIMEOUT"
        reference = _log_with_reference(error)
        return f"the database could not answer this query (error {reference})", "DATABASE_ERROR"
    if isinstance(error, InputError | QueryError):
        return str(error), "BAD_REQUEST"
    if isinstance(error, GraphQLError):
        # graphql-core coerces arguments as it reaches each field, so a null sent for a
        # non-null argument with a default surfaces here, about the client's request.
        return error.message, "BAD_REQUEST"
    if isinstance(error, ValuegraphError):
        return str(error), "ERROR"
    reference = _log_with_reference(error)
    return f"internal error {reference}; the server log has the details", "INTERNAL_ERROR"


def _from_driver(error: BaseException) -> bool:
    """Whether a QueryError was translated from a driver error (whose text may quote Cypher)."""
    cause = error.__cause__
    return cause is not None and type(cause).__module__.startswith("neo4j")


def _log_with_reference(error: BaseException) -> str:
    reference = uuid.uuid4().hex[:12]
    log.error("request failed (error %s)", reference, exc_info=error)
    return reference


def rejection_errors(messages: Sequence[tuple[str, str]]) -> list[GraphQLError]:
    """GraphQL errors for rejections found outside GraphQL (size, token)."""
    return [GraphQLError(message, extensions={"code": code}) for message, code in messages]
