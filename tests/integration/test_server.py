"""The local server: start is idempotent, status tells the truth, data survive a restart,
and both bolt:// and neo4j:// URIs work."""

from __future__ import annotations

from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.settings import Settings


def test_start_on_a_running_server_does_nothing(neo4j_server: LocalServer) -> None:
    pid = neo4j_server.pid()
    assert neo4j_server.start() is False
    assert neo4j_server.pid() == pid
    status = neo4j_server.status()
    assert status.running
    assert status.browser_url.endswith("/browser/")


def test_browser_is_served(neo4j_server: LocalServer) -> None:
    import urllib.request

    with urllib.request.urlopen(neo4j_server.status().browser_url, timeout=10) as response:
        assert response.status == 200
        assert b"Neo4j Browser" in response.read()


def test_routing_uri_works(neo4j_server: LocalServer, neo4j_settings: Settings) -> None:
    routed = neo4j_settings.model_copy(
        update={"neo4j_uri": f"neo4j://127.0.0.1:{neo4j_settings.bolt_port}"}
    )
    with Graph.connect(routed) as graph:
        graph.write("MERGE (:Model {name: 'routing-check'})")
        assert graph.read("MATCH (m:Model {name: 'routing-check'}) RETURN count(m) AS n") == [
            {"n": 1}
        ]
        graph.write("MATCH (m:Model {name: 'routing-check'}) DELETE m")


def test_data_survive_a_restart(neo4j_server: LocalServer, graph: Graph) -> None:
    graph.write("MERGE (:Model {name: 'survivor'})")
    neo4j_server.stop()
    assert neo4j_server.status().running is False
    assert neo4j_server.start() is True
    assert graph.read("MATCH (m:Model {name: 'survivor'}) RETURN count(m) AS n") == [{"n": 1}]
    graph.write("MATCH (m:Model {name: 'survivor'}) DELETE m")
