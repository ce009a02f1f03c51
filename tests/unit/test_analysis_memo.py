"""The analysis session's memo and its use of the fingerprint, without a database.

``GraphMemo`` is driven with a scripted fingerprint and clock. The session is driven with its
read halves replaced by counted tables built here, so what is checked is which reads it shares
and what its pure halves answer, not any Cypher (the integration tests run those on Neo4j).
"""

from __future__ import annotations

import threading
from typing import Any, cast

import numpy as np
import pytest
from scipy import sparse

from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.queries import counting, session
from valuegraph.queries.counting import CoOccurrence, Units
from valuegraph.queries.memo import GraphMemo
from valuegraph.queries.session import AnalysisSession

GRAPH = cast(Graph, object())  # never touched: the fingerprint and the reads are scripted


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Fingerprints:
    """A fingerprint that is whatever the test sets, counting how often it is read."""

    def __init__(self) -> None:
        self.value: tuple[int | str | None, ...] = (1,)
        self.reads = 0

    def __call__(self, _graph: Graph) -> tuple[int | str | None, ...]:
        self.reads += 1
        return self.value


def counter() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_an_entry_is_computed_once_while_the_graph_stays_the_same() -> None:
    fingerprints = Fingerprints()
    memo = GraphMemo(recheck_seconds=0, fingerprint=fingerprints)
    calls, compute = counter()
    assert [memo.get(GRAPH, "table", compute) for _ in range(3)] == [1, 1, 1]
    assert len(calls) == 1
    assert fingerprints.reads == 3  # recheck 0: asked every time, unchanged every time


def test_a_changed_fingerprint_drops_every_entry() -> None:
    fingerprints = Fingerprints()
    memo = GraphMemo(recheck_seconds=0, fingerprint=fingerprints)
    _calls, compute = counter()
    memo.get(GRAPH, "a", compute)
    memo.get(GRAPH, "b", compute)
    fingerprints.value = (2,)
    assert memo.get(GRAPH, "a", compute) == 3
    assert memo.get(GRAPH, "b", compute) == 4
    assert memo.fingerprint(GRAPH) == (2,)


def test_the_fingerprint_is_read_at_most_once_per_recheck_interval() -> None:
    clock, fingerprints = Clock(), Fingerprints()
    memo = GraphMemo(recheck_seconds=10, clock=clock, fingerprint=fingerprints)
    _calls, compute = counter()
    memo.get(GRAPH, "a", compute)
    fingerprints.value = (2,)
    clock.now = 9.0
    assert memo.get(GRAPH, "a", compute) == 1  # not rechecked yet: the old entry
    assert fingerprints.reads == 1
    clock.now = 10.0
    assert memo.get(GRAPH, "a", compute) == 2
    assert fingerprints.reads == 2


def test_the_default_memo_reads_the_fingerprint_once_and_keeps_everything() -> None:
    clock, fingerprints = Clock(), Fingerprints()
    memo = GraphMemo(clock=clock, fingerprint=fingerprints)
    _calls, compute = counter()
    memo.get(GRAPH, "a", compute)
    clock.now = 1e9
    fingerprints.value = (2,)
    assert memo.get(GRAPH, "a", compute) == 1
    assert fingerprints.reads == 1
    memo.clear()  # clearing starts again from the graph as it is now
    assert memo.get(GRAPH, "a", compute) == 2
    assert memo.fingerprint(GRAPH) == (2,)


def test_an_entry_expires_after_its_maximum_age() -> None:
    clock = Clock()
    memo = GraphMemo(max_age_seconds=5, clock=clock, fingerprint=Fingerprints())
    _calls, compute = counter()
    memo.get(GRAPH, "a", compute)
    clock.now = 5.0
    assert memo.get(GRAPH, "a", compute) == 1
    clock.now = 5.5
    assert memo.get(GRAPH, "a", compute) == 2


def test_the_oldest_entries_go_beyond_the_size_bound() -> None:
    memo = GraphMemo(max_entries=2, fingerprint=Fingerprints())
    _calls, compute = counter()
    for key in ("a", "b", "a", "c"):  # "a" used again, so "b" is the least recent
        memo.get(GRAPH, key, compute)
    assert memo.get(GRAPH, "a", compute) == 1
    assert memo.get(GRAPH, "b", compute) == 4


def test_a_failed_computation_is_not_kept_and_keep_can_refuse() -> None:
    memo = GraphMemo(fingerprint=Fingerprints())

    def fail() -> int:
        raise InputError("no such thing")

    with pytest.raises(InputError):
        memo.get(GRAPH, "a", fail)
    assert memo.get(GRAPH, "a", lambda: 7) == 7
    assert memo.get(GRAPH, "b", lambda: 1, keep=lambda value: False) == 1
    assert memo.get(GRAPH, "b", lambda: 2) == 2


def test_a_result_of_a_graph_that_changed_meanwhile_is_not_kept() -> None:
    fingerprints = Fingerprints()
    memo = GraphMemo(recheck_seconds=0, fingerprint=fingerprints)

    def compute_while_the_graph_changes() -> str:
        fingerprints.value = (2,)
        memo.revalidate(GRAPH)  # another caller notices the change mid-computation
        return "old"

    assert memo.get(GRAPH, "a", compute_while_the_graph_changes) == "old"
    assert memo.get(GRAPH, "a", lambda: "new") == "new"


def test_callers_asking_for_one_missing_entry_wait_for_one_computation() -> None:
    memo = GraphMemo(fingerprint=Fingerprints())
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "table"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(memo.get(GRAPH, "a", slow)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: results.append(memo.get(GRAPH, "a", slow)))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert results == ["table", "table"]
    assert len(calls) == 1


# --- the session: which reads it shares, and the errors of its pure halves --------------------


def units(keys: list[str], conversations: list[int]) -> Units:
    counts = np.array(conversations, dtype=np.int64)
    return Units(tuple(keys), tuple(keys), counts, counts.copy())


def value_task_table() -> CoOccurrence:
    """60 conversations: value a goes with task x, value b with task y, both 30 times."""
    together = sparse.csr_array(np.array([[30, 0], [0, 30]], dtype=np.int64))
    return CoOccurrence(units(["a", "b"], [30, 30]), units(["x", "y"], [30, 30]), together, 60)


def no_clusters_table() -> CoOccurrence:
    """The same conversations at a cluster level the graph has no clusters at."""
    return CoOccurrence(
        units([], []), units(["x", "y"], [30, 30]), sparse.csr_array((0, 2), dtype=np.int64), 60
    )


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every co-occurrence read the session makes, answered with the tables above."""
    made: list[tuple[Any, ...]] = []

    def read_co_occurrence(
        _graph: Graph, kind: str, where: counting.ConversationFilter, levels: counting.Levels
    ) -> CoOccurrence:
        made.append((kind, where, levels))
        return no_clusters_table() if levels.value_level else value_task_table()

    monkeypatch.setattr(counting, "read_co_occurrence", read_co_occurrence)
    monkeypatch.setattr(counting, "known_models", lambda _graph: ("model-a",))
    return made


def scripted_session() -> AnalysisSession:
    return AnalysisSession(GRAPH, 5, GraphMemo(fingerprint=Fingerprints()))


def test_analyses_over_one_table_read_it_once(reads: list[tuple[Any, ...]]) -> None:
    analyses = scripted_session()
    strongest = analyses.associations(kind="value-task", top=1)
    partners = analyses.associations(kind="value-task", value="b")
    ranked = analyses.invariance(across="task", min_support=10, min_context_conversations=10)
    assert len(reads) == 1
    assert [(r.value, r.task) for r in strongest.rows] == [("a", "x")]
    assert [r.task for r in partners.rows] == ["y"]  # (b, x) never co-occurs: not tested
    assert [r.value for r in ranked.rows] == ["a", "b"]
    analyses.associations(kind="value-task", model="model-a")  # another filter, another read
    assert len(reads) == 2


def test_the_compute_half_answers_as_the_whole_analysis(reads: list[tuple[Any, ...]]) -> None:
    analyses = scripted_session()
    question = session.AssociationQuestion(kind="value-task", alpha=0.05)
    table = analyses.read_associations(question)
    assert analyses.compute_associations(table, question) == analyses.associations(
        kind="value-task", alpha=0.05
    )


def test_a_cluster_level_without_clusters_is_an_error_in_the_compute_half(
    reads: list[tuple[Any, ...]],
) -> None:
    analyses = scripted_session()
    with pytest.raises(InputError, match="no AI value clusters at level 2"):
        analyses.associations(kind="value-task", value_level=2)
    question = session.AssociationQuestion(kind="ai-human", value_level=2)
    with pytest.raises(InputError, match="no AI value clusters at level 2"):
        analyses.compute_associations(no_clusters_table(), question)
    with pytest.raises(InputError, match="no AI value clusters at level 2"):
        analyses.invariance(value_level=2)


def test_an_unknown_model_is_refused_before_any_table_is_read(
    reads: list[tuple[Any, ...]],
) -> None:
    with pytest.raises(InputError, match="unknown model 'nobody'"):
        scripted_session().associations(kind="value-task", model="nobody")
    assert reads == []
