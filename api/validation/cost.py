"""What a query may cost: fields resolved with lists multiplied out, and its page sizes.

The cost needs the variables' values (``first: $n``), so it is measured after GraphQL
validation, on a document that passed it; :mod:`valuegraph.api.validation.document` runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
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
    VariableNode,
    get_named_type,
    value_from_ast,
)

from valuegraph.api.rejections import RequestRejected
from valuegraph.api.settings import ApiLimits
from valuegraph.api.validation.pages import check_page_size

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
