"""Selections against a real Neo4j: neighbourhoods, branches, associations, user queries,
the read-only guard, and privacy (conversations, raw text, k-anonymity)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.support.export_support import (
    BOUNDARIES,
    PRIVATE_TEXT,
    RELATIONSHIPS,
    load_corpus,
    materialise_associations,
)
from valuegraph.errors import InputError, QueryError
from valuegraph.graph.connection import Graph
from valuegraph.graph.export import (
    Associations,
    ClusterBranch,
    ExportFormat,
    ExportRequest,
    PreparedExport,
    Selection,
    UserQuery,
    parse_around,
    prepare_export,
)

K = 5


@pytest.fixture()
def corpus_graph(empty_graph: Graph) -> Graph:
    load_corpus(empty_graph)
    return empty_graph


def run(
    graph: Graph, selection: Selection, *, include_conversations: bool = False
) -> tuple[PreparedExport, dict[str, Any]]:
    """Export as node-link JSON (easy to inspect); return the export and the document."""
    from valuegraph.graph.export import JsonStyle

    request = ExportRequest(
        selection, ExportFormat.JSON, JsonStyle.NODE_LINK, include_conversations
    )
    prepared = prepare_export(graph, request, min_conversations=K)
    document = json.loads(b"".join(prepared.chunks()))
    return prepared, document


def names(document: dict[str, Any]) -> set[str]:
    return {node["label"] for node in document["nodes"]}


def edges(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    label_of = {node["id"]: node["label"] for node in document["nodes"]}
    return {(label_of[e["source"]], e["type"], label_of[e["target"]]) for e in document["edges"]}


# --- the neighbourhood ----------------------------------------------------------------------


def test_around_by_counted_cooccurrence(corpus_graph: Graph) -> None:
    prepared, document = run(corpus_graph, parse_around('task:"relationship advice"', depth=1))
    assert names(document) == {"relationship advice", "healthy boundaries", "empathy", "honesty"}
    for edge in document["edges"]:
        assert edge["type"] == "ASSOCIATED_WITH" and edge["computed"] is True
        assert edge["observed"] >= K and edge["weight"] == edge["observed"]
    assert "by co-occurrence counts" in prepared.summary().description


def test_around_keeps_top_k_and_suppresses_pairs_under_k(corpus_graph: Graph) -> None:
    # The AI value honesty: relationship advice (6 conversations), the human value honesty
    # (5), "secret wish" (1, under k). The top 1 is the task; the one pair under k is counted.
    prepared, document = run(corpus_graph, parse_around("value:honesty", depth=1, top_k=1))
    assert names(document) == {"honesty", "relationship advice"}
    assert prepared.summary().suppressed_pairs == 1
    wider, document = run(corpus_graph, parse_around("value:honesty", depth=1, top_k=10))
    assert edges(document) == {
        ("honesty", "ASSOCIATED_WITH", "relationship advice"),
        ("honesty", "CO_OCCURS_WITH", "honesty"),
    }
    assert wider.summary().suppressed_pairs == 1


def test_around_depth_two_walks_on(corpus_graph: Graph) -> None:
    _, one = run(corpus_graph, parse_around('value:"healthy boundaries"', depth=1))
    _, two = run(corpus_graph, parse_around('value:"healthy boundaries"', depth=2))
    assert names(one) < names(two)
    assert "boundaries and care" in names(one)  # the value's cluster
    assert "relationships" in names(two)  # and that cluster's parent


def test_around_by_materialised_associations(corpus_graph: Graph) -> None:
    materialise_associations(corpus_graph)
    prepared, document = run(
        corpus_graph, parse_around('task:"relationship advice"', depth=1, top_k=1)
    )
    assert edges(document) == {("healthy boundaries", "ASSOCIATED_WITH", "relationship advice")}
    (edge,) = document["edges"]
    assert edge["weight"] == pytest.approx(3.2) and "computed" not in edge
    assert "materialised associations" in prepared.summary().description


def test_around_refuses_unknown_rare_and_private_seeds(corpus_graph: Graph) -> None:
    with pytest.raises(InputError, match="not in the graph"):
        run(corpus_graph, parse_around("value:no such value"))
    with pytest.raises(InputError, match="fewer than 5 conversations"):
        run(corpus_graph, parse_around('task:"coding help"'))
    with pytest.raises(InputError, match="--include-conversations"):
        run(corpus_graph, parse_around("conversation:c001"))


def test_around_a_conversation(corpus_graph: Graph) -> None:
    _, document = run(
        corpus_graph, parse_around("conversation:c000", depth=1), include_conversations=True
    )
    assert ("c000", "ABOUT", "relationship advice") in edges(document)
    assert ("c000", "BY_MODEL", "claude-3-5-sonnet") in edges(document)
    conversation = next(n for n in document["nodes"] if n["label"] == "c000")
    assert "text" not in conversation
    assert PRIVATE_TEXT not in json.dumps(document)


def test_around_a_cluster_by_name(corpus_graph: Graph) -> None:
    _, document = run(corpus_graph, parse_around('cluster:"boundaries and care"', depth=1))
    assert {"healthy boundaries", "empathy", "mutual respect", "relationships"} <= names(document)


# --- taxonomy branch and associations ----------------------------------------------------------


def test_cluster_branch(corpus_graph: Graph) -> None:
    _, document = run(corpus_graph, ClusterBranch(RELATIONSHIPS))
    assert names(document) == {
        "relationships",
        "boundaries and care",
        "healthy boundaries",
        "empathy",
        "mutual respect",
    }
    assert all(edge["type"] == "IN_CLUSTER" for edge in document["edges"])
    assert len(document["edges"]) == 4  # the branch's root keeps no edge to its parent

    _, with_conversations = run(corpus_graph, ClusterBranch(BOUNDARIES), include_conversations=True)
    conversations = {
        n["label"] for n in with_conversations["nodes"] if n["labels"] == ["Conversation"]
    }
    assert len(conversations) == 9  # every conversation expressing healthy boundaries or empathy
    with pytest.raises(InputError, match="no Cluster"):
        run(corpus_graph, ClusterBranch("ai_values:l1:missing"))


def test_associations_above_a_residual(corpus_graph: Graph) -> None:
    with pytest.raises(InputError, match="analyze materialize"):
        run(corpus_graph, Associations(2.0))
    materialise_associations(corpus_graph)
    prepared, document = run(corpus_graph, Associations(2.0))
    assert edges(document) == {
        ("healthy boundaries", "ASSOCIATED_WITH", "relationship advice"),
        ("honesty", "CO_OCCURS_WITH", "honesty"),
    }
    assert prepared.summary().suppressed_pairs == 1  # code quality: observed 4 < k


# --- the user's query and the read-only guard -------------------------------------------------


def test_user_query_nodes_relationships_paths_and_lists(corpus_graph: Graph) -> None:
    _, document = run(
        corpus_graph,
        UserQuery(
            "MATCH p = (v:AIValue {key: 'empathy'})-[:IN_CLUSTER*]->(top:Cluster) "
            "OPTIONAL MATCH (m:Model) RETURN p, collect(m) AS models, 'text' AS ignored;"
        ),
    )
    assert {"empathy", "boundaries and care", "relationships", "Social"} <= names(document)
    assert {"claude-3-5-sonnet", "claude-3-opus"} <= names(document)
    assert len(document["edges"]) == 3


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (n) DETACH DELETE n",
        "CREATE (n:Intruder) RETURN n",
        "MATCH (n:Model) SET n.hacked = true RETURN n",
        "CREATE INDEX intruder IF NOT EXISTS FOR (n:Intruder) ON (n.x)",
        "MATCH (n) RETURN n } MATCH (m) DETACH DELETE m WITH 1 AS x CALL () { RETURN 1 AS n",
    ],
)
def test_write_queries_are_refused_before_they_run(corpus_graph: Graph, cypher: str) -> None:
    before = corpus_graph.read("MATCH (n) RETURN count(n) AS n, count(n.hacked) AS hacked")
    with pytest.raises(QueryError, match="--cypher"):
        run(corpus_graph, UserQuery(cypher))
    after = corpus_graph.read("MATCH (n) RETURN count(n) AS n, count(n.hacked) AS hacked")
    assert after == before
    indexes = corpus_graph.read("SHOW INDEXES YIELD name RETURN collect(name) AS names")
    assert "intruder" not in indexes[0]["names"]


def test_user_query_errors_are_one_line(corpus_graph: Graph) -> None:
    with pytest.raises(QueryError, match="--cypher") as caught:
        run(corpus_graph, UserQuery("MATCH (n RETURN n"))
    assert "\n" not in str(caught.value).strip() or str(caught.value).startswith("--cypher")
    with pytest.raises(InputError, match="empty"):
        run(corpus_graph, UserQuery("  ;  "))


# --- privacy ------------------------------------------------------------------------------------


def test_conversations_only_when_asked_and_never_their_text(corpus_graph: Graph) -> None:
    everything = UserQuery("MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r")
    prepared, document = run(corpus_graph, everything)
    assert not any("Conversation" in node["labels"] for node in document["nodes"])
    summary = prepared.summary()
    assert summary.excluded_conversations == 13
    # The rare ones: coding help, code quality, secret wish.
    assert summary.suppressed_nodes == 3
    assert {"coding help", "code quality", "secret wish"}.isdisjoint(names(document))

    for fmt in ExportFormat:
        request = ExportRequest(everything, fmt, include_conversations=True)
        payload = b"".join(prepare_export(corpus_graph, request, min_conversations=K).chunks())
        if fmt is ExportFormat.CSV:  # a zip: look inside
            archive = zipfile.ZipFile(io.BytesIO(payload))
            payload = b"".join(archive.read(name) for name in archive.namelist())
        assert b"c000" in payload, fmt
        assert PRIVATE_TEXT.encode() not in payload, fmt
