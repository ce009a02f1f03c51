"""A throwaway Neo4j for the whole test session, on free ports, never the user's data.

The server's jars are shared with the user's server (they are fetched once from
Maven Central); its home (config, data, logs) is a temporary folder. The
environment is pointed at it before any test runs, so code that reads settings
from the environment reaches this server and nothing else.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.server import NEO4J_VERSION, LocalServer
from valuegraph.settings import Settings

REPO = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "valuegraph-test-password"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def neo4j_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("neo4j-home")


@pytest.fixture(scope="session")
def neo4j_server(
    neo4j_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    """Start the throwaway server once per session; stop it at the end."""
    bolt, http = free_port(), free_port()
    state = tmp_path_factory.mktemp("state")
    jars = Path(
        os.environ.get("VALUEGRAPH_NEO4J_JARS", REPO / ".state" / f"neo4j-{NEO4J_VERSION}" / "lib")
    )
    environment = {
        "NEO4J_URI": f"bolt://127.0.0.1:{bolt}",
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": TEST_PASSWORD,
        "NEO4J_DATABASE": "neo4j",
        "VALUEGRAPH_STATE_DIR": str(state),
        "VALUEGRAPH_NEO4J_JARS": str(jars),
        "VALUEGRAPH_BOLT_PORT": str(bolt),
        "VALUEGRAPH_HTTP_PORT": str(http),
        "VALUEGRAPH_NEO4J_HEAP": os.environ.get("VALUEGRAPH_TEST_NEO4J_HEAP", "768m"),
        "VALUEGRAPH_NEO4J_PAGECACHE": os.environ.get("VALUEGRAPH_TEST_NEO4J_PAGECACHE", "512m"),
    }
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    server = LocalServer(Settings(), home=neo4j_home)
    server.start(fresh=True)
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_server: LocalServer) -> Settings:
    """Settings that point at the throwaway server (read from the environment it set)."""
    return Settings()


@pytest.fixture(scope="session")
def graph(neo4j_settings: Settings) -> Iterator[Graph]:
    with Graph.connect(neo4j_settings) as connected:
        yield connected


def wipe(graph: Graph) -> None:
    """Delete every node and relationship, in transactions small enough for a small heap."""
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS")


@pytest.fixture()
def empty_graph(graph: Graph) -> Graph:
    """The session's graph, wiped, with the schema applied."""
    wipe(graph)
    apply_schema(graph)
    return graph
