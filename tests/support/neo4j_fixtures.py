"""The session's throwaway Neo4j as pytest fixtures, shared by every folder of tests.

Session-scoped, so the unit, integration, browser and reliability tests of one run share one
server (started once, ~30 s) rather than one a folder. A session that needs no Neo4j (the
unit tests alone) never starts it. The root conftest registers this module as a plugin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.throwaway_neo4j import ThrowawayNeo4j, running
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.server import NEO4J_VERSION, LocalServer
from valuegraph.settings import Settings

TEST_PASSWORD = "valuegraph-test-password"


def wipe(graph: Graph) -> None:
    """Delete every node and relationship, in transactions small enough for a small heap."""
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS")


@pytest.fixture(scope="session")
def neo4j_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("neo4j-home")


@pytest.fixture(scope="session")
def neo4j_server(
    neo4j_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    """Start the throwaway server once per session; stop it at the end."""
    default_jars = REPO / ".state" / f"neo4j-{NEO4J_VERSION}" / "lib"
    server = ThrowawayNeo4j(
        state_dir=tmp_path_factory.mktemp("state"),
        password=TEST_PASSWORD,
        heap=os.environ.get("VALUEGRAPH_TEST_NEO4J_HEAP", "768m"),
        pagecache=os.environ.get("VALUEGRAPH_TEST_NEO4J_PAGECACHE", "512m"),
        jars=Path(os.environ.get("VALUEGRAPH_NEO4J_JARS", default_jars)),
    )
    with running(server, home=neo4j_home) as local:
        yield local


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_server: LocalServer) -> Settings:
    """Settings that point at the throwaway server (read from the environment it set)."""
    return Settings()


@pytest.fixture(scope="session")
def graph(neo4j_settings: Settings) -> Iterator[Graph]:
    with Graph.connect(neo4j_settings) as connected:
        yield connected


@pytest.fixture()
def empty_graph(graph: Graph) -> Graph:
    """The session's graph, wiped, with the schema applied."""
    wipe(graph)
    apply_schema(graph)
    return graph
