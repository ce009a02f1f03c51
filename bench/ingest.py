"""Ingest benchmark: the batched UNWIND loader against a one-transaction-per-conversation loader.

Run: ``python -m bench.ingest [--conversations 308210] [--repeat 3] [--naive-sample 10000]``

Each load runs the real command (``valuegraph ingest records``) as a child process
into an empty throwaway Neo4j on free ports, so the loader's peak resident memory
is measured alone (its VmHWM). The naive loader is the same command with
``--batch-size 1``, one transaction per conversation; it runs on the first
``--naive-sample`` conversations because at paper scale it would take an hour.
The ratio compares throughputs measured in the same run. Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from graph.server import LocalServer, jar_dir
from ingest.synth import write_corpus
from tests.conftest import free_port
from valuegraph.settings import Settings

PASSWORD = "bench-password-1"


@dataclass(frozen=True)
class Run:
    seconds: float
    conversations: int
    relationships: int
    peak_rss_mib: float


def start_server(home: Path) -> tuple[LocalServer, dict[str, str]]:
    bolt, http = free_port(), free_port()
    env = {
        "NEO4J_URI": f"bolt://127.0.0.1:{bolt}",
        "NEO4J_PASSWORD": PASSWORD,
        "VALUEGRAPH_BOLT_PORT": str(bolt),
        "VALUEGRAPH_HTTP_PORT": str(http),
        "VALUEGRAPH_NEO4J_HEAP": "2g",
        "VALUEGRAPH_NEO4J_PAGECACHE": "2g",
        "VALUEGRAPH_STATE_DIR": str(home / "state"),
        # The jars the user's server already fetched, so the benchmark fetches nothing.
        "VALUEGRAPH_NEO4J_JARS": str(jar_dir(Settings())),
    }
    os.environ.update(env)
    server = LocalServer(Settings(), home=home / "server")
    return server, env


def load(records: Path, env: dict[str, str], batch_size: int | None) -> Run:
    command = [sys.executable, "-m", "valuegraph", "ingest", "records", str(records), "--json"]
    if batch_size is not None:
        command += ["--batch-size", str(batch_size)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, env={**os.environ, **env})
    peak_kib = 0
    while child.poll() is None:
        peak_kib = max(peak_kib, _high_water_kib(child.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    assert child.stdout is not None
    output = child.stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"loader failed: {output!r}")
    summary = json.loads(output)
    return Run(seconds, summary["loaded"], summary["relationships"], peak_kib / 1024)


def _high_water_kib(pid: int) -> int:
    """The child's peak resident memory so far (VmHWM, which exec resets, unlike ru_maxrss)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def head(source: Path, lines: int, target: Path) -> Path:
    with source.open("rb") as reader, target.open("wb") as writer:
        for index, line in enumerate(reader):
            if index == lines:
                break
            writer.write(line)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=308_210)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vg-bench-ingest-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        write_corpus(root / "corpus", args.conversations, args.seed)
        print(
            f"corpus: {args.conversations:,} conversations in {time.perf_counter() - started:.1f} s"
        )
        records = root / "corpus" / "records.jsonl"
        sample = head(records, args.naive_sample, root / "sample.jsonl")
        server, env = start_server(root)
        results: dict[str, list[Run]] = {"unwind": [], "unwind-sample": [], "naive-sample": []}
        try:
            for _ in range(args.repeat):
                for name, path, batch in (
                    ("unwind", records, None),
                    ("unwind-sample", sample, None),
                    ("naive-sample", sample, 1),
                ):
                    server.start(fresh=True)
                    results[name].append(load(path, env, batch))
                    print(f"  {name}: {results[name][-1]}")
        finally:
            server.stop()
        report(results)


def report(results: dict[str, list[Run]]) -> None:
    def median(name: str, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in results[name])

    def rate(name: str, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) / r.seconds for r in results[name])

    full = results["unwind"][0]
    print(
        f"\nUNWIND loader: {full.conversations:,} conversations, "
        f"{full.relationships:,} relationships"
    )
    print(f"  time (median of {len(results['unwind'])}): {median('unwind', 'seconds'):.1f} s")
    print(f"  conversations/s: {rate('unwind', 'conversations'):,.0f}")
    print(f"  relationships/s: {rate('unwind', 'relationships'):,.0f}")
    print(f"  loader peak RSS: {median('unwind', 'peak_rss_mib'):.0f} MiB")
    sample = results["naive-sample"][0].conversations
    unwind_rate = rate("unwind-sample", "conversations")
    naive_rate = rate("naive-sample", "conversations")
    print(f"\nOn the first {sample:,} conversations (same run):")
    print(f"  UNWIND: {unwind_rate:,.0f} conversations/s; naive (1 tx each): {naive_rate:,.0f}/s")
    print(f"  UNWIND / naive throughput: {unwind_rate / naive_rate:.1f}x")


if __name__ == "__main__":
    main()
