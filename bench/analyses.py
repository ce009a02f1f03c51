"""Analyses benchmark: each analysis at paper scale, materialisation, and the alternatives.

Run: ``python -m bench.analyses [--conversations 308210] [--repeat 3]`` to generate the
synthetic corpus, load it into a throwaway Neo4j on free ports and time everything; or
``python -m bench.analyses --uri bolt://... --password ...`` against a graph already loaded.

Every figure is the median of ``--repeat`` runs (after one warm-up run that fills the page
cache). Two alternatives are measured in the same run, on the same graph:

- counting the value x task pairs as one record per pair (the obvious Cypher) against one
  record per task carrying lists (what ``value_task_pairs.cypher`` does);
- a ``scipy.stats.chi2_contingency`` call per pair in a loop against the vectorised
  statistics of ``queries.stats``, on the same counts.

It ends with the published shares next to the measured ones, as a calibration check.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr
from scipy.stats import chi2_contingency

from tests.support.throwaway_neo4j import ThrowawayNeo4j, running
from valuegraph.graph.connection import Graph
from valuegraph.ingest.synth import (
    PUBLISHED_TOP_VALUES,
    RESPONSE_SHARES_WITH_HUMAN_VALUES,
    STUDY_CONVERSATIONS,
    write_corpus,
)
from valuegraph.pipelines.records import ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.queries import load_cypher
from valuegraph.queries.analyses import (
    associations,
    findings,
    frequencies,
    invariance,
    mirroring,
    models,
    response_types,
)
from valuegraph.queries.associations import association_table
from valuegraph.queries.counting import ConversationFilter, Levels, read_co_occurrence
from valuegraph.queries.materialize import materialize
from valuegraph.settings import Settings

PASSWORD = "bench-password-1"  # a throwaway server's
NAN = float("nan")
TARGET_SECONDS = 10.0  # the budget for the full value x task table

# The obvious query: one record per (value, task) pair.
PAIRS_ONE_RECORD_EACH = """
MATCH (t:Task)<-[:ABOUT]-(c:Conversation)-[:AI_EXPRESSED]->(v:AIValue)
WITH v, t, count(*) AS together
RETURN v.key AS a, t.key AS b, together
"""


def median_seconds(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs after one warm-up; the last result."""
    result = work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def load_corpus(graph: Graph, folder: Path, conversations: int, seed: int) -> None:
    started = time.perf_counter()
    summary = write_corpus(folder, conversations, seed)
    print(f"generated {conversations:,} conversations in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    ingest_taxonomy(summary.values_tree_path, summary.values_frequencies_path, graph)
    loaded = ingest_records(summary.records_path, graph)
    print(
        f"loaded {loaded.loaded:,} conversations, {loaded.relationships:,} relationships "
        f"in {time.perf_counter() - started:.1f} s"
    )


def analyses(k: int) -> list[tuple[str, Callable[[Graph], Any]]]:
    return [
        ("frequencies (values, both roles)", lambda g: frequencies(g, min_conversations=k)),
        ("frequencies (level-1 clusters)", lambda g: frequencies(g, level=1, min_conversations=k)),
        ("response-types", lambda g: response_types(g, min_conversations=k)),
        (
            "associations value-task (values x tasks)",
            lambda g: associations(g, kind="value-task", min_conversations=k),
        ),
        (
            "associations value-task (level-2 clusters)",
            lambda g: associations(g, kind="value-task", value_level=2, min_conversations=k),
        ),
        ("associations ai-human", lambda g: associations(g, kind="ai-human", min_conversations=k)),
        (
            "associations value-response",
            lambda g: associations(g, kind="value-response", min_conversations=k),
        ),
        ("mirroring", lambda g: mirroring(g, min_conversations=k)),
        ("invariance across tasks", lambda g: invariance(g, min_conversations=k)),
        (
            "invariance across human values",
            lambda g: invariance(g, across="human-value", min_conversations=k),
        ),
        ("models", lambda g: models(g, min_conversations=k)),
        ("findings (three analyses)", lambda g: findings(g, min_conversations=k)),
        ("materialize", lambda g: materialize(g, min_conversations=k)),
    ]


def time_analyses(graph: Graph, repeat: int, k: int) -> None:
    print(f"\n{'analysis':<46} {'median s':>9}   rows / result")
    for name, run in analyses(k):
        seconds, result = median_seconds(partial(run, graph), repeat)
        print(f"{name:<46} {seconds:>9.2f}   {describe(result)}")


def describe(result: Any) -> str:
    if isinstance(result, list):
        return f"{len(result)} findings"
    if hasattr(result, "rows"):
        extra = f", {result.tests:,} tests" if hasattr(result, "tests") else ""
        return f"{len(result.rows):,} rows, {result.suppressed:,} suppressed{extra}"
    if hasattr(result, "associated_with"):
        return f"{result.associated_with:,} + {result.co_occurs_with:,} links"
    return f"{result.suppressed:,} suppressed"


def compare_alternatives(graph: Graph, repeat: int, k: int) -> None:
    levels = Levels()
    where = ConversationFilter()
    table_shape = read_co_occurrence(graph, "value-task", where, levels)
    print(
        f"\nvalue x task table: {len(table_shape.rows):,} values x {len(table_shape.cols):,} "
        f"tasks, {table_shape.together.nnz:,} co-occurring pairs, "
        f"{table_shape.conversations:,} conversations"
    )
    everything, table = median_seconds(
        lambda: read_co_occurrence(graph, "value-task", where, levels), repeat
    )
    params = {**where.params(), **levels.params()}
    lists, _ = median_seconds(lambda: graph.read(load_cypher("value_task_pairs"), params), repeat)
    naive, records = median_seconds(lambda: graph.read(PAIRS_ONE_RECORD_EACH), repeat)
    assert len(records) == table.together.nnz
    print(f"counting pairs, one record per task with lists (ours): {lists:.2f} s")
    print(
        f"counting pairs, one record per pair:                   {naive:.2f} s "
        f"({naive / lists:.1f}x ours)"
    )
    print(f"counting pairs and margins in one transaction (ours):  {everything:.2f} s")

    def vectorised() -> Any:
        return association_table(
            table,
            kind="value-task",
            levels=levels,
            min_count=5,
            value=None,
            partner=None,
            alpha=None,
            top=None,
            min_conversations=k,
        )

    stats_seconds, result = median_seconds(vectorised, repeat)
    print(f"statistics, vectorised over {result.tests:,} pairs: {stats_seconds:.3f} s")
    loop_seconds = per_pair_loop(table)
    print(
        f"statistics, chi2_contingency per pair (1 run): {loop_seconds:.2f} s "
        f"({loop_seconds / stats_seconds:.0f}x vectorised)"
    )
    total = everything + stats_seconds
    verdict = "within" if total <= TARGET_SECONDS else "OVER"
    print(
        f"full value x task table, counting + statistics: {total:.2f} s "
        f"({verdict} the {TARGET_SECONDS:.0f} s target)"
    )


def per_pair_loop(table: Any) -> float:
    counts = table.together.tocoo()
    keep = counts.data >= 5
    rows, cols, observed = counts.row[keep], counts.col[keep], counts.data[keep]
    n = table.conversations
    started = time.perf_counter()
    for i, j, o in zip(rows.tolist(), cols.tolist(), observed.tolist(), strict=True):
        r, c = int(table.rows.conversations[i]), int(table.cols.conversations[j])
        chi2_contingency(np.array([[o, r - o], [c - o, n - r - c + o]]), correction=False)
    return time.perf_counter() - started


def calibration(graph: Graph, k: int) -> None:
    print("\npublished share -> measured (percent)")
    values = {
        row.key: row for row in frequencies(graph, role="ai", top=60, min_conversations=k).rows
    }
    for name, published, _ in PUBLISHED_TOP_VALUES[:10]:
        row = values.get(name)
        print(f"  {name:<38} {published:7.3f} -> {row.pct_convos if row else NAN:7.3f}")
    types = response_types(graph, human_values_present=True, min_conversations=k)
    measured = {row.response_type: row.pct for row in types.rows if row.model is None}
    for response_type, share in RESPONSE_SHARES_WITH_HUMAN_VALUES.items():
        label = f"{response_type} (with human values)"
        print(f"  {label:<38} {100 * share:7.3f} -> {measured.get(response_type, NAN):7.3f}")
    rates = {row.response_type: row for row in mirroring(graph, min_conversations=k).rates.rows}
    for response_type, share in (
        ("strong_support", 20.1),
        ("reframing", 15.3),
        ("strong_resistance", 1.2),
    ):
        rate = 100 * rates[response_type].mirroring_rate if response_type in rates else NAN
        print(f"  {'mirroring in ' + response_type:<38} {share:7.3f} -> {rate:7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", help="A loaded graph to use instead of a throwaway server.")
    parser.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD"))
    parser.add_argument("--conversations", type=int, default=STUDY_CONVERSATIONS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-conversations", type=int, default=5)
    args = parser.parse_args()

    with ExitStack() as cleanup:
        if args.uri:
            settings = Settings(
                neo4j_uri=args.uri,
                neo4j_password=SecretStr(args.password or ""),
                neo4j_query_timeout=600.0,
            )
            graph = cleanup.enter_context(Graph.connect(settings))
        else:
            home = Path(tempfile.mkdtemp(prefix="valuegraph-bench-"))
            cleanup.callback(shutil.rmtree, home, ignore_errors=True)
            neo4j = ThrowawayNeo4j(home / "state", PASSWORD, heap="2g", pagecache="2g")
            cleanup.enter_context(running(neo4j, home=home / "server"))
            settings = Settings(neo4j_query_timeout=600.0)  # the rest from the environment
            graph = cleanup.enter_context(Graph.connect(settings))
            load_corpus(graph, home / "corpus", args.conversations, args.seed)
        print(f"machine: {os.cpu_count()} cores; median of {args.repeat} runs after a warm-up")
        compare_alternatives(graph, args.repeat, args.min_conversations)
        time_analyses(graph, args.repeat, args.min_conversations)
        calibration(graph, args.min_conversations)


if __name__ == "__main__":
    main()
