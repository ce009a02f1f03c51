"""The guards and the token: what they reject, and that a rejected query never reaches Neo4j.

Most of these tests run against an app whose Neo4j address has nothing listening. A rejected
request that reached the database would come back as "database not reachable"; getting the
guard's own error instead shows the guard stopped it first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from pydantic import SecretStr

from tests.support.ports import free_port
from valuegraph.api.app import create_app
from valuegraph.api.auth import bearer_token_matches
from valuegraph.api.public_errors import public_message
from valuegraph.api.schema import schema
from valuegraph.api.settings import ApiLimits
from valuegraph.api.validation.cost import analyse_cost
from valuegraph.api.validation.depth import selection_depth
from valuegraph.api.validation.document import checked_document
from valuegraph.errors import GraphUnavailable, InputError, QueryError
from valuegraph.graph.connection import translate
from valuegraph.settings import Settings

TOKEN = "s3cret-token-for-tests"


def offline_settings(**overrides: Any) -> Settings:
    """Settings for a Neo4j that is not there (so reaching it would show)."""
    return Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_password=SecretStr("unused"),
        **overrides,
    )


def offline_client(limits: ApiLimits | None = None, **overrides: Any) -> FlaskClient:
    app: Flask = create_app(offline_settings(**overrides), limits or ApiLimits())
    return app.test_client()


def post(client: FlaskClient, query: str, variables: Any = None, **headers: str) -> Any:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.status_code, json.loads(response.data)


def codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]


# --- depth ------------------------------------------------------------------------------

DEEP = '{ value(name: "x") { cluster { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } }'


def test_a_query_deeper_than_the_limit_is_refused_before_neo4j() -> None:
    status, body = post(offline_client(), DEEP)
    assert status == 200
    assert codes(body) == ["QUERY_TOO_DEEP"]
    assert "12 levels deep; the limit is 10" in body["errors"][0]["message"]
    assert body.get("data") is None


def test_depth_follows_fragments_and_ignores_introspection() -> None:
    document = parse(
        'query { ...A } fragment A on Query { value(name: "x") { ...B } } '
        "fragment B on Value { cluster { name } __typename }"
    )
    operation, *rest = document.definitions
    fragments = {d.name.value: d for d in rest if isinstance(d, FragmentDefinitionNode)}
    assert isinstance(operation, OperationDefinitionNode)
    assert selection_depth(operation.selection_set, fragments, frozenset()) == 3


def test_the_depth_limit_is_configurable() -> None:
    _, body = post(
        offline_client(ApiLimits(max_depth=2)), '{ value(name: "x") { cluster { name } } }'
    )
    assert codes(body) == ["QUERY_TOO_DEEP"]


def test_graphiqls_introspection_query_passes_the_depth_limit() -> None:
    from graphql import get_introspection_query

    document = checked_document(
        schema.graphql_schema, get_introspection_query(), None, None, ApiLimits()
    )
    assert document.definitions


# --- cost and page size ------------------------------------------------------------------


def test_nested_pages_that_multiply_past_the_cost_limit_are_refused() -> None:
    query = """{ values(first: 100) { edges { node {
        conversations(first: 100) { edges { node { aiValues { name value { name } } } } } } } } }"""
    _, body = post(offline_client(), query)
    assert codes(body) == ["QUERY_TOO_COSTLY"]
    assert "the limit is 20,000" in body["errors"][0]["message"]


def test_cost_counts_connection_pages_once_and_lists_by_estimate() -> None:
    document = parse("{ values(first: 10) { totalCount edges { cursor node { name roles } } } }")
    report = analyse_cost(schema.graphql_schema, document.definitions[0], {}, {}, ApiLimits())  # type: ignore[arg-type]
    # values 1 + 10 x (totalCount 1 + edges (1 + cursor 1 + node (1 + name 1 + roles 1)))
    assert report.cost == 1 + 10 * (1 + 1 + 1 + 1 + 1 + 1)
    assert report.errors == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ values(first: 101) { totalCount } }", None),
        ("query($n: Int) { values(first: $n) { totalCount } }", {"n": 5000}),
        ("query($n: Int = 500) { tasks(first: $n) { totalCount } }", None),
        ('{ value(name: "x") { conversations(first: 1000) { totalCount } } }', None),
    ],
)
def test_a_page_over_the_maximum_is_refused(query: str, variables: Any) -> None:
    _, body = post(offline_client(), query, variables)
    assert "PAGE_TOO_LARGE" in codes(body)
    assert "maximum page size 100" in body["errors"][0]["message"]


def test_a_negative_page_size_is_refused() -> None:
    _, body = post(offline_client(), "{ values(first: -1) { totalCount } }")
    assert codes(body) == ["BAD_PAGE_SIZE"]


# --- introspection, request size, malformed requests -------------------------------------


def test_introspection_can_be_turned_off() -> None:
    query = "{ __schema { queryType { name } } }"
    _, allowed = post(offline_client(), query)
    assert allowed["data"]["__schema"]["queryType"]["name"] == "Query"
    _, refused = post(offline_client(ApiLimits(introspection=False)), query)
    assert refused["data"] is None
    assert "introspection" in refused["errors"][0]["message"].lower()


def test_a_request_over_the_size_limit_is_refused_with_413() -> None:
    client = offline_client(ApiLimits(max_request_bytes=1000))
    query = "{ stats { conversations } }" + " " * 2000
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 413
    assert "limit is 1000" in response.get_json()["errors"][0]["message"]
    long_get = client.get("/graphql", query_string={"query": query})
    assert long_get.status_code == 413


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"query": 42}', b'{"query": "{ stats { nope } }"}', b'{"query": ""}'],
)
def test_malformed_requests_get_clear_errors_without_traces(body: bytes) -> None:
    response = offline_client().post("/graphql", data=body, content_type="application/json")
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "Traceback" not in text and 'File "' not in text
    assert text.strip()


def test_get_answers_queries_and_bad_bodies_get_json_errors() -> None:
    client = offline_client()
    got = client.get("/graphql", query_string={"query": "{ __typename }"})
    assert got.status_code == 200 and got.get_json() == {"data": {"__typename": "Query"}}
    broken = client.post("/graphql", data=b"{not json", content_type="application/json")
    assert broken.status_code == 400
    message = broken.get_json()["errors"][0]["message"]
    assert message.startswith("the request body is not JSON") and "column 2" in message
    wrong_type = client.post("/graphql", data=b"query", content_type="text/plain")
    assert wrong_type.status_code == 400 and wrong_type.get_json()["errors"]


def test_a_syntax_error_names_the_place() -> None:
    _, body = post(offline_client(), "{ stats { conversations }")
    assert body["errors"][0]["locations"]
    assert "Syntax Error" in body["errors"][0]["message"]


# --- auth and CORS ------------------------------------------------------------------------


def test_with_a_token_set_every_request_needs_it() -> None:
    client = offline_client(api_token=TOKEN)
    query = {"query": "{ __typename }"}
    assert client.post("/graphql", json=query).status_code == 401
    wrong = client.post("/graphql", json=query, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    basic = client.post("/graphql", json=query, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    assert client.get("/graphql", query_string={"query": "{ __typename }"}).status_code == 401
    assert client.get("/healthz").status_code == 401
    right = client.post("/graphql", json=query, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right.get_json() == {"data": {"__typename": "Query"}}


def test_the_graphiql_shell_and_its_files_need_no_token() -> None:
    client = offline_client(api_token=TOKEN)
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code in (200, 503)  # 503: GraphiQL's npm packages are not installed
    assert client.get("/graphiql/boot.js").status_code == 200


def test_token_comparison() -> None:
    assert bearer_token_matches(f"Bearer {TOKEN}", TOKEN)
    assert bearer_token_matches(f"bearer {TOKEN}", TOKEN)
    assert not bearer_token_matches(None, TOKEN)
    assert not bearer_token_matches(f"Bearer {TOKEN}x", TOKEN)
    assert not bearer_token_matches(TOKEN, TOKEN)


def test_cors_allows_only_the_configured_origins() -> None:
    client = offline_client(api_cors_origins="https://dash.example, https://other.example/")
    allowed = client.options("/graphql", headers={"Origin": "https://other.example"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://other.example"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    refused = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in refused.headers
    wildcard = offline_client(api_cors_origins="*").post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://any.example"}
    )
    assert wildcard.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_needs_no_token() -> None:
    client = offline_client(api_token=TOKEN, api_cors_origins="https://dash.example")
    preflight = client.options("/graphql", headers={"Origin": "https://dash.example"})
    assert preflight.status_code == 204


# --- what clients see of failures ---------------------------------------------------------


def test_an_unreachable_neo4j_is_a_clear_error() -> None:
    status, body = post(offline_client(), "{ stats { conversations } }")
    assert status == 200
    assert codes(body) == ["DATABASE_UNAVAILABLE"]
    assert body["errors"][0]["message"].startswith("the graph database is not reachable")
    assert offline_client().get("/healthz").status_code == 503


def test_driver_errors_never_show_cypher() -> None:
    from neo4j.exceptions import CypherSyntaxError

    driver_error = CypherSyntaxError._hydrate_neo4j(
        code="Neo.ClientError.Statement.SyntaxError",
        message='Invalid input: MATCH (v:AIValue {key: $key}) RETURN v "secret"',
    )
    try:
        raise translate(driver_error, "read") from driver_error
    except QueryError as translated:
        message, code = public_message(translated)
    assert code == "DATABASE_ERROR"
    assert "MATCH" not in message and "secret" not in message


def test_user_errors_keep_their_message() -> None:
    assert public_message(InputError("level must be 1, 2 or 3")) == (
        "level must be 1, 2 or 3",
        "BAD_REQUEST",
    )
    assert public_message(GraphUnavailable("x"))[1] == "DATABASE_UNAVAILABLE"
    message, code = public_message(KeyError("internal detail"))
    assert code == "INTERNAL_ERROR" and "internal detail" not in message
