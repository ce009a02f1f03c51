"""Faults while the API serves and while associations are materialised.

- Neo4j is killed (SIGKILL) and restarted while ``valuegraph serve`` is under load: meanwhile
  every request gets an answer, either data or a GraphQL error with a code that says the
  database is unavailable, never a 500 or a trace; afterwards the same server process answers
  again by itself. ``make reliability`` (VALUEGRAPH_RELIABILITY=full) also stops and starts
  Neo4j the orderly way.
- ``valuegraph analyze materialize`` is killed mid-transaction, once the command (SIGKILL of the
  CLI) and once Neo4j: afterwards the graph holds the old association set or the new one, whole,
  never a mix; a full run after the restart gives exactly the set an undisturbed run gives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from neo4j import ManagedTransaction

from tests.support.paths import REPO
from tests.support.served_api import Outcome, load_plan, names_for_load, run_client, served_api
from tests.support.socket_queues import unread_bytes
from tests.support.synthetic_corpus import Corpus
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.queries.materialize import materialize, read_links

FULL = os.environ.get("VALUEGRAPH_RELIABILITY", "") == "full"
CLIENTS = 12
# What a request may get while Neo4j is away, besides data: the database is unavailable, or a
# query that was running when it went away is reported as failed or timed out.
OUTAGE_CODES = {"DATABASE_UNAVAILABLE", "DATABASE_ERROR", "QUERY_TIMEOUT"}
# Only a guard: the wait ends as soon as every request succeeds; a shared machine and the
# driver's back-off decide how soon that is.
RECOVERY_LIMIT_S = 300.0
STEADY_S = 3.0


def _hammer(api: Any, plans: list[Any]) -> tuple[list[Outcome], threading.Event, list[Any]]:
    outcomes: list[Outcome] = []
    stop = threading.Event()
    clients = [
        threading.Thread(target=run_client, args=(api, plan, stop.is_set, outcomes, 30.0))
        for plan in plans
    ]
    for client in clients:
        client.start()
    return outcomes, stop, clients


def _recovered_at(outcomes: list[Outcome], since: float, limit: float) -> float | None:
    """The moment after ``since`` from which every request succeeded, if that came by ``limit``."""
    deadline = since + limit
    while time.monotonic() < deadline:
        after = sorted((o for o in outcomes if o.at >= since), key=lambda o: o.at)
        failed = [o.at for o in after if not o.ok]
        last_failure = max(failed, default=since)
        succeeded_since = [o for o in after if o.at > last_failure]
        if len(succeeded_since) >= 5 * CLIENTS:
            return last_failure
        time.sleep(0.5)
    return None


def _failures_logged(log: str) -> str:
    """The API log's 'request failed' entries with their tracebacks, for a failing assertion."""
    start = log.find("request failed")
    return log[start : start + 4000] if start >= 0 else "(no failure in the API log)"


def _outage_under_load(
    neo4j_server: LocalServer, tmp_path: Path, take_down: str, env: dict[str, str]
) -> dict[str, Any]:
    with served_api(tmp_path, env=env) as api:
        pid = api.process.pid
        names, tasks = names_for_load(api)
        plans = [load_plan(names, tasks, seed) for seed in range(CLIENTS)]
        outcomes, stop, clients = _hammer(api, plans)
        try:
            time.sleep(STEADY_S)
            down_at = time.monotonic()
            if take_down == "kill":
                neo4j_server.kill()
            else:
                neo4j_server.stop()
            time.sleep(5.0)  # under load while Neo4j is away
            neo4j_server.start()
            up_at = time.monotonic()
            recovered = _recovered_at(outcomes, up_at, RECOVERY_LIMIT_S)
            time.sleep(STEADY_S)
        finally:
            stop.set()
            for client in clients:
                client.join(60)
        health = api.request("GET", "/healthz")
        log = api.log()
        assert api.running() and api.process.pid == pid, "the API must not need a restart"

    before = [o for o in outcomes if o.at < down_at]
    away = [o for o in outcomes if down_at <= o.at < up_at]
    failures = [o for o in outcomes if not o.ok]
    assert before and all(o.ok for o in before), [o.problem for o in before if not o.ok][:3]
    assert [o for o in failures if o.status in (0, 500)] == [], failures[:3]
    unexpected = [o for o in failures if not set(o.codes) or not set(o.codes) <= OUTAGE_CODES]
    assert unexpected == [], (unexpected[:3], _failures_logged(log))
    for failure in failures:
        assert "Traceback" not in failure.problem and "neo4j." not in failure.problem
        assert "MATCH" not in failure.problem  # no Cypher shown to clients
    assert any("DATABASE_UNAVAILABLE" in o.codes for o in away), "the outage was never seen"
    assert recovered is not None, f"not all requests succeed {RECOVERY_LIMIT_S} s after restart"
    assert health.status == 200
    assert "unhandled error" not in log  # the app's 500 path was never taken
    return {
        "requests": len(outcomes),
        "failed": len(failures),
        "away_seconds": round(up_at - down_at, 1),
        "recovered_after_restart_s": round(recovered - up_at, 1) if recovered > up_at else 0.0,
        "codes": sorted({code for o in failures for code in o.codes}),
    }


def test_neo4j_killed_under_load_clear_errors_then_the_api_recovers_by_itself(
    corpus: Corpus, neo4j_server: LocalServer, tmp_path: Path
) -> None:
    # No answer cache: every request needs Neo4j, so every request in the outage sees it.
    uncached = {"VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES": "0"}
    figures = _outage_under_load(neo4j_server, tmp_path, "kill", uncached)
    print(f"SIGKILL of Neo4j under load from {CLIENTS} clients, no answer cache: {figures}")


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="make reliability (VALUEGRAPH_RELIABILITY=full)")
def test_neo4j_stopped_and_started_under_load(
    corpus: Corpus, neo4j_server: LocalServer, tmp_path: Path
) -> None:
    figures = _outage_under_load(neo4j_server, tmp_path, "stop", {})
    print(f"orderly restart of Neo4j under load from {CLIENTS} clients, answer cache: {figures}")


# --- analyze materialize, killed mid-way -------------------------------------------------

LINKS = """
MATCH (v:AIValue)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->(p)
RETURN type(r) AS type, v.key AS value, p.key AS partner, r.generation AS generation,
       r.adjusted_residual AS residual, r.observed AS observed, r.p_adjusted AS p_adjusted
ORDER BY type, value, partner
"""
POINTER = """
MATCH (m:Materialization {name: 'associations'})
RETURN m.generation AS generation, m.associated_with AS associated_with,
       m.co_occurs_with AS co_occurs_with, m.alpha AS alpha, m.writing AS writing
"""
# The killed run asks for every positive association (a large set, so a long transaction);
# the set in the graph before it is the corpus' default one.
BIG_SET = ["--alpha", "1", "--min-count", "1"]


def _materialize_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "valuegraph", "analyze", "materialize", *options, "--json"]


def association_set(graph: Graph) -> dict[str, Any]:
    """The links without their generation, the generations found, and the pointer node, read
    in one transaction (two would straddle a commit that lands between them)."""

    def read(tx: ManagedTransaction) -> dict[str, Any]:
        rows = [record.data() for record in tx.run(LINKS)]
        pointer = [record.data() for record in tx.run(POINTER)]
        return {
            "links": [{k: v for k, v in row.items() if k != "generation"} for row in rows],
            "generations": sorted({row["generation"] for row in rows}),
            "pointer": pointer[0] if pointer else None,
        }

    return graph.read_tx(read)


def assert_whole(found: dict[str, Any]) -> None:
    """One generation, the one the pointer records, with as many links as it records."""
    pointer = found["pointer"]
    assert pointer is not None and pointer["writing"] is None
    if found["links"]:
        assert found["generations"] == [pointer["generation"]]
    types = [link["type"] for link in found["links"]]
    assert types.count("ASSOCIATED_WITH") == pointer["associated_with"]
    assert types.count("CO_OCCURS_WITH") == pointer["co_occurs_with"]


@pytest.fixture(scope="module")
def big_set(corpus: Corpus) -> Iterator[dict[str, Any]]:
    """The big set, from an undisturbed CLI run; the corpus' own set is put back at the end,
    as the other API tests expect it."""
    run = subprocess.run(_materialize_command(*BIG_SET), cwd=REPO, capture_output=True, timeout=600)
    assert run.returncode == 0, run.stderr
    yield association_set(corpus.graph)
    materialize(corpus.graph)


@pytest.fixture()
def sets(corpus: Corpus, big_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The old set, now in the graph (the corpus' default one), and the new (big) one."""
    materialize(corpus.graph)
    old = association_set(corpus.graph)
    assert_whole(old)
    assert 0 < len(old["links"]) < len(big_set["links"])
    return {"old": old, "new": big_set}


class HeldLock:
    """An open write transaction holding a human value's lock; it never commits.

    Neo4j takes the locks of new relationships when a transaction commits, so a materialisation
    that links to this value waits in its commit: the old set deleted and the whole new set
    written inside its transaction, none of it visible, for as long as the test needs.
    """

    def __init__(self, graph: Graph, key: str) -> None:
        self._session = graph.driver.session(database=graph.database)
        self._tx = self._session.begin_transaction()
        self._tx.run(
            "MATCH (h:HumanValue {key: $key}) SET h.reliability_probe = true", key=key
        ).consume()

    def release(self) -> None:
        # After a Neo4j crash the connection is gone and so is the transaction; nothing to do.
        with suppress(Exception):
            self._tx.rollback()
        with suppress(Exception):
            self._session.close()


def _locking_transactions(graph: Graph) -> list[dict[str, Any]]:
    """Transactions that hold locks: a materialisation once its first statement is done (and
    the test's own HeldLock, if there is one)."""
    return graph.read(
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status, statusDetails, "
        "activeLockCount WHERE activeLockCount > 0 AND NOT currentQuery STARTS WITH 'SHOW' "
        "RETURN transactionId, status, statusDetails"
    )


def _materialization_transaction(graph: Graph) -> dict[str, Any] | None:
    found = _locking_transactions(graph)
    return found[0] if found else None


def _start_big_run() -> subprocess.Popen[str]:
    return subprocess.Popen(
        _materialize_command(*BIG_SET),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: Any, child: subprocess.Popen[str], what: str) -> Any:
    deadline = time.monotonic() + 120
    while not (found := condition()):
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the run was never caught {what}: {child.communicate()}")
        time.sleep(0.01)
    return found


def _frozen_before_commit(
    graph: Graph,
) -> tuple[subprocess.Popen[str], int, dict[str, Any]]:
    """A materialisation stopped (SIGSTOP) inside its transaction, before it asked to commit.

    The transaction is caught once it holds its first lock and the process is frozen at once;
    if it had already asked to commit, it is let go and the set reset, and it is tried again.
    Returns the set the graph held when the frozen attempt started: a reset writes the same
    links under a new generation, so after a retry the old set is that one, not the first.
    """
    for attempt in range(1, 11):
        old = association_set(graph)
        child = _start_big_run()
        seen = _wait_for(lambda: _materialization_transaction(graph), child, "in its transaction")
        child.send_signal(signal.SIGSTOP)
        _wait_until_neo4j_read_everything(child)
        now = _materialization_transaction(graph)
        same = now is not None and now["transactionId"] == seen["transactionId"]
        if same and now is not None and now["status"] == "Running" and not now["statusDetails"]:
            return child, attempt, old
        child.send_signal(signal.SIGCONT)
        child.communicate(timeout=300)
        materialize(graph)  # back to the old set for the next attempt
    pytest.fail("the materialisation was never frozen before its commit in 10 attempts")


def _wait_until_neo4j_read_everything(child: subprocess.Popen[str]) -> None:
    """Until Neo4j has read every byte the frozen child sent it (a commit it asked for just
    before it froze, say), so no message still on its way overtakes what its status says.
    Not a fixed while: a loaded machine reads late."""
    deadline = time.monotonic() + 120  # a guard: a frozen client sends nothing more
    while unread_bytes(child.pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_materialize_killed_mid_transaction_leaves_the_old_set_whole(
    corpus: Corpus, sets: dict[str, dict[str, Any]]
) -> None:
    graph = corpus.graph
    child, attempts, old = _frozen_before_commit(graph)
    assert old["links"] == sets["old"]["links"]
    # Frozen mid-transaction: a reader sees only what is committed, the old set, whole.
    assert association_set(graph) == old
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    # The server rolls the dead client's transaction back: the old set, whole, stays.
    assert association_set(graph) == old
    # And releases its locks: a new run goes through and writes what an undisturbed run does.
    rerun = subprocess.run(
        _materialize_command(*BIG_SET), cwd=REPO, capture_output=True, timeout=600
    )
    assert rerun.returncode == 0, rerun.stderr
    again = association_set(graph)
    assert_whole(again)
    assert again["links"] == sets["new"]["links"]
    print(
        f"CLI killed mid-transaction (caught on attempt {attempts}): the old set of "
        f"{len(sets['old']['links'])} links stayed whole; the rerun wrote the "
        f"{len(sets['new']['links'])} links of an undisturbed run"
    )


def test_materialize_killed_while_committing_leaves_one_set_whole(
    corpus: Corpus, sets: dict[str, dict[str, Any]]
) -> None:
    """Killed after it asked Neo4j to commit: whichever set the graph holds is whole."""
    graph = corpus.graph
    with _big_run_waiting_to_commit(graph, sets) as child:
        assert association_set(graph) == sets["old"]
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    # Neo4j may still complete the commit it was asked for: read once it is done (readers in
    # the middle of it can see part of it, see test_readers_during_commits_get_one_whole_set).
    deadline = time.monotonic() + 60
    while _committing(graph) and time.monotonic() < deadline:
        time.sleep(0.1)
    found = association_set(graph)
    assert_whole(found)
    assert found["links"] in (sets["old"]["links"], sets["new"]["links"])
    outcome = "old" if found["links"] == sets["old"]["links"] else "new"
    print(f"CLI killed while its commit waited: the {outcome} set, whole")


@contextmanager
def _big_run_waiting_to_commit(
    graph: Graph, sets: dict[str, dict[str, Any]]
) -> Iterator[subprocess.Popen[str]]:
    """A materialisation of the big set, everything written, its commit held back by a lock on
    a node only the new set links to: the worst moment to be killed."""
    lock = HeldLock(graph, _fresh_partner(sets))
    child = _start_big_run()
    try:
        _wait_for(lambda: _committing(graph), child, "committing")
        yield child
    finally:
        lock.release()


def _fresh_partner(sets: dict[str, dict[str, Any]]) -> str:
    """A human value the new set links to and the old one does not."""
    old = {link["partner"] for link in sets["old"]["links"]}
    fresh = sorted(
        link["partner"]
        for link in sets["new"]["links"]
        if link["type"] == "CO_OCCURS_WITH" and link["partner"] not in old
    )
    assert fresh, "the new set must link a human value the old one does not"
    return fresh[0]


def _committing(graph: Graph) -> bool:
    return any(row["statusDetails"] == "Committing" for row in _locking_transactions(graph))


def test_neo4j_killed_mid_materialize_keeps_the_old_set_and_the_rerun_is_whole(
    corpus: Corpus, sets: dict[str, dict[str, Any]], neo4j_server: LocalServer
) -> None:
    graph = corpus.graph
    with _big_run_waiting_to_commit(graph, sets) as child:
        neo4j_server.kill()
        _, stderr = child.communicate(timeout=300)
    assert child.returncode == 3, stderr  # "Neo4j is not reachable": a clean error
    assert "Traceback" not in stderr and "not reachable" in stderr
    neo4j_server.start()
    assert association_set(graph) == sets["old"]
    rerun = subprocess.run(
        _materialize_command(*BIG_SET), cwd=REPO, capture_output=True, timeout=600
    )
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)[0]
    again = association_set(graph)
    assert_whole(again)
    assert again["links"] == sets["new"]["links"]
    assert summary["removed"] == len(sets["old"]["links"])
    print(
        f"Neo4j killed while the commit waited: the old set of {len(sets['old']['links'])} "
        f"links stayed whole; the rerun wrote the {len(again['links'])} links of an undisturbed run"
    )


# --- readers while a set is committed ----------------------------------------------------


def test_readers_during_commits_get_one_whole_set(corpus: Corpus, big_set: dict[str, Any]) -> None:
    """Neo4j applies a committed transaction to the store record by record while readers run,
    so a plain query in those milliseconds can see the new pointer with part of its links.
    ``read_links`` checks the links it read against the pointer's generation and count and
    reads again until they agree: every answer is one set, whole, while sets keep changing."""
    graph = corpus.graph
    settings = [(1.0, 1), (0.05, 5)]  # the big set, and a small one
    small = materialize(graph, alpha=0.05, min_count=5)
    whole_sizes = {len(big_set["links"]), small.associated_with + small.co_occurs_with}
    odd: list[tuple[int, int]] = []
    reads = [0]
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            links = read_links(graph)
            reads[0] += 1
            generations = {link.generation for link in links}
            if len(generations) != 1 or len(links) not in whole_sizes:
                odd.append((len(generations), len(links)))

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for alpha, min_count in settings * 3:
            materialize(graph, alpha=alpha, min_count=min_count)
    finally:
        stop.set()
        for thread in readers:
            thread.join(60)
    materialize(graph)
    assert reads[0] > 0
    print(f"{reads[0]} reads of the links during 6 commits, each one whole set")
    assert odd == [], f"{len(odd)} of {reads[0]} reads were not one whole set, e.g. {odd[:3]}"
