"""API benchmark: 16 concurrent clients against ``valuegraph serve``, and the same Cypher direct.

Run: ``python -m bench.api [--conversations 308210] [--clients 16] [--requests 40] [--repeat 3]``
or, against a graph already loaded (and materialised): ``python -m bench.api --uri bolt://...``
(with ``NEO4J_PASSWORD`` set).

Without ``--uri`` it builds the paper-scale synthetic corpus (``ingest.synth``), loads it into a
throwaway Neo4j on free ports (``tests.support.throwaway_neo4j``) and materialises the associations
(``queries.materialize``), as ``make demo`` would. The API runs as its own process
(``valuegraph serve``, waitress, 16 threads) on a free loopback port.

Four scenarios, each run with ``--clients`` concurrent clients sending ``--requests`` requests
each over kept-alive connections, against two API processes: as configured by default (answers
kept until the graph changes, ``VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES``), and with that store
off (``=0``), where every request executes, so the ratio to the direct driver is the API's own
overhead:

- ``value.tasks``: ``value(name) { tasks(top: 10) }``, the materialised value-to-tasks links;
- ``associations(task)``: a task's values, from the association analysis;
- ``mirroring``: the mirroring analysis;
- ``values walk``: every page of ``values(first: 100)``, following the cursors.

For each, the same work is then timed through the Neo4j driver directly, with as many threads:
the Cypher the API runs for that request (``value.tasks``, the values walk), or for the two
analyses the Cypher the analysis function runs (which the API answers from its per-process
store instead; that ratio shows what the store saves, not an overhead; direct analysis runs take
seconds each, so they send ``--analysis-requests`` per client). Figures are the medians of
``--repeat`` runs; the ratio is API p50 / direct p50 of the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase

from tests.support.served_api import served_api
from tests.support.throwaway_neo4j import ThrowawayNeo4j, running
from valuegraph.graph.connection import Graph
from valuegraph.ingest.synth import STUDY_CONVERSATIONS, write_corpus
from valuegraph.pipelines.records import ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.queries import load_cypher
from valuegraph.queries.materialize import materialize
from valuegraph.settings import Settings

PASSWORD = "bench-password-api"
P95_TARGET_MS = 100.0
OVERHEAD_TARGET = 1.5

VALUE_TASKS = """query($name: String!) { value(name: $name) { name
  tasks(top: 10) { rows { partner partnerKey observed adjustedResidual pAdjusted } } } }"""
TASK_ASSOCIATIONS = """query($task: String!) {
  associations(kind: VALUE_TASK, task: $task, first: 10) {
    tests suppressed rows { value observed adjustedResidual pAdjusted } } }"""
MIRRORING = """{ mirroring { suppressed
  rates { responseType withHumanValues mirrored mirroringRate }
  values { value conversations } resistance { humanValue aiValue conversations share } } }"""
VALUES_PAGE = """query($after: String) { values(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { cursor node { key name frequency } } } }"""


@dataclass(frozen=True)
class Timing:
    """One scenario's run: request latencies (ms) and the wall time they took together."""

    latencies: tuple[float, ...]
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- the graph ------------------------------------------------------------------------------


@contextmanager
def loaded_graph(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """The environment pointing at a loaded graph: the one given, or a throwaway one."""
    if args.uri:
        yield {"NEO4J_URI": args.uri}
        return
    with tempfile.TemporaryDirectory(prefix="vg-bench-api-") as scratch:
        home = Path(scratch)
        neo4j = ThrowawayNeo4j(home / "state", PASSWORD, heap=args.heap, pagecache=args.pagecache)
        with running(neo4j, home=home / "server"):
            load_corpus(home / "corpus", args.conversations, args.seed)
            yield neo4j.environment()


def load_corpus(directory: Path, conversations: int, seed: int) -> None:
    started = time.perf_counter()
    corpus = write_corpus(directory, conversations, seed)
    print(
        f"corpus: {conversations:,} conversations written in {time.perf_counter() - started:.0f} s"
    )
    with Graph.connect(Settings()) as graph:
        started = time.perf_counter()
        ingest_taxonomy(corpus.values_tree_path, corpus.values_frequencies_path, graph)
        ingest_records(corpus.records_path, graph)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
        summary = materialize(graph, min_conversations=Settings().min_conversations)
        print(
            f"materialised {summary.associated_with:,} value-task and "
            f"{summary.co_occurs_with:,} AI-human links in {summary.seconds:.0f} s"
        )


# --- the API process --------------------------------------------------------------------------


@contextmanager
def api_server(env: dict[str, str], threads: int, keep_answers: bool) -> Iterator[int]:
    """``valuegraph serve`` on a free port, once it answers; its port."""
    extra = {**env} if keep_answers else {**env, "VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES": "0"}
    with (
        tempfile.TemporaryDirectory(prefix="vg-bench-serve-") as logs,
        served_api(Path(logs), env=extra, threads=threads, log_level="ERROR") as api,
    ):
        yield api.port


class Client:
    """One kept-alive HTTP connection to the API."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def query(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = json.dumps({"query": query, "variables": variables or {}})
        self.connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        payload = json.loads(response.read())
        if response.status != 200 or payload.get("errors"):
            raise RuntimeError(f"API error {response.status}: {payload}")
        return payload["data"]


# --- running a scenario ------------------------------------------------------------------------


def concurrently(clients: int, requests: int, make: Callable[[], Callable[[int], None]]) -> Timing:
    """``clients`` threads, each with its own ``make()`` worker called ``requests`` times."""
    workers = [make() for _ in range(clients)]
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def run(worker: Callable[[int], None]) -> None:
        mine = []
        start.wait()
        for i in range(requests):
            began = time.perf_counter()
            worker(i)
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(run, worker) for worker in workers]
        start.wait()
        began = time.perf_counter()
        for future in futures:
            future.result()
        seconds = time.perf_counter() - began
    return Timing(tuple(latencies), seconds)


def read(driver: Driver, query: str, params: dict[str, Any]) -> list[Any]:
    with driver.session() as session:
        return session.execute_read(lambda tx: [r.data() for r in tx.run(query, params)])


def read_all(driver: Driver, statements: list[tuple[str, dict[str, Any]]]) -> None:
    """Several statements in one read transaction, as an analysis function reads them."""

    def work(tx: Any) -> None:
        for query, params in statements:
            list(tx.run(query, params))

    with driver.session() as session:
        session.execute_read(work)


@dataclass(frozen=True)
class Scenario:
    name: str
    api: Callable[[int], Callable[[], Callable[[int], None]]]  # port -> worker factory
    direct: Callable[[Driver], Callable[[], Callable[[int], None]]]
    analysis: bool = False  # the direct side recounts the corpus: seconds per request


def scenarios(inputs: dict[str, Any], k: int) -> list[Scenario]:
    values, tasks = inputs["values"], inputs["tasks"]
    links_params = {"label": "AIValue", "type": "ASSOCIATED_WITH", "floor": k, "limit": 10,
                    "order": "RESIDUAL"}  # fmt: skip

    def value_tasks_api(port: int) -> Callable[[], Callable[[int], None]]:
        def make() -> Callable[[int], None]:
            client = Client(port)
            return lambda i: client.query(VALUE_TASKS, {"name": values[i % len(values)]})

        return make

    def value_tasks_direct(driver: Driver) -> Callable[[], Callable[[int], None]]:
        # What the API runs for that request: the value's lookup, then its links.
        def work(i: int) -> None:
            key = values[i % len(values)]
            read(driver, load_cypher("catalog_values_by_key"), {"keys": [key]})
            read(driver, load_cypher("catalog_links"), {**links_params, "keys": [key]})

        return lambda: work

    def associations_api(port: int) -> Callable[[], Callable[[int], None]]:
        def make() -> Callable[[int], None]:
            client = Client(port)
            return lambda i: client.query(TASK_ASSOCIATIONS, {"task": tasks[i % len(tasks)]})

        return make

    def associations_direct(driver: Driver) -> Callable[[], Callable[[int], None]]:
        # What associations() reads for every call: the totals, both margins and the pairs.
        params = {"model": None, "response_type": None, "value_level": 0, "task_level": 0,
                  "value_cluster_kind": "ai_value", "task_cluster_kind": "task"}  # fmt: skip
        names = ("totals", "ai_value_units", "task_units", "value_task_pairs")
        statements = [(load_cypher(name), params) for name in names]
        return lambda: lambda i: read_all(driver, statements)

    def mirroring_api(port: int) -> Callable[[], Callable[[int], None]]:
        def make() -> Callable[[int], None]:
            client = Client(port)
            return lambda i: client.query(MIRRORING)

        return make

    def mirroring_direct(driver: Driver) -> Callable[[], Callable[[int], None]]:
        params = {"model": None, "response_type": None, "min_conversations": k,
                  "response_types": ["strong_resistance", "mild_resistance"]}  # fmt: skip
        names = ("mirroring_rates", "mirrored_values", "resistance_pairs")
        statements = [(load_cypher(name), params) for name in names]
        return lambda: lambda i: read_all(driver, statements)

    def walk_api(port: int) -> Callable[[], Callable[[int], None]]:
        def make() -> Callable[[int], None]:
            client = Client(port)
            after: list[str | None] = [None]

            def page(_: int) -> None:
                found = client.query(VALUES_PAGE, {"after": after[0]})["values"]["pageInfo"]
                after[0] = found["endCursor"] if found["hasNextPage"] else None

            return page

        return make

    def walk_direct(driver: Driver) -> Callable[[], Callable[[int], None]]:
        def make() -> Callable[[int], None]:
            after: list[tuple[int, str] | None] = [None]

            def page(_: int) -> None:
                last = after[0]
                params = {"label": "AIValue", "search": None, "cluster": None, "floor": k,
                          "order": "FREQUENCY", "limit": 101,
                          "afterFrequency": last[0] if last else None,
                          "afterKey": last[1] if last else None}  # fmt: skip
                rows = read(driver, load_cypher("catalog_values_page"), params)
                more = len(rows) > 100
                after[0] = (rows[99]["frequency"], rows[99]["key"]) if more else None

            return page

        return make

    return [
        Scenario("value.tasks(top: 10)", value_tasks_api, value_tasks_direct),
        Scenario("associations(task)", associations_api, associations_direct, analysis=True),
        Scenario("mirroring", mirroring_api, mirroring_direct, analysis=True),
        Scenario("values walk (100/page)", walk_api, walk_direct),
    ]


def workload_inputs(driver: Driver) -> dict[str, Any]:
    """Values with materialised tasks, and frequent tasks, to cycle through."""
    values = read(
        driver,
        "MATCH (v:AIValue) WHERE EXISTS { (v)-[:ASSOCIATED_WITH]->() } "
        "RETURN v.key AS key ORDER BY COUNT { (v)<-[:AI_EXPRESSED]-() } DESC LIMIT 50",
        {},
    )
    tasks = read(
        driver,
        "MATCH (t:Task) RETURN t.key AS key ORDER BY COUNT { (t)<-[:ABOUT]-() } DESC LIMIT 10",
        {},
    )
    if not values:
        raise SystemExit("no materialised links: run `valuegraph analyze materialize` first")
    return {"values": [v["key"] for v in values], "tasks": [t["key"] for t in tasks]}


# --- the report --------------------------------------------------------------------------------


def median_of(runs: list[Timing], measure: Callable[[Timing], float]) -> float:
    return statistics.median(measure(run) for run in runs)


def summary(runs: list[Timing]) -> tuple[float, float, float]:
    """Throughput, p50 and p95: medians over the runs."""
    return (
        median_of(runs, lambda t: t.throughput),
        median_of(runs, lambda t: t.percentile(50)),
        median_of(runs, lambda t: t.percentile(95)),
    )


def report(name: str, apis: dict[str, list[Timing]], direct: list[Timing]) -> dict[str, float]:
    direct_rps, direct_p50, direct_p95 = summary(direct)
    figures = {"direct_p50": direct_p50, "direct_p95": direct_p95}
    for label, runs in apis.items():
        rps, p50, p95 = summary(runs)
        figures |= {f"{label}_p50": p50, f"{label}_p95": p95, f"{label}_ratio": p50 / direct_p50}
        print(
            f"{name:<24} {label:<9} {rps:>8.0f} {p50:>8.1f} {p95:>8.1f} | {direct_rps:>8.1f} "
            f"{direct_p50:>8.1f} {direct_p95:>8.1f} | {p50 / direct_p50:>6.2f}x"
        )
    return figures


def bench_driver(settings: Settings, clients: int) -> Driver:
    """A driver for the direct runs, with a connection for every client."""
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    return GraphDatabase.driver(
        settings.resolved_uri,
        auth=(settings.neo4j_user, password),
        max_connection_pool_size=max(64, 2 * clients),
        notifications_min_severity="OFF",
    )


def run_scenarios(args: argparse.Namespace, env: dict[str, str]) -> dict[str, dict[str, float]]:
    settings = Settings()
    driver = bench_driver(settings, args.clients)
    inputs = workload_inputs(driver)
    results: dict[str, dict[str, float]] = {}
    with (
        api_server(env, args.threads, keep_answers=True) as kept_port,
        api_server(env, args.threads, keep_answers=False) as fresh_port,
    ):
        for port in (kept_port, fresh_port):
            warm(port, inputs)
        print(
            f"\n{args.clients} clients, median of {args.repeat} runs. API 'kept': answers kept "
            "until the graph changes; 'executed': every request runs."
        )
        print(
            f"{'scenario':<24} {'API':<9} {'r/s':>8} {'p50 ms':>8} {'p95 ms':>8} | "
            f"{'direct/s':>8} {'p50 ms':>8} {'p95 ms':>8} | ratio"
        )
        for scenario in scenarios(inputs, settings.min_conversations):
            if args.only not in scenario.name:
                continue
            requests = args.analysis_requests if scenario.analysis else args.requests
            apis: dict[str, list[Timing]] = {"kept": [], "executed": []}
            direct: list[Timing] = []
            for _ in range(args.repeat):
                for label, port in (("kept", kept_port), ("executed", fresh_port)):
                    apis[label].append(
                        concurrently(args.clients, args.requests, scenario.api(port))
                    )
                direct.append(concurrently(args.clients, requests, scenario.direct(driver)))
            results[scenario.name] = report(scenario.name, apis, direct)
    driver.close()
    return results


def warm(port: int, inputs: dict[str, Any]) -> None:
    """Fill the API's analysis store, as the first users would."""
    client = Client(port)
    started = time.perf_counter()
    for task in inputs["tasks"]:
        client.query(TASK_ASSOCIATIONS, {"task": task})
    client.query(MIRRORING)
    print(f"first analysis requests on port {port} in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=STUDY_CONVERSATIONS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--uri", help="Use this loaded, materialised graph (NEO4J_PASSWORD set).")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=16, help="The API's worker threads.")
    parser.add_argument("--requests", type=int, default=40, help="Per client, per run.")
    parser.add_argument(
        "--analysis-requests", type=int, default=2, help="Per client, per direct analysis run."
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="Run only scenarios whose name contains this (e.g. tasks)."
    )
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="2g")
    args = parser.parse_args(argv)
    # A plain kill must still stop the throwaway Neo4j and the API processes (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with loaded_graph(args) as env:
        os.environ.update(env)
        results = run_scenarios(args, env)
    tasks = results.get("value.tasks(top: 10)")
    if tasks is not None:
        print(
            f"\nvalue.tasks p95: {tasks['kept_p95']:.1f} ms kept, {tasks['executed_p95']:.1f} ms "
            f"executed (target <= {P95_TARGET_MS:.0f}); overhead executed "
            f"{tasks['executed_ratio']:.2f}x (target <= {OVERHEAD_TARGET}x)"
        )
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
