"""The synthetic corpus the API tests run on, and the helpers they share.

The corpus (3,000 conversations of ``ingest.synth``, with its taxonomy) is loaded once and
marked with a fingerprint node; a later module finds the mark and skips the load, unless
another test wiped the graph in between. Test modules import the fixtures from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import wipe
from valuegraph.api.app import create_app
from valuegraph.api.guards import ApiLimits
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.ingest.load import ingest_record_file, ingest_taxonomy_files
from valuegraph.ingest.synth import write_corpus
from valuegraph.queries.materialize import materialize
from valuegraph.settings import Settings

CONVERSATIONS = 3_000
SEED = 11
FINGERPRINT = f"api-tests-{CONVERSATIONS}-{SEED}-v2"


@dataclass(frozen=True)
class Corpus:
    graph: Graph
    settings: Settings
    conversations: int
    directory: Path


def load_corpus(graph: Graph, directory: Path) -> None:
    """Wipe the graph and load the corpus, unless it already holds exactly this corpus."""
    marked = graph.read(
        "RETURN COUNT { (:ApiTestCorpus {fingerprint: $f}) } AS marks, "
        "COUNT { (:Conversation) } AS conversations",
        {"f": FINGERPRINT},
    )[0]
    if marked["marks"] == 1 and marked["conversations"] == CONVERSATIONS:
        return
    wipe(graph)
    apply_schema(graph)
    summary = write_corpus(directory, CONVERSATIONS, SEED)
    ingest_taxonomy_files(summary.values_tree_path, summary.values_frequencies_path, graph)
    loaded = ingest_record_file(summary.records_path, graph)
    assert loaded.rejected == 0
    materialize(graph)  # the significant associations, as `valuegraph analyze materialize` does
    graph.write("CREATE (:ApiTestCorpus {fingerprint: $f})", {"f": FINGERPRINT})


@pytest.fixture(scope="module")
def corpus(
    graph: Graph, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Corpus:
    directory = tmp_path_factory.mktemp("api-corpus")
    load_corpus(graph, directory)
    return Corpus(graph, neo4j_settings, CONVERSATIONS, directory)


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


def test_the_corpus_is_loaded_once_and_marked(corpus: Corpus) -> None:
    counts = corpus.graph.read(
        "RETURN COUNT { (:Conversation) } AS conversations, COUNT { (:ApiTestCorpus) } AS marks"
    )[0]
    assert counts == {"conversations": CONVERSATIONS, "marks": 1}
    load_corpus(corpus.graph, corpus.directory)  # found marked: nothing is reloaded
    assert corpus.graph.read("MATCH (m:ApiTestCorpus) RETURN count(m) AS n")[0]["n"] == 1
