"""Embedding and clustering at scale, on small inputs: the process pool gives the vectors one
process gives, a dead pool process is an error rather than a hang, and the MiniBatchKMeans path
gives a valid hierarchy that is the same for the same seed."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from typing import Any
from unittest import mock

import numpy as np
import pytest
from sklearn.cluster import MiniBatchKMeans

from tests.support.planted_vectors import planted
from valuegraph.errors import ConfigError
from valuegraph.ingest.embed import Embedder, EmbeddingError, EmbedPlan, embed_plan, load_embedder
from valuegraph.ingest.taxonomy_build import build_taxonomy, parse_levels
from valuegraph.ingest.taxonomy_csv import CLUSTER_ID
from valuegraph.settings import Settings

NAMES = [
    f"{adjective} {noun}"
    for adjective in ("careful", "honest", "patient", "clear", "kind")
    for noun in (
        "communication",
        "reasoning",
        "feedback",
        "boundaries",
        "code review",
        "planning",
        "teaching",
        "research",
        "writing",
        "listening",
    )
]


@pytest.fixture(scope="module")
def pooled() -> Iterator[Embedder]:
    with Embedder(devices=("cpu", "cpu")) as embedder:
        yield embedder


def test_two_processes_give_the_vectors_of_one(pooled: Embedder) -> None:
    assert len(NAMES) == 50
    alone = load_embedder().encode(NAMES, batch_size=8)
    shared = pooled.encode(NAMES, batch_size=8)  # 50 names in batches of 8: the pool is used
    assert pooled._pool is not None and len(pooled._pool["processes"]) == 2
    assert shared.shape == alone.shape == (50, 384)
    print(f"largest difference, pool vs one process: {np.abs(shared - alone).max():.2e}")
    assert np.abs(shared - alone).max() < 1e-5
    # One batch does not start work in the pool, and comes out the same.
    assert np.abs(pooled.encode(NAMES[:3]) - alone[:3]).max() < 1e-5


def test_a_pool_process_that_dies_restarts_the_pool_or_fails_the_call(pooled: Embedder) -> None:
    reference = load_embedder().encode(NAMES, batch_size=8)
    pooled.encode(NAMES, batch_size=8)
    assert pooled._pool is not None
    first = list(pooled._pool["processes"])
    first_pids = {process.pid for process in first}
    # Died between calls: no work was lost, so the next call restarts the pool and succeeds.
    # Waiting for the process to end, not for a while: a loaded machine takes its time.
    os.kill(first[0].pid, signal.SIGKILL)
    wait_for_death(first[0])
    assert np.abs(pooled.encode(NAMES, batch_size=8) - reference).max() < 1e-5
    second = list(pooled._pool["processes"])
    second_pids = {process.pid for process in second}
    assert not first_pids & second_pids
    assert all(process.is_alive() for process in second)

    # Died during a call, once the call has handed the pool its first chunk: the call fails
    # with a clear error (not sentence-transformers' RuntimeError, nor a hang), and the pool is
    # stopped. The kill happens inside the call, not after a guessed delay, so it cannot land
    # before the call starts (which would only restart the pool) on a slow machine.
    many = [f"{name} {i}" for i in range(80) for name in NAMES]  # 4,000 names, 500 a chunk
    pooled._pool["input"] = KillOnFirstChunk(pooled._pool["input"], second[0])
    started = time.monotonic()
    with pytest.raises(EmbeddingError, match="1 of 2 embedding processes died"):
        pooled.encode(many, batch_size=8)
    assert time.monotonic() - started < 120
    assert pooled._pool is None
    assert not any(_running(pid) for pid in second_pids)


class KillOnFirstChunk:
    """The pool's input queue, which SIGKILLs one process once the first chunk is queued and
    returns only when that process is dead."""

    def __init__(self, queue: Any, victim: BaseProcess) -> None:
        self._queue = queue
        self._victim: BaseProcess | None = victim

    def put(self, item: object) -> None:
        self._queue.put(item)
        victim, self._victim = self._victim, None
        if victim is not None:
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)
            wait_for_death(victim)

    def __getattr__(self, name: str) -> Any:  # cancel_join_thread, close: the real queue's
        return getattr(self._queue, name)


def wait_for_death(process: BaseProcess) -> None:
    """Block until the process has ended and been reaped. Not its sentinel alone: the kernel
    closes a killed process's pipes before waitpid reports it, and in that window (long on a
    loaded machine) ``is_alive()`` still says True."""
    process.join()


def _running(pid: int | None) -> bool:
    assert pid is not None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_settings_choose_processes_or_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    assert embed_plan(Settings()) == EmbedPlan(("cpu",), 1)
    assert not embed_plan(Settings()).pooled
    monkeypatch.setenv("VALUEGRAPH_EMBED_PROCESSES", "3")
    assert embed_plan(Settings()).devices == ("cpu", "cpu", "cpu")
    monkeypatch.setenv("VALUEGRAPH_EMBED_DEVICES", " cuda:0, cuda:1 ")
    plan = embed_plan(Settings())
    assert plan.devices == ("cuda:0", "cuda:1") and plan.pooled
    monkeypatch.setenv("VALUEGRAPH_EMBED_DEVICES", "cuda")
    assert not embed_plan(Settings()).pooled  # one GPU: one process, no pool
    monkeypatch.setenv("VALUEGRAPH_EMBED_DEVICES", "cuda:0,gpu0")
    with pytest.raises(ConfigError, match="'gpu0' is not a torch device"):
        embed_plan(Settings())


def test_an_unusable_device_is_a_config_error() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match="on device 'cuda:0'"):
        Embedder(devices=("cuda:0",))


# --- MiniBatchKMeans ------------------------------------------------------------------------


def test_minibatch_kmeans_above_the_threshold_gives_a_valid_deterministic_hierarchy() -> None:
    names, vectors = planted(groups=10, per_group=20, seed=4)
    levels = parse_levels("10,4,2")
    with mock.patch("sklearn.cluster.MiniBatchKMeans", wraps=MiniBatchKMeans) as spy:
        first = build_taxonomy(names, vectors, levels=levels, seed=3, minibatch_above=50)
        second = build_taxonomy(names, vectors, levels=levels, seed=3, minibatch_above=50)
    # Level 1 clusters 200 points (over 50): MiniBatchKMeans; levels 2 and 3 cluster 10 and 4.
    assert spy.call_count == 2
    assert first == second
    assert first.levels() == {0: 200, 1: 10, 2: 4, 3: 2}
    by_id = {c.id: c for c in first.clusters}
    assert all(CLUSTER_ID.match(c.id) for c in first.clusters)
    for leaf in first.leaves:
        chain, node = [], by_id[leaf.parent_id or ""]
        while node.parent_id is not None:
            chain.append(node.level)
            node = by_id[node.parent_id]
        assert [*chain, node.level] == [1, 2, 3]
    # The planted groups are recovered whole at level 1, as full k-means recovers them.
    members: dict[str | None, set[str]] = {}
    for leaf in first.leaves:
        members.setdefault(leaf.parent_id, set()).add(leaf.name.split(" value")[0])
    assert len(members) == 10 and all(len(groups) == 1 for groups in members.values())


def test_below_the_threshold_full_kmeans_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    names, vectors = planted(groups=4, per_group=5, seed=4)
    with mock.patch("sklearn.cluster.MiniBatchKMeans", wraps=MiniBatchKMeans) as spy:
        build_taxonomy(names, vectors, levels=parse_levels("4,2,1"), seed=0)
    assert spy.call_count == 0
    monkeypatch.setenv("VALUEGRAPH_TAXONOMY_MINIBATCH_ABOVE", "1234")
    assert Settings().taxonomy_minibatch_above == 1234
