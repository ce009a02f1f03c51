"""The suite's core queries over a ``neo4j://`` URI, as against a cluster or Aura.

With ``neo4j://`` the driver asks the server for a routing table and sends read transactions
to readers and write transactions to the leader. Community Edition is a single server, which
names itself in every role, so what this proves is the client's side: every query runs over a
routed connection and answers exactly as over ``bolt://``, and the reads run in read
transactions, which Neo4j refuses to let write, so a cluster could serve them from any reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.served_api import served_api
from tests.support.synthetic_corpus import Corpus
from valuegraph.errors import ValuegraphError
from valuegraph.graph.connection import Graph
from valuegraph.queries.analyses import (
    associations,
    findings,
    frequencies,
    invariance,
    mirroring,
    models,
    response_types,
)
from valuegraph.queries.catalog import Order, ValueFilter, graph_stats, value_page
from valuegraph.queries.materialize import MaterializedLink, materialize, read_links

CORE_QUERIES: dict[str, Callable[[Graph], Any]] = {
    "frequencies": lambda g: frequencies(g),
    "frequencies, AI value clusters, level 1": lambda g: frequencies(g, level=1),
    "response types": lambda g: response_types(g),
    "value-task associations": lambda g: associations(g, kind="value-task"),
    "ai-human associations": lambda g: associations(g, kind="ai-human"),
    "mirroring": lambda g: mirroring(g),
    "invariance": lambda g: invariance(g),
    "models": lambda g: models(g),
    "findings": lambda g: findings(g),
    "graph stats": lambda g: graph_stats(g, 5),
    "materialised links": lambda g: read_links(g),
}


@pytest.fixture(scope="module")
def routed(corpus: Corpus) -> Iterator[Graph]:
    settings = corpus.settings.model_copy(
        update={"neo4j_uri": f"neo4j://127.0.0.1:{corpus.settings.bolt_port}"}
    )
    with Graph.connect(settings) as graph:
        yield graph


@pytest.mark.parametrize("name", list(CORE_QUERIES))
def test_core_query_answers_the_same_over_neo4j_uri(
    corpus: Corpus, routed: Graph, name: str
) -> None:
    assert routed.uri.startswith("neo4j://")
    assert CORE_QUERIES[name](routed) == CORE_QUERIES[name](corpus.graph)


def test_value_page_over_neo4j_uri(corpus: Corpus, routed: Graph) -> None:
    def page(graph: Graph) -> Any:
        return value_page(graph, ValueFilter(), Order.FREQUENCY, 25, None, 5)

    assert page(routed) == page(corpus.graph)


def test_reads_run_in_read_transactions_a_reader_could_serve(routed: Graph) -> None:
    """A cluster sends these to readers, which cannot write; here Neo4j refuses the write in a
    read transaction itself, so nothing that reads through ``Graph.read`` can be a write."""
    with pytest.raises(ValuegraphError):
        routed.read("CREATE (:RoutingProbe) RETURN 1 AS one")
    assert routed.read("MATCH (n:RoutingProbe) RETURN count(n) AS n") == [{"n": 0}]


def test_materialize_writes_through_the_leader_over_neo4j_uri(
    corpus: Corpus, routed: Graph
) -> None:
    def without_generation(links: tuple[MaterializedLink, ...]) -> list[MaterializedLink]:
        return [replace(link, generation="") for link in links]

    before = read_links(corpus.graph)
    summary = materialize(routed)
    try:
        assert summary.associated_with + summary.co_occurs_with == len(before)
        after = read_links(corpus.graph)
        assert {link.generation for link in after} != {link.generation for link in before}
        assert without_generation(after) == without_generation(before)  # the same set, anew
    finally:
        materialize(corpus.graph)


def test_the_api_serves_over_neo4j_uri(corpus: Corpus, tmp_path: Path) -> None:
    query = "{ stats { conversations } values(first: 5) { edges { node { name } } } }"
    routed_env = {"NEO4J_URI": f"neo4j://127.0.0.1:{corpus.settings.bolt_port}"}
    with served_api(tmp_path, env=routed_env) as api:
        over_routing = api.graphql(query)
    with served_api(tmp_path) as api:
        over_bolt = api.graphql(query)
    assert over_routing.status == 200, over_routing.body
    assert over_routing.json() == over_bolt.json()
    assert over_routing.json()["data"]["stats"]["conversations"] == corpus.conversations
