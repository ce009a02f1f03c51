"""The taxonomy in the format released with "Values in the Wild", imported into a real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

from valuegraph.graph.connection import Graph
from valuegraph.pipelines.taxonomy import ingest_taxonomy

L3 = "ai_values:l3:0b6a6c1e-0000-4000-8000-000000000001"
L2 = "ai_values:l2:0b6a6c1e-0000-4000-8000-000000000002"
L1A = "ai_values:l1:0b6a6c1e-0000-4000-8000-000000000003"
L1B = "ai_values:l1:0b6a6c1e-0000-4000-8000-000000000004"

TREE = f"""cluster_id,description,name,level,parent_cluster_id,pct_total_occurrences
{L3},Values about getting things done,Practical values,3,,100.0
{L2},Excellence in professional and technical work,professional and technical excellence,2,{L3},100.0
{L1A},Doing the job well,Competence,1,{L2},60.0
{L1B},Being of use,Helpfulness,1,{L2},40.0
professionalism,,professionalism,0,{L1A},35.0
technical excellence,,technical excellence,0,{L1A},25.0
helpfulness,,helpfulness,0,{L1B},40.0
"""

FREQUENCIES = """value,pct_convos
helpfulness,23.359
professionalism,22.861
technical excellence,6.127
"""


def sample(tmp_path: Path, tree: str = TREE, frequencies: str = FREQUENCIES) -> tuple[Path, Path]:
    (tmp_path / "values_tree.csv").write_text(tree)
    (tmp_path / "values_frequencies.csv").write_text(frequencies)
    return tmp_path / "values_tree.csv", tmp_path / "values_frequencies.csv"


def test_sample_in_the_released_format_imports(empty_graph: Graph, tmp_path: Path) -> None:
    summary = ingest_taxonomy(*sample(tmp_path), empty_graph)
    assert (summary.clusters, summary.values, summary.frequencies, summary.rejected) == (4, 3, 3, 0)

    paths = empty_graph.read(
        """
        MATCH (v:AIValue)-[:IN_CLUSTER*]->(top:Cluster {level: 3})
        RETURN v.key AS value, v.pct_convos AS pct, top.name AS top ORDER BY value
        """
    )
    assert paths == [
        {"value": "helpfulness", "pct": 23.359, "top": "Practical values"},
        {"value": "professionalism", "pct": 22.861, "top": "Practical values"},
        {"value": "technical excellence", "pct": 6.127, "top": "Practical values"},
    ]
    kinds = empty_graph.read("MATCH (c:Cluster) RETURN collect(DISTINCT c.kind) AS kinds")
    assert kinds == [{"kinds": ["ai_value"]}]


def test_reimport_is_idempotent_and_moves_values(empty_graph: Graph, tmp_path: Path) -> None:
    tree, frequencies = sample(tmp_path)
    ingest_taxonomy(tree, frequencies, empty_graph)
    moved = TREE.replace(f"helpfulness,,helpfulness,0,{L1B}", f"helpfulness,,helpfulness,0,{L1A}")
    tree, frequencies = sample(tmp_path, tree=moved)
    ingest_taxonomy(tree, frequencies, empty_graph)
    ingest_taxonomy(tree, frequencies, empty_graph)
    edges = empty_graph.read(
        "MATCH (v:AIValue {key: 'helpfulness'})-[:IN_CLUSTER]->(c) RETURN c.name AS cluster"
    )
    assert edges == [{"cluster": "Competence"}]
    total = empty_graph.read("MATCH ()-[r:IN_CLUSTER]->() RETURN count(r) AS n")
    assert total == [{"n": 3 + 3}]


def test_bad_rows_are_reported_by_line(empty_graph: Graph, tmp_path: Path) -> None:
    bad_tree = TREE + (
        f"ai_values:l1:nothex,desc,Broken id,1,{L2},1.0\n"
        f"x,,x,7,{L1A},1.0\n"
        f"y,,y,0,,1.0\n"
        f"z,,z,0,{L1A},lots\n"
    )
    bad_frequencies = FREQUENCIES + "safety,150\n,2.0\n"
    summary = ingest_taxonomy(*sample(tmp_path, bad_tree, bad_frequencies), empty_graph)
    assert summary.rejected == 6
    assert summary.values == 3
    messages = "\n".join(summary.first_rejections)
    for expected in (
        "values_tree.csv:9: field 'cluster_id'",
        "values_tree.csv:10: field 'level'",
        "values_tree.csv:11: field 'parent_cluster_id'",
        "values_tree.csv:12: invalid number",
        "values_frequencies.csv:5: field 'pct_convos'",
        "values_frequencies.csv:6: field 'value'",
    ):
        assert expected in messages
    quarantined = (tmp_path / "values_tree.quarantine.jsonl").read_text().splitlines()
    assert [json.loads(line)["line"] for line in quarantined] == [9, 10, 11, 12]
