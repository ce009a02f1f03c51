"""Soak: 50 clients against ``valuegraph serve`` with zero errors, and no memory growth.

After a warm-up in which every client has sent each request of its plan once (so the caches
hold everything this load asks for), the load goes on for VALUEGRAPH_SOAK_SECONDS (10 in
``make test``, 60 in ``make reliability``). Every request must succeed, and the server's
resident memory at the end must be within 10% of what it was after the warm-up.
"""

from __future__ import annotations

import itertools
import os
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.served_api import (
    Outcome,
    ServedApi,
    load_plan,
    names_for_load,
    run_client,
    served_api,
)
from tests.support.synthetic_corpus import Corpus

CLIENTS = 50
SOAK_SECONDS = float(os.environ.get("VALUEGRAPH_SOAK_SECONDS", "10"))
PLAN_LENGTH = 20
GROWTH_LIMIT = 0.10
WARM_UP_LIMIT_S = 300.0  # generous: the machine is shared


@dataclass(frozen=True)
class SoakFigures:
    failures: list[tuple[int, tuple[str, ...], str]]
    requests: int
    rate: float
    median_ms: float
    p99_ms: float
    warm_mib: float
    end_mib: float
    growth: float


FULL = os.environ.get("VALUEGRAPH_RELIABILITY", "") == "full"
CACHES = {
    # Every request reaches Neo4j: the paths that could leak (sessions, results) run each time.
    "no-answer-cache": {"VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES": "0"},
    # The production configuration: repeated requests are answered from the cache.
    "answer-cache": {},
}


@pytest.mark.slow
@pytest.mark.parametrize("cache", list(CACHES))
def test_fifty_clients_soak_with_no_errors_and_flat_memory(
    corpus: Corpus, tmp_path: Path, cache: str
) -> None:
    if cache == "answer-cache" and not FULL:
        pytest.skip("make reliability (VALUEGRAPH_RELIABILITY=full)")
    with served_api(tmp_path, env=CACHES[cache]) as api:
        figures = _soak(api)
    print(
        f"soak ({cache}): {CLIENTS} clients, {figures.requests} requests in {SOAK_SECONDS:.0f} s "
        f"after warm-up ({figures.rate:.0f}/s), median {figures.median_ms:.0f} ms, "
        f"p99 {figures.p99_ms:.0f} ms; resident memory {figures.warm_mib:.1f} MiB after "
        f"warm-up, {figures.end_mib:.1f} MiB at the end ({figures.growth:+.1%})"
    )
    assert figures.failures == [], figures.failures[:5]
    assert figures.growth <= GROWTH_LIMIT


def _soak(api: ServedApi) -> SoakFigures:
    names, tasks = names_for_load(api)
    plans = [load_plan(names, tasks, seed, PLAN_LENGTH) for seed in range(CLIENTS)]
    outcomes: list[list[Outcome]] = [[] for _ in plans]
    stop = threading.Event()
    clients = [
        threading.Thread(target=run_client, args=(api, plan, stop.is_set, done, 60.0))
        for plan, done in zip(plans, outcomes, strict=True)
    ]
    for client in clients:
        client.start()
    try:
        deadline = time.monotonic() + WARM_UP_LIMIT_S
        while min(len(done) for done in outcomes) < PLAN_LENGTH:
            assert time.monotonic() < deadline, "the warm-up did not finish"
            assert api.running()
            time.sleep(0.2)
        warm_at, warm_bytes = time.monotonic(), api.resident_bytes()
        time.sleep(SOAK_SECONDS)
        end_bytes = api.resident_bytes()
        end_at = time.monotonic()
    finally:
        stop.set()
        for client in clients:
            client.join(120)
    everything = [outcome for done in outcomes for outcome in done]
    measured = sorted(o.at for o in everything if warm_at <= o.at <= end_at)
    latencies = _latencies(outcomes, warm_at, end_at)
    return SoakFigures(
        failures=[(o.status, o.codes, o.problem[:200]) for o in everything if not o.ok],
        requests=len(measured),
        rate=len(measured) / (end_at - warm_at),
        median_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        warm_mib=warm_bytes / 2**20,
        end_mib=end_bytes / 2**20,
        growth=end_bytes / warm_bytes - 1,
    )


def _latencies(outcomes: list[list[Outcome]], start: float, end: float) -> list[float]:
    """Each client's requests are back to back, so a latency is the gap to its previous one."""
    gaps = []
    for done in outcomes:
        times = [o.at for o in done]
        gaps += [b - a for a, b in itertools.pairwise(times) if start <= b <= end]
    return gaps


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
