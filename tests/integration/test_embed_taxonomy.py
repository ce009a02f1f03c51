"""Embeddings and the built taxonomy in a real Neo4j: vector search, Cluster nodes, the round
trip through the released format, and the ``values`` and ``taxonomy`` commands. Without Neo4j:
``tests/unit/test_taxonomy_build.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_runner import invoke
from valuegraph.graph.connection import Graph
from valuegraph.graph.embeddings import embed_missing, similar
from valuegraph.graph.taxonomy_writer import read_taxonomy, write_taxonomy
from valuegraph.ingest.embed import Embedder, load_embedder
from valuegraph.ingest.taxonomy_build import TASK_KIND, VALUE_KIND, build_taxonomy, parse_levels
from valuegraph.ingest.taxonomy_csv import tree_rows, write_tree_csv
from valuegraph.pipelines.taxonomy import ingest_taxonomy


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


VALUES = [
    "honesty",
    "intellectual honesty",
    "truthfulness",
    "code quality",
    "clean code",
    "harm prevention",
    "safety",
]


def seed_values(graph: Graph) -> None:
    graph.write("UNWIND $names AS name MERGE (:AIValue {key: name, name: name})", {"names": VALUES})
    graph.write(
        "MERGE (:Task {key: 'fix a bug', name: 'fix a bug'}) MERGE (:Task {key: 'write a poem', name: 'write a poem'})"
    )


def test_values_similar_goes_through_the_vector_index(
    empty_graph: Graph, embedder: Embedder
) -> None:
    seed_values(empty_graph)
    assert embed_missing(empty_graph, embedder) == {"AIValue": 7, "HumanValue": 0, "Task": 2}
    assert embed_missing(empty_graph, embedder) == {"AIValue": 0, "HumanValue": 0, "Task": 0}
    found = similar(empty_graph, embedder, "honesty", top=3)
    assert "honesty" not in [f.name for f in found]
    assert {f.name for f in found[:2]} == {"intellectual honesty", "truthfulness"}
    indexes = empty_graph.read("SHOW VECTOR INDEXES YIELD name RETURN collect(name) AS names")[0][
        "names"
    ]
    assert set(indexes) >= {"ai_value_embedding", "human_value_embedding", "task_embedding"}


def test_taxonomy_in_the_graph_rebuilds_and_round_trips(
    empty_graph: Graph, embedder: Embedder, tmp_path: Path
) -> None:
    seed_values(empty_graph)
    taxonomy = build_taxonomy(VALUES, embedder.encode(VALUES), levels=parse_levels("3,2,1"), seed=0)
    assert write_taxonomy(empty_graph, taxonomy)["leaves_linked"] == 7
    # Three cluster levels, as in the released file, whose reader wants its top at level 3.
    other = build_taxonomy(VALUES, embedder.encode(VALUES), levels=parse_levels("4,2,1"), seed=3)
    written = write_taxonomy(empty_graph, other)
    assert written["stale_clusters_removed"] > 0
    paths = empty_graph.read(
        "MATCH (v:AIValue)-[:IN_CLUSTER]->(:Cluster {level: 1})-[:IN_CLUSTER*2]->(top:Cluster {level: 3}) "
        "RETURN count(DISTINCT v) AS values, count(DISTINCT top) AS tops"
    )
    assert paths == [{"values": 7, "tops": 1}]
    stored = read_taxonomy(empty_graph, VALUE_KIND)
    assert {c.id for c in stored.clusters} == {c.id for c in other.clusters}
    # Export, then import with `ingest taxonomy` into a wiped graph: the same tree comes back.
    path = tmp_path / "values_tree.csv"
    write_tree_csv(stored, path)
    empty_graph.write("MATCH (n) DETACH DELETE n")
    summary = ingest_taxonomy(path, None, empty_graph)
    assert (summary.clusters, summary.values, summary.rejected) == (7, 7, 0)
    assert tree_rows(read_taxonomy(empty_graph, VALUE_KIND)) == tree_rows(stored)


def test_task_clusters(empty_graph: Graph, embedder: Embedder) -> None:
    seed_values(empty_graph)
    tasks = ["fix a bug", "write a poem"]
    taxonomy = build_taxonomy(
        tasks, embedder.encode(tasks), levels=parse_levels("2,1"), seed=0, kind=TASK_KIND
    )
    write_taxonomy(empty_graph, taxonomy)
    rows = empty_graph.read(
        "MATCH (t:Task)-[:IN_CLUSTER]->(c:Cluster {kind: 'task'}) RETURN c.id AS id ORDER BY id"
    )
    assert len(rows) == 2 and all(r["id"].startswith("tasks:l1:") for r in rows)
    assert json.dumps(read_taxonomy(empty_graph, TASK_KIND).levels()) == '{"0": 2, "1": 2, "2": 1}'


def test_the_values_and_taxonomy_commands(empty_graph: Graph, tmp_path: Path) -> None:
    seed_values(empty_graph)
    assert invoke("values", "similar", "honesty").exit_code != 0  # nothing embedded yet
    assert invoke("values", "embed").exit_code == 0
    found = json.loads(invoke("values", "similar", "honesty", "--top", "2", "--json").stdout)
    assert {f["name"] for f in found} == {"intellectual honesty", "truthfulness"}
    built = invoke(
        "taxonomy", "build", "--levels", "3,2,1", "--seed", "4", "--namer", "offline", "--json"
    )
    assert json.loads(built.stdout)["levels"] == {"0": 7, "1": 3, "2": 2, "3": 1}, built.output
    out = tmp_path / "tree.csv"
    assert invoke("taxonomy", "export", "-o", str(out)).exit_code == 0
    assert len(out.read_text().splitlines()) == 1 + 7 + 6
    tasks = invoke("taxonomy", "build", "--kind", "tasks", "--levels", "2,1", "--namer", "offline")
    assert tasks.exit_code == 0, tasks.output
