"""The batched execution context, on a schema of its own: a batch that fails reaches the client
as errors on the fields that asked, never as a request that cannot finish.

Neo4j going away between a page's query and its batched lookups is how this happens in the API
(``test_reliability_api`` kills Neo4j under load); here the batch fails on purpose.
"""

from __future__ import annotations

from typing import Any

import graphene
import pytest
from graphql import ExecutionResult, execute, parse

from valuegraph.api.loaders import BatchedExecutionContext, BatchLoader
from valuegraph.errors import GraphUnavailable


def failing_fetch(keys: list[int]) -> dict[int, str]:
    raise GraphUnavailable("read: Neo4j is not reachable (ServiceUnavailable)")


def working_fetch(keys: list[int]) -> dict[int, str]:
    return {key: f"name {key}" for key in keys}


class Item(graphene.ObjectType):
    id = graphene.Int(required=True)
    name = graphene.String(required=True)  # non-null, from a batch
    label = graphene.String()  # nullable, from a batch

    @staticmethod
    def resolve_name(root: int, info: Any) -> Any:
        return info.context["names"].load(root)

    @staticmethod
    def resolve_label(root: int, info: Any) -> Any:
        return info.context["names"].load(root)

    @staticmethod
    def resolve_id(root: int, info: Any) -> int:
        return root


class Query(graphene.ObjectType):
    items = graphene.List(graphene.NonNull(Item), required=True, count=graphene.Int())
    maybe_items = graphene.List(Item)

    @staticmethod
    def resolve_items(root: Any, info: Any, count: int = 3) -> list[int]:
        return list(range(1, count + 1))

    @staticmethod
    def resolve_maybe_items(root: Any, info: Any) -> list[int]:
        return [1, 2]


SCHEMA = graphene.Schema(query=Query).graphql_schema


def run(query: str, fetch: Any) -> ExecutionResult:
    result = execute(
        SCHEMA,
        parse(query),
        context_value={"names": BatchLoader(fetch)},
        execution_context_class=BatchedExecutionContext,
    )
    assert isinstance(result, ExecutionResult)
    return result


@pytest.mark.parametrize("count", [1, 3])
def test_a_failed_batch_under_a_non_null_field_gives_errors_not_a_stuck_request(
    count: int,
) -> None:
    # With one key the library swallowed the error and the request could not finish.
    result = run(f"{{ items(count: {count}) {{ id name }} }}", failing_fetch)
    assert result.data is None
    assert result.errors
    assert all("not reachable" in error.message for error in result.errors)
    assert result.errors[0].path is not None and result.errors[0].path[-1] == "name"


def test_a_failed_batch_under_a_nullable_field_keeps_the_rest_of_the_answer() -> None:
    result = run("{ items { id label } }", failing_fetch)
    assert result.data == {"items": [{"id": i, "label": None} for i in (1, 2, 3)]}
    assert result.errors is not None and len(result.errors) == 3


def test_a_working_batch_answers_every_field() -> None:
    result = run("{ items { id name } maybeItems { label } }", working_fetch)
    assert result.errors is None
    assert result.data == {
        "items": [{"id": i, "name": f"name {i}"} for i in (1, 2, 3)],
        "maybeItems": [{"label": "name 1"}, {"label": "name 2"}],
    }
