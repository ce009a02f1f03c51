"""The GraphQL app over the synthetic corpus, through Flask's test client, and the helpers
that send it a query. The root conftest registers this module as a plugin (the ``app`` and
``client`` fixtures); a test module may define its own ``app`` instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.synthetic_corpus import Corpus
from valuegraph.api.app import create_app
from valuegraph.api.settings import ApiLimits


@pytest.fixture(scope="module")
def app(corpus: Corpus) -> Iterator[Flask]:
    application = create_app(corpus.settings, ApiLimits())
    yield application
    application.extensions["valuegraph"].close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def run_query(
    client: FlaskClient, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    """POST a query; return the whole JSON response (data and errors)."""
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: dict[str, Any] = json.loads(response.data)
    return body


def data_of(client: FlaskClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The data of a query that must succeed."""
    body = run_query(client, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]
