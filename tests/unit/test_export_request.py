"""What an export request is, without a server: the query parameters of ``GET /export`` become a
request or an InputError, and the GraphQL ``exportUrl`` field spells the URL."""

from __future__ import annotations

import graphene
import pytest

from valuegraph.api.exports.options import request_from_args
from valuegraph.api.exports.resolvers import EXPORT_URL_FIELD
from valuegraph.errors import InputError
from valuegraph.graph.export import Around, ExportFormat


def test_query_parameters_become_a_request() -> None:
    request = request_from_args({"around": "value:empathy", "depth": "1", "format": "json"})
    assert request.selection == Around("value", "empathy", depth=1, top_k=10)
    assert request.format is ExportFormat.JSON
    for bad in (
        {"around": "value:x", "depth": "two"},
        {"cluster": "c", "format": "pdf"},
        {"cluster": "c", "include_conversations": "maybe"},
        {},
    ):
        with pytest.raises(InputError):
            request_from_args(bad)


def test_graphql_field_returns_the_download_url() -> None:
    class Query(graphene.ObjectType):
        export_url = EXPORT_URL_FIELD

    schema = graphene.Schema(query=Query)
    result = schema.execute(
        '{ exportUrl(around: "value:empathy", depth: 1, format: JSON, jsonStyle: NODE_LINK) }'
    )
    assert result.errors is None
    assert result.data == {
        "exportUrl": "/export?around=value%3Aempathy&depth=1&format=json&json_style=node-link"
    }
    refused = schema.execute('{ exportUrl(cluster: "a", around: "value:b") }')
    assert refused.errors and "exactly one selection" in refused.errors[0].message
