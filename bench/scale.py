"""Growth from 1x to 10x the study's corpus: the store's size, the load, and the API's latency.

Run: ``python -m bench.scale [--factors 1,10] [--clients 16] [--requests 40] [--repeat 3]``

For each factor the synthetic corpus of factor x 308,210 conversations is bulk-loaded into an
empty throwaway Neo4j on free ports (``--bulk``, the fastest path, timed), the taxonomy is
loaded and the associations materialised (timed), and the store's size on disk is taken. Then
the scenarios of ``bench.api`` run against it, through two ``valuegraph serve`` processes
(answers kept, and every request executed) and, for the two lookups, through the driver
directly. The analyses' direct runs recount the whole corpus per request (minutes each at
10x), so for them the figure that grows is the API's first answer, which does that count once
per graph version; it is reported as "first analysis answers".

Every latency is a median over ``--repeat`` runs; the growth column is 10x / 1x of the same run.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.api import (
    Timing,
    api_server,
    bench_driver,
    concurrently,
    scenarios,
    summary,
    warm,
    workload_inputs,
)
from bench.ingest import bench_server, run_loader, store_size_mib
from tests.support.throwaway_neo4j import environment_set, running
from valuegraph.graph.connection import Graph
from valuegraph.ingest.synth import STUDY_CONVERSATIONS, write_corpus
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.queries.materialize import materialize
from valuegraph.settings import Settings


@dataclass
class Scale:
    factor: float
    conversations: int
    relationships: int = 0
    nodes: int = 0
    store_mib: float = 0.0
    load_s: float = 0.0
    materialize_s: float = 0.0
    first_answers_s: float = 0.0
    # scenario -> mode (kept, executed, direct) -> (p50 ms, p95 ms)
    latency: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)


def measure_scale(args: argparse.Namespace, factor: float, root: Path) -> Scale:
    conversations = round(STUDY_CONVERSATIONS * factor)
    scale = Scale(factor, conversations)
    corpus = write_corpus(root / f"corpus-{factor:g}x", conversations, args.seed)
    neo4j = bench_server(root / f"{factor:g}x", args.heap, args.pagecache)
    # At 10x an analysis's first count outlasts the API's default 15 s per transaction; the
    # growth of that first answer is what is measured here, so it is allowed to finish.
    timeout = {"VALUEGRAPH_API_QUERY_TIMEOUT": "900"}
    env = {**neo4j.environment(), **timeout}
    with environment_set(timeout), running(neo4j) as server:
        settings = Settings()
        run = run_loader("bulk", corpus.records_path, env, None)
        scale.load_s, scale.relationships = run.seconds, run.relationships
        with Graph.connect(settings) as graph:
            ingest_taxonomy(corpus.values_tree_path, corpus.values_frequencies_path, graph)
            started = time.perf_counter()
            materialize(graph, min_conversations=settings.min_conversations)
            scale.materialize_s = time.perf_counter() - started
            scale.nodes = graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
            scale.relationships = graph.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        scale.store_mib = store_size_mib(server)
        print(
            f"{factor:g}x: {conversations:,} conversations, {scale.relationships:,} relationships,"
            f" store {scale.store_mib:,.0f} MiB; bulk load {scale.load_s:.0f} s, materialise "
            f"{scale.materialize_s:.0f} s",
            flush=True,
        )
        measure_api(args, env, settings, scale)
    return scale


def measure_api(
    args: argparse.Namespace, env: dict[str, str], settings: Settings, scale: Scale
) -> None:
    driver = bench_driver(settings, args.clients)
    try:
        inputs = workload_inputs(driver)
        with (
            api_server(env, args.threads, keep_answers=True) as kept_port,
            api_server(env, args.threads, keep_answers=False) as executed_port,
        ):
            started = time.perf_counter()
            warm(kept_port, inputs)
            scale.first_answers_s = time.perf_counter() - started
            warm(executed_port, inputs)
            for scenario in scenarios(inputs, settings.min_conversations):
                runs: dict[str, list[Timing]] = {"kept": [], "executed": [], "direct": []}
                for _ in range(args.repeat):
                    for mode, port in (("kept", kept_port), ("executed", executed_port)):
                        runs[mode].append(
                            concurrently(args.clients, args.requests, scenario.api(port))
                        )
                    if not scenario.analysis:
                        runs["direct"].append(
                            concurrently(args.clients, args.requests, scenario.direct(driver))
                        )
                scale.latency[scenario.name] = {
                    mode: summary(timings)[1:] for mode, timings in runs.items() if timings
                }
                print(f"  {scenario.name}: {scale.latency[scenario.name]}", flush=True)
    finally:
        driver.close()


def report(scales: list[Scale]) -> None:
    first, last = scales[0], scales[-1]

    def growth(a: float, b: float) -> str:
        return f"{b / a:.2f}x" if a else "-"

    header = " | ".join(f"{s.factor:g}x" for s in scales)
    print(f"\n| measure | {header} | growth |")
    print("|---|" + "---|" * len(scales) + "---|")
    rows = [
        ("conversations", [f"{s.conversations:,}" for s in scales], first.conversations,
         last.conversations),
        ("nodes", [f"{s.nodes:,}" for s in scales], first.nodes, last.nodes),
        ("relationships", [f"{s.relationships:,}" for s in scales], first.relationships,
         last.relationships),
        ("store on disk (MiB)", [f"{s.store_mib:,.0f}" for s in scales], first.store_mib,
         last.store_mib),
        ("bulk load (s)", [f"{s.load_s:.0f}" for s in scales], first.load_s, last.load_s),
        ("materialise (s)", [f"{s.materialize_s:.0f}" for s in scales], first.materialize_s,
         last.materialize_s),
        ("first analysis answers (s)", [f"{s.first_answers_s:.1f}" for s in scales],
         first.first_answers_s, last.first_answers_s),
    ]  # fmt: skip
    for name in first.latency:
        for mode in first.latency[name]:
            for index, label in ((0, "p50"), (1, "p95")):
                values = [s.latency[name][mode][index] for s in scales]
                rows.append(
                    (f"{name} {mode} {label} (ms)", [f"{v:.1f}" for v in values], values[0],
                     values[-1])
                )  # fmt: skip
    for name, cells, a, b in rows:
        print(f"| {name} | {' | '.join(cells)} | {growth(a, b)} |")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--factors", default="1,10", help="Multiples of the study's corpus.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=16, help="The API's worker threads.")
    parser.add_argument("--requests", type=int, default=40, help="Per client, per run.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="4g")
    args = parser.parse_args(argv)
    # A plain kill must still stop the throwaway Neo4j and the API processes (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    factors = [float(f) for f in args.factors.split(",") if f]
    with tempfile.TemporaryDirectory(prefix="vg-bench-scale-") as tmp:
        scales = [measure_scale(args, factor, Path(tmp)) for factor in factors]
    report(scales)


if __name__ == "__main__":
    main()
