"""Report benchmark: ``valuegraph report`` on a paper-scale graph, figures in parallel vs in turn.

Run: ``python -m bench.report [--conversations 308210] [--repeat 3]``

Writes the synthetic corpus, loads it into a throwaway Neo4j on free ports (its own state
folder; the jars the user's server already fetched), then times:

- the first build (cold: Neo4j's page cache and query plans are empty) and the HTML rendering;
- ``--repeat`` builds with the figures run side by side (``WORKERS`` threads, the default) and
  as many run one after another (one thread), alternating, so the ratio compares like with like;
- the real command, ``valuegraph report -o FILE``, once, as a child process.

The goal of the issue is a paper-scale report (308,210 conversations) in 60 s or less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.throwaway_neo4j import ThrowawayNeo4j, running
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.ingest.synth import write_corpus
from valuegraph.pipelines.records import ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.report.build import WORKERS, build_report, render_report
from valuegraph.settings import Settings

PASSWORD = "bench-report-password-1"


def load(graph: Graph, corpus: Path) -> None:
    started = time.perf_counter()
    apply_schema(graph)
    ingest_taxonomy(corpus / "values_tree.csv", corpus / "values_frequencies.csv", graph)
    summary = ingest_records(corpus / "records.jsonl", graph)
    print(
        f"loaded {summary.loaded:,} conversations, {summary.relationships:,} relationships "
        f"in {time.perf_counter() - started:.0f} s"
    )


def timed_build(graph: Graph, settings: Settings, top: int, workers: int) -> float:
    started = time.perf_counter()
    build_report(graph, settings, top=top, workers=workers)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=308_210)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="1g")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vg-bench-report-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        write_corpus(root / "corpus", args.conversations, args.seed)
        print(
            f"corpus: {args.conversations:,} conversations in {time.perf_counter() - started:.0f} s"
        )
        neo4j = ThrowawayNeo4j(root / "state", PASSWORD, heap=args.heap, pagecache=args.pagecache)
        with running(neo4j, home=root / "server"):
            settings = Settings()
            with Graph.connect(settings) as graph:
                load(graph, root / "corpus")
                run(graph, settings, args, neo4j.environment(), root)


def run(
    graph: Graph, settings: Settings, args: argparse.Namespace, env: dict[str, str], root: Path
) -> None:
    started = time.perf_counter()
    page = build_report(graph, settings, top=args.top)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    html = render_report(page)
    rendering = time.perf_counter() - started
    size = len(html) / 1024
    print(f"\nfirst (cold) build: {cold:.1f} s; rendering {rendering:.2f} s, {size:,.0f} KiB")

    times: dict[int, list[float]] = {WORKERS: [], 1: []}
    for _ in range(args.repeat):
        for workers in times:
            times[workers].append(timed_build(graph, settings, args.top, workers))
            print(f"  build with {workers} worker(s): {times[workers][-1]:.1f} s")

    output = root / "report.html"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "valuegraph", "report", "-o", str(output), "--top", str(args.top)],
        check=True,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )
    command = time.perf_counter() - started

    parallel, sequential = (statistics.median(times[w]) for w in (WORKERS, 1))
    print(f"\nReport of {args.conversations:,} conversations (medians of {args.repeat}):")
    print(f"  figures side by side ({WORKERS} threads): {parallel:.1f} s")
    print(f"  figures one after another:      {sequential:.1f} s")
    print(f"  one after another / side by side: {sequential / parallel:.2f}x")
    print(f"  rendering the HTML: {rendering:.2f} s")
    print(f"  `valuegraph report -o report.html`, end to end: {command:.1f} s")
    verdict = "met" if max(cold, command) <= 60 else "NOT met"
    print(f"  goal: 60 s or less, cold build included -> {verdict}")


if __name__ == "__main__":
    main()
