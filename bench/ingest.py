"""Ingest benchmark: bulk import, the UNWIND loader, a naive loader and py2neo, in one run.

Run: ``python -m bench.ingest [--conversations 308210] [--repeat 3] [--sample 10000]
[--loaders bulk,unwind,naive,py2neo] [--heap 2g] [--pagecache 2g]``

Every load goes into an empty throwaway Neo4j on free ports (wiped before each run):
- ``bulk``: ``valuegraph ingest records FILE --bulk`` (CSV + ``neo4j-admin database import``,
  server restart and schema included);
- ``unwind``: ``valuegraph ingest records FILE``, the batched transactional loader;
- ``naive``: the same command with ``--batch-size 1 `` and one writer, one transaction per
  conversation, run on the first ``--sample`` conversations (at full scale it takes hours);
- ``py2neo``: the same Cypher sent in the same batches through py2neo 2021.2.4, the library of
  the old stack, in its own virtual environment (py2neo is not a dependency of valuegraph). It
  runs on the sample too, and so does ``unwind`` once more, so the ratios compare like with like.

Each loader is a child process, so its peak resident memory is measured alone: the child's
VmHWM, or the resident memory of the child and its Python children (the bulk path's CSV
writers) summed every 0.1 s, whichever is larger. After each load the store's size on disk
(the database's store files and its transaction logs) is recorded. Figures are medians of
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from tests.support.throwaway_neo4j import ThrowawayNeo4j
from valuegraph.domain import ExtractedRecord
from valuegraph.graph import statements, writer
from valuegraph.graph.rows import conversation_parameters, record_rows
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.jsonl import Accepted, read_jsonl
from valuegraph.ingest.synth import write_corpus
from valuegraph.settings import Settings

PASSWORD = "bench-password-1"
PY2NEO = "py2neo==2021.2.4"
LOADERS = ("bulk", "unwind", "naive", "py2neo")


@dataclass(frozen=True)
class Run:
    seconds: float
    conversations: int
    relationships: int
    peak_rss_mib: float
    store_mib: float = 0.0

    @property
    def rate(self) -> float:
        return self.conversations / self.seconds


def bench_server(root: Path, heap: str = "2g", pagecache: str = "2g") -> ThrowawayNeo4j:
    """A throwaway server under ``root`` on free ports, with the jars the user's server
    already fetched, so the benchmark fetches nothing."""
    return ThrowawayNeo4j(root / "state", PASSWORD, heap=heap, pagecache=pagecache)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Run ``command``; return (seconds, peak RSS in KiB, stdout)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    peak_kib = 0
    while child.poll() is None:
        peak_kib = max(peak_kib, _high_water_kib(child.pid), _loader_kib(child.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    assert child.stdout is not None
    output = child.stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {output[-2000:]!r}")
    return seconds, peak_kib, output


def store_size_mib(server: LocalServer, database: str = "neo4j") -> float:
    """The database's store files and transaction logs on disk, in MiB."""
    data = server.data_dir
    folders = [data / "databases" / database, data / "transactions" / database]
    total = sum(f.stat().st_size for folder in folders for f in folder.rglob("*") if f.is_file())
    return total / 2**20


def _high_water_kib(pid: int) -> int:
    """The child's peak resident memory so far (VmHWM, which exec resets, unlike ru_maxrss)."""
    return _status_kib(pid, "VmHWM:")


def _loader_kib(pid: int) -> int:
    """Resident memory now of the child and the Python processes under it: the bulk path's
    CSV writers. The Java ones (the Neo4j server and importer it starts) are not the loader."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name in parentheses may hold spaces; the parent pid follows it.
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, its_parent in parents.items() if its_parent == parent]
        tree.update(children)
        frontier += children
    return sum(_status_kib(member, "VmRSS:") for member in tree if not _is_java(member))


def _is_java(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "java"
    except OSError:
        return False


def _status_kib(pid: int, field: str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def run_loader(name: str, records: Path, env: dict[str, str], py2neo_python: Path | None) -> Run:
    valuegraph = [sys.executable, "-m", "valuegraph", "ingest", "records", str(records), "--json"]
    uri = f"bolt://127.0.0.1:{env['VALUEGRAPH_BOLT_PORT']}"
    child_env = {**os.environ, **env}
    if name == "bulk":
        child_env.pop("NEO4J_URI", None)  # --bulk works on the server valuegraph runs itself
        command = [*valuegraph, "--bulk"]
    elif name == "unwind":
        command = valuegraph
    elif name == "naive":
        child_env["VALUEGRAPH_WRITE_WORKERS"] = "1"
        command = [*valuegraph, "--batch-size", "1"]
    else:
        assert py2neo_python is not None
        plan = write_py2neo_plan(records, records.with_suffix(".py2neo.jsonl"))
        command = [str(py2neo_python), str(Path(__file__).with_name("py2neo_loader.py"))]
        command += [str(plan), uri, PASSWORD]
    if name != "bulk":
        child_env["NEO4J_URI"] = uri
    seconds, peak_kib, output = measure(command, child_env)
    summary = json.loads(output.decode().strip().splitlines()[-1])
    return Run(seconds, summary["loaded"], summary["relationships"], peak_kib / 1024)


def write_py2neo_plan(records: Path, plan: Path, batch_size: int = 5000) -> Path:
    """valuegraph's own statements and rows, batch by batch, for the py2neo loader to send."""
    valid = (
        r.item
        for r in read_jsonl(records, ExtractedRecord.model_validate)
        if isinstance(r, Accepted)
    )
    known = writer._KnownNodes()
    with plan.open("w") as out:
        for batch in writer._batches(valid, batch_size):
            mapped = [record_rows(record) for record in batch]
            nodes = writer._new_nodes(mapped, known)
            sent = [[cypher, rows] for cypher, rows in nodes.items() if rows]
            rows = [conversation_parameters(record) for record in mapped]
            sent.append([statements.WRITE_CONVERSATIONS, rows])
            out.write(
                json.dumps(
                    {"conversations": len(batch), "statements": sent},
                    default=lambda value: value.isoformat(),
                )
                + "\n"
            )
    return plan


def py2neo_environment() -> Path:
    """A virtual environment with py2neo only, kept under .state so later runs reuse it."""
    venv = Path(".state") / "bench-py2neo-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PY2NEO], check=True)
    return python.absolute()  # not resolve(): that would leave the venv for its base interpreter


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
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--loaders", default=",".join(LOADERS))
    parser.add_argument("--heap", default="2g", help="Neo4j's heap (server.memory.heap).")
    parser.add_argument("--pagecache", default="2g", help="Neo4j's page cache.")
    args = parser.parse_args()
    loaders = [name for name in args.loaders.split(",") if name]
    unknown = set(loaders) - set(LOADERS)
    if unknown:
        parser.error(f"unknown loader(s): {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="vg-bench-ingest-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        write_corpus(root / "corpus", args.conversations, args.seed)
        print(
            f"corpus: {args.conversations:,} conversations in {time.perf_counter() - started:.1f} s"
        )
        full = root / "corpus" / "records.jsonl"
        sample = head(full, args.sample, root / "sample.jsonl")
        # The server valuegraph runs itself (no NEO4J_URI): --bulk needs it; run_loader points
        # the other loaders at its port.
        env = bench_server(root, args.heap, args.pagecache).environment(uri=False)
        os.environ.update(env)
        server = LocalServer(Settings())
        py2neo_python = py2neo_environment() if "py2neo" in loaders else None
        plan = [(name, full) for name in loaders if name in ("bulk", "unwind")]
        plan += [(f"{name}@sample", sample) for name in loaders if name in ("naive", "py2neo")]
        if any(name in ("naive", "py2neo") for name in loaders):
            plan.append(("unwind@sample", sample))
        results: dict[str, list[Run]] = {label: [] for label, _ in plan}
        try:
            for _ in range(args.repeat):
                for label, path in plan:
                    server.start(fresh=True)
                    run = run_loader(label.split("@")[0], path, env, py2neo_python)
                    run = replace(run, store_mib=store_size_mib(server))
                    results[label].append(run)
                    print(
                        f"  {label}: {run.seconds:.1f} s, {run.rate:,.0f} conv/s, "
                        f"{run.peak_rss_mib:.0f} MiB, store {run.store_mib:,.0f} MiB",
                        flush=True,
                    )
        finally:
            server.stop()
            shutil.rmtree(root / "state", ignore_errors=True)
        report(results)


def report(results: dict[str, list[Run]]) -> None:
    def median(label: str, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in results[label])

    print(
        "\n| loader | conversations | relationships | time (s) | conversations/s | "
        "relationships/s | loader peak RSS (MiB) | store (MiB) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, runs in results.items():
        rel_rate = statistics.median(r.relationships / r.seconds for r in runs)
        print(
            f"| {label} | {runs[0].conversations:,} | {runs[0].relationships:,} | "
            f"{median(label, 'seconds'):.1f} | {median(label, 'rate'):,.0f} | {rel_rate:,.0f} | "
            f"{median(label, 'peak_rss_mib'):.0f} | {median(label, 'store_mib'):,.0f} |"
        )
    ratios = []
    if "bulk" in results and "unwind" in results:
        ratios.append(("bulk / unwind", median("bulk", "rate") / median("unwind", "rate")))
    for other in ("naive@sample", "py2neo@sample"):
        if other in results and "unwind@sample" in results:
            ratios.append(
                (
                    f"unwind / {other.split('@')[0]} (sample)",
                    median("unwind@sample", "rate") / median(other, "rate"),
                )
            )
    for name, ratio in ratios:
        print(f"{name} throughput: {ratio:.1f}x")


if __name__ == "__main__":
    main()
