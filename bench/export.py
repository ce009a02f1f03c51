"""Export benchmark: a 1,000,000-relationship subgraph in every format, time and peak memory.

Run: ``python -m bench.export [--conversations 150000] [--repeat 3]`` to build a synthetic
corpus (``ingest.synth``), load it into a throwaway Neo4j on free ports and measure; or
``python -m bench.export --uri bolt://... --password ...`` against a graph already loaded.

The subgraph is every relationship of the conversations (``ABOUT``, ``AI_EXPRESSED``,
``HUMAN_EXPRESSED``, ``BY_MODEL``) up to ``--relationships`` (default 1,000,000), with their
nodes, selected as ``valuegraph export --cypher ... --include-conversations`` would. Each run
is its own Python process, so its peak resident memory (VmHWM) is its own; figures
are medians of ``--repeat`` runs. Two things are compared in the same run:

- the streaming export at a tenth of the size against the full size: memory should stay
  flat while time grows with the subgraph;
- for GraphML and the two JSON styles, the obvious alternative: read every record into
  memory, build a ``networkx.MultiDiGraph``, and write it with networkx's own writer
  (``write_graphml``, ``cytoscape_data``, ``node_link_data``). CSV and the Cypher script
  have no such alternative in networkx.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from tests.support.throwaway_neo4j import ThrowawayNeo4j, running
from valuegraph.graph.connection import Graph
from valuegraph.settings import Settings

PASSWORD = "bench-export-password"
SUBGRAPH = "MATCH (c:Conversation)-[r]->(x) RETURN c, r, x LIMIT {limit}"
# (name, format, json style)
STREAMING = (
    ("graphml", "graphml", "cytoscape"),
    ("json cytoscape", "json", "cytoscape"),
    ("json node-link", "json", "node-link"),
    ("csv (folder)", "csv", "cytoscape"),
    ("csv (zip)", "csv-zip", "cytoscape"),
    ("cypher", "cypher", "cytoscape"),
)
NAIVE = ("graphml", "json cytoscape", "json node-link")


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Not ``ru_maxrss``: Linux carries that across ``exec``, so a child of a big parent would
    report the parent's size. VmHWM belongs to the address space, which ``exec`` replaces.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- one measured run (a child process) --------------------------------------------------------


def _child_settings(uri: str, password: str) -> Settings:
    return Settings(neo4j_uri=uri, neo4j_password=SecretStr(password), neo4j_query_timeout=3600.0)


def run_streaming(uri: str, password: str, name: str, limit: int, out: Path) -> dict[str, Any]:
    from valuegraph.graph.export import (
        ExportFormat,
        ExportRequest,
        JsonStyle,
        UserQuery,
        prepare_export,
    )

    fmt_name, style = next((f, s) for n, f, s in STREAMING if n == name)
    fmt = ExportFormat.CSV if fmt_name == "csv-zip" else ExportFormat(fmt_name)
    with Graph.connect(_child_settings(uri, password)) as graph:
        baseline = _peak_rss_mb()
        started = time.perf_counter()
        request = ExportRequest(
            UserQuery(SUBGRAPH.format(limit=limit)), fmt, JsonStyle(style), True
        )
        prepared = prepare_export(graph, request, min_conversations=5)
        if fmt_name == "csv":
            prepared.write_csv_directory(out)
        else:
            with out.open("wb") as handle:
                for piece in prepared.chunks():
                    handle.write(piece)
        seconds = time.perf_counter() - started
        summary = prepared.summary()
    return {
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "baseline_rss_mb": baseline,
        "bytes": summary.bytes_written,
        "nodes": summary.nodes,
        "relationships": summary.relationships,
    }


def _plain(value: Any) -> Any:
    from valuegraph.graph.export.values import plain

    value = plain(value)
    return json.dumps(value) if isinstance(value, list | dict) else value


def run_naive(uri: str, password: str, name: str, limit: int, out: Path) -> dict[str, Any]:
    """Everything in memory, then networkx's writer: what a user would write by hand."""
    import networkx as nx

    with Graph.connect(_child_settings(uri, password)) as graph:
        baseline = _peak_rss_mb()
        started = time.perf_counter()
        records = graph.read_tx(lambda tx: list(tx.run(SUBGRAPH.format(limit=limit))))
        multigraph = nx.MultiDiGraph()
        for record in records:
            for node in (record["c"], record["x"]):
                if node.element_id not in multigraph:
                    properties = {k: _plain(v) for k, v in node.items() if k != "text"}
                    multigraph.add_node(node.element_id, labels=":".join(node.labels), **properties)
            rel = record["r"]
            multigraph.add_edge(
                rel.start_node.element_id,
                rel.end_node.element_id,
                key=rel.element_id,
                label=rel.type,
                **{k: _plain(v) for k, v in rel.items()},
            )
        del records
        if name == "graphml":
            nx.write_graphml(multigraph, out)
        else:
            data = (
                nx.cytoscape_data(multigraph)
                if name == "json cytoscape"
                else nx.node_link_data(multigraph, edges="edges")
            )
            with out.open("w") as handle:
                json.dump(data, handle)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "baseline_rss_mb": baseline,
        "bytes": out.stat().st_size,
        "nodes": multigraph.number_of_nodes(),
        "relationships": multigraph.number_of_edges(),
    }


# --- the parent: set up, run children, report -------------------------------------------------


def load(graph: Graph, folder: Path, conversations: int) -> None:
    from valuegraph.ingest.synth import write_corpus
    from valuegraph.pipelines.records import ingest_records
    from valuegraph.pipelines.taxonomy import ingest_taxonomy

    print(f"writing and loading {conversations:,} synthetic conversations ...", flush=True)
    started = time.perf_counter()
    corpus = write_corpus(folder, conversations, 7)
    ingest_taxonomy(corpus.values_tree_path, corpus.values_frequencies_path, graph)
    ingest_records(corpus.records_path, graph)
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


def measure(
    uri: str, password: str, approach: str, name: str, limit: int, repeat: int, work: Path
) -> dict[str, float]:
    runs = []
    for attempt in range(repeat):
        out = work / f"{approach}-{name.replace(' ', '_')}-{limit}-{attempt}"
        command = [
            sys.executable,
            "-m",
            "bench.export",
            "--child",
            approach,
            "--name",
            name,
            "--limit",
            str(limit),
            "--uri",
            uri,
            "--password",
            password,
            "--out",
            str(out),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{approach} {name} failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        subprocess.run(["rm", "-rf", str(out)], check=False)
    return {
        key: statistics.median(run[key] for run in runs)
        for key in ("seconds", "peak_rss_mb", "baseline_rss_mb", "bytes", "nodes", "relationships")
    }


def report(
    uri: str, password: str, relationships: int, repeat: int, work: Path, names: list[str]
) -> None:
    small = max(1, relationships // 10)
    print(f"\nmedians of {repeat} runs; each run is a fresh process\n")
    header = (
        f"{'format':<16} {'approach':<10} {'relationships':>13} {'nodes':>9} {'seconds':>8} "
        f"{'peak RSS MB':>11} {'(before)':>9} {'output MB':>9}"
    )
    print(header)
    print("-" * len(header))
    results: dict[tuple[str, str, int], dict[str, float]] = {}
    for name in names:
        jobs = [("streaming", small), ("streaming", relationships)]
        if name in NAIVE:
            jobs.append(("naive", relationships))
        for approach, limit in jobs:
            figures = measure(uri, password, approach, name, limit, repeat, work)
            results[(name, approach, limit)] = figures
            print(
                f"{name:<16} {approach:<10} {int(figures['relationships']):>13,} "
                f"{int(figures['nodes']):>9,} {figures['seconds']:>8.1f} "
                f"{figures['peak_rss_mb']:>11.0f} {figures['baseline_rss_mb']:>9.0f} "
                f"{figures['bytes'] / 1e6:>9.1f}",
                flush=True,
            )
    print("\nratios (same run):")
    for name in names:
        big = results[(name, "streaming", relationships)]
        tenth = results[(name, "streaming", small)]
        line = (
            f"  {name:<16} 10x the subgraph: time x{big['seconds'] / tenth['seconds']:.1f}, "
            f"peak RSS x{big['peak_rss_mb'] / tenth['peak_rss_mb']:.2f}"
        )
        if name in NAIVE:
            naive = results[(name, "naive", relationships)]
            line += (
                f"; networkx in memory / streaming: time x"
                f"{naive['seconds'] / big['seconds']:.2f}, peak RSS x"
                f"{naive['peak_rss_mb'] / big['peak_rss_mb']:.1f}"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=150_000)
    parser.add_argument("--relationships", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--formats",
        default=",".join(name for name, _, _ in STREAMING),
        help="Comma-separated, from: " + ", ".join(name for name, _, _ in STREAMING),
    )
    parser.add_argument("--uri")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--child", choices=("streaming", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        run = run_streaming if args.child == "streaming" else run_naive
        print(json.dumps(run(args.uri, args.password, args.name, args.limit, args.out)))
        return

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp, ExitStack() as cleanup:
        work = Path(tmp)
        uri, password = args.uri, args.password
        if uri is None:
            neo4j = ThrowawayNeo4j(work / "state", password, heap="2g", pagecache="1g")
            cleanup.enter_context(running(neo4j, home=work / "server"))
            uri = neo4j.bolt_uri
            with Graph.connect(Settings(neo4j_query_timeout=3600.0)) as graph:
                load(graph, work / "corpus", args.conversations)
        with Graph.connect(_child_settings(uri, password)) as graph:
            available = graph.read("MATCH (:Conversation)-[r]->() RETURN count(r) AS n")[0]["n"]
        relationships = min(args.relationships, available)
        print(f"subgraph: {relationships:,} relationships (of {available:,} available)")
        names = [name.strip() for name in args.formats.split(",") if name.strip()]
        unknown = set(names) - {name for name, _, _ in STREAMING}
        if unknown:
            parser.error(f"unknown format(s): {', '.join(sorted(unknown))}")
        report(uri, password, relationships, args.repeat, work, names)


if __name__ == "__main__":
    main()
