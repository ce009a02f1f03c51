"""The depth limit: a validation rule that refuses operations nested too deep."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)


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
