"""Materialised links: the right ones, replaced whole, and never half-written.

The crash test runs a materialisation in a child process that stops inside its transaction
after writing part of the new set; a reader in this process looks, then the child is killed
with SIGKILL. The old set must be there, whole, all along and afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.neo4j_fixtures import wipe
from tests.support.paths import REPO
from valuegraph.domain import ExtractedRecord
from valuegraph.errors import QueryError
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.writer import load_records
from valuegraph.queries import load_cypher
from valuegraph.queries.analyses import associations
from valuegraph.queries.materialize import current_materialization, materialize, read_links

K = 5
LINKS = """
MATCH (v:AIValue)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->(p)
RETURN type(r) AS type, v.key AS value, p.key AS partner, r.generation AS generation,
       r.adjusted_residual AS adjusted_residual, r.observed AS observed, r.expected AS expected,
       r.chi2 AS chi2, r.p_value AS p_value, r.p_adjusted AS p_adjusted
ORDER BY type, value, partner
"""


def make_records() -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    tasks = ("coding help", "relationship advice", "essay editing", "trip planning")
    planted = {
        "code quality": "coding help",
        "healthy boundaries": "relationship advice",
        "originality": "essay editing",
    }
    records = []
    for i in range(500):
        task = tasks[int(rng.integers(len(tasks)))]
        ai = [v for v, home in planted.items() if rng.random() < (0.6 if home == task else 0.03)]
        ai += [v for v in ("helpfulness", "clarity", "curiosity") if rng.random() < 0.35]
        human = [h for h in ("honesty", "independence") if rng.random() < 0.3]
        if "healthy boundaries" in ai and rng.random() < 0.5:
            human.append("self-respect")
        records.append(
            {
                "conversation_id": f"c{i}",
                "task": task,
                "ai_values": ai,
                "human_values": human,
                "response_type": "strong_support" if human else "no_values",
                "model": "m",
            }
        )
    return records


@pytest.fixture(scope="module")
def links_graph(graph: Graph) -> Iterator[Graph]:
    wipe(graph)
    apply_schema(graph)
    load_records(graph, [ExtractedRecord.model_validate(r) for r in make_records()])
    yield graph


def links(graph: Graph) -> list[dict[str, Any]]:
    return graph.read(LINKS)


def test_links_are_the_significant_positive_associations(links_graph: Graph) -> None:
    summary = materialize(links_graph, alpha=0.05)
    written = links(links_graph)
    expected = {
        ("ASSOCIATED_WITH", row.value_key, row.task_key, row.observed)
        for row in associations(links_graph, kind="value-task", alpha=0.05).rows
        if row.adjusted_residual > 0
    } | {
        ("CO_OCCURS_WITH", row.value_key, row.human_value_key, row.observed)
        for row in associations(links_graph, kind="ai-human", alpha=0.05).rows
        if row.adjusted_residual > 0
    }
    assert {(w["type"], w["value"], w["partner"], w["observed"]) for w in written} == expected
    assert ("ASSOCIATED_WITH", "code quality", "coding help") in {
        (w["type"], w["value"], w["partner"]) for w in written
    }
    assert all(w["p_adjusted"] <= 0.05 and w["adjusted_residual"] > 0 for w in written)
    assert all(w["observed"] >= K and w["expected"] > 0 and w["chi2"] > 0 for w in written)
    assert {w["generation"] for w in written} == {summary.generation}
    read_back = read_links(links_graph)
    assert {(r.link, r.value_key, r.partner_key, r.observed) for r in read_back} == expected
    residuals = [r.adjusted_residual for r in read_back]
    assert residuals == sorted(residuals, reverse=True)
    browser = links_graph.read(load_cypher("materialized_links"), {"limit": 1000})
    assert len(browser) == len(written)
    current = current_materialization(links_graph)
    assert current is not None and current.generation == summary.generation
    assert (current.associated_with, current.co_occurs_with) == (
        summary.associated_with,
        summary.co_occurs_with,
    )


def test_a_second_run_replaces_the_whole_set(links_graph: Graph) -> None:
    first = materialize(links_graph, alpha=1.0, min_count=1)
    second = materialize(links_graph, alpha=1e-6)
    written = links(links_graph)
    assert second.removed == first.associated_with + first.co_occurs_with
    assert len(written) == second.associated_with + second.co_occurs_with < second.removed
    assert {w["generation"] for w in written} == {second.generation}
    again = materialize(links_graph, alpha=1e-6)
    assert [{**w, "generation": None} for w in links(links_graph)] == [
        {**w, "generation": None} for w in written
    ]
    assert again.removed == len(written)


def test_max_links_keeps_the_strongest_and_says_how_many_it_cut(links_graph: Graph) -> None:
    everything = materialize(links_graph, alpha=1.0, min_count=1)
    capped = materialize(links_graph, alpha=1.0, min_count=1, max_links=2)
    assert capped.associated_with == 2
    assert capped.truncated == (
        everything.associated_with
        + everything.co_occurs_with
        - capped.associated_with
        - capped.co_occurs_with
    )
    kept = [w for w in links(links_graph) if w["type"] == "ASSOCIATED_WITH"]
    strongest = sorted(
        (
            r.adjusted_residual
            for r in associations(links_graph, kind="value-task", min_count=1).rows
        ),
        reverse=True,
    )[:2]
    assert sorted((w["adjusted_residual"] for w in kept), reverse=True) == pytest.approx(strongest)


def test_an_error_inside_the_transaction_leaves_the_old_set(links_graph: Graph) -> None:
    materialize(links_graph, alpha=0.05)
    before, pointer = links(links_graph), current_materialization(links_graph)

    def fail_after_first_batch(label: str) -> None:
        if label == "ASSOCIATED_WITH":
            raise RuntimeError("stop here")

    with pytest.raises(QueryError, match="stop here"):
        materialize(
            links_graph, alpha=1.0, min_count=1, batch_size=1, on_statement=fail_after_first_batch
        )
    assert links(links_graph) == before
    assert current_materialization(links_graph) == pointer


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from valuegraph.graph.connection import Graph
    from valuegraph.queries.materialize import materialize
    from valuegraph.settings import Settings

    marker = Path(sys.argv[1])

    def pause_mid_set(label):
        if label == "ASSOCIATED_WITH" and not marker.exists():
            marker.write_text("paused")
            time.sleep(600)

    with Graph.connect(Settings()) as graph:
        materialize(graph, alpha=1.0, min_count=1, batch_size=1, on_statement=pause_mid_set)
    """
)


def test_sigkill_mid_write_leaves_the_old_set_whole(links_graph: Graph, tmp_path: Path) -> None:
    materialize(links_graph, alpha=1e-6)
    before, pointer = links(links_graph), current_materialization(links_graph)
    marker = tmp_path / "paused"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(marker)], cwd=REPO, env=dict(os.environ)
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the child ended before it paused"
            assert time.monotonic() < deadline, "the child never reached its pause"
            time.sleep(0.1)
        # The child holds a transaction with the old set deleted and part of the new one
        # written. A reader sees only what is committed: the old set, whole.
        assert links(links_graph) == before
        assert current_materialization(links_graph) == pointer
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert links(links_graph) == before
    assert current_materialization(links_graph) == pointer
    # The server released the dead transaction's locks: the next run goes through.
    after = materialize(links_graph, alpha=1.0, min_count=1)
    assert after.removed == len(before)
    assert len(links(links_graph)) == after.associated_with + after.co_occurs_with
