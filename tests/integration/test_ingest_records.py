"""Ingesting extracted records into a real Neo4j: counts, idempotence, replacement, quarantine."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.record_files import GOOD, write_jsonl
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema, schema_statements
from valuegraph.pipelines.records import ingest_records


def counts(graph: Graph) -> dict[str, int]:
    rows = graph.read(
        """
        CALL () { MATCH (n) RETURN count(n) AS nodes }
        CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
        CALL () { MATCH (c:Conversation) RETURN count(c) AS conversations }
        CALL () { MATCH (t:Task) RETURN count(t) AS tasks }
        CALL () { MATCH (v:AIValue) RETURN count(v) AS ai_values }
        CALL () { MATCH (v:HumanValue) RETURN count(v) AS human_values }
        CALL () { MATCH (m:Model) RETURN count(m) AS models }
        CALL () { MATCH ()-[r:AI_EXPRESSED]->() RETURN count(r) AS ai_expressed }
        CALL () { MATCH ()-[r:HUMAN_EXPRESSED]->() RETURN count(r) AS human_expressed }
        RETURN *
        """
    )
    return rows[0]


def test_schema_is_idempotent(empty_graph: Graph) -> None:
    before = empty_graph.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    apply_schema(empty_graph)
    apply_schema(empty_graph)
    after = empty_graph.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    assert sorted(before[0]["names"]) == sorted(after[0]["names"])
    indexes = empty_graph.read("SHOW INDEXES YIELD name RETURN collect(name) AS names")[0]["names"]
    assert len(indexes) >= len(schema_statements())


def test_counts_after_ingest_equal_the_input(empty_graph: Graph, tmp_path: Path) -> None:
    summary = ingest_records(write_jsonl(tmp_path / "r.jsonl", GOOD), empty_graph)
    assert (summary.read, summary.loaded, summary.rejected) == (3, 3, 0)
    assert counts(empty_graph) == {
        "nodes": 3 + 2 + 3 + 1 + 2,  # conversations, tasks, ai values, human values, models
        "relationships": 3 + 4 + 1 + 2,  # ABOUT, AI_EXPRESSED, HUMAN_EXPRESSED, BY_MODEL
        "conversations": 3,
        "tasks": 2,
        "ai_values": 3,
        "human_values": 1,
        "models": 2,
        "ai_expressed": 4,
        "human_expressed": 1,
    }
    empathy = empty_graph.read(
        "MATCH (:Conversation {id: 'c1'})-[r:AI_EXPRESSED]->(v:AIValue {key: 'empathy'}) "
        "RETURN r.explicit AS explicit, v.name AS name"
    )
    assert empathy == [{"explicit": True, "name": "empathy"}]
    mirrored = empty_graph.read(
        "MATCH (a:AIValue)<-[:AI_EXPRESSED]-(c:Conversation)-[:HUMAN_EXPRESSED]->(h:HumanValue) "
        "WHERE a.key = h.key RETURN c.id AS id"
    )
    assert mirrored == []  # c2 says honesty on the AI side only


def test_reingest_changes_nothing(empty_graph: Graph, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", GOOD)
    ingest_records(path, empty_graph)
    first = counts(empty_graph)
    ingest_records(path, empty_graph, batch_size=1)
    assert counts(empty_graph) == first


def test_a_later_record_replaces_the_earlier_one(empty_graph: Graph, tmp_path: Path) -> None:
    replacement = {
        "conversation_id": "c1",
        "task": "career advice",
        "ai_values": ["pragmatism"],
        "response_type": "neutral",
    }
    for batch_size in (1, 100):  # across batches, and within one batch
        ingest_records(
            write_jsonl(tmp_path / "r.jsonl", [*GOOD, replacement]),
            empty_graph,
            batch_size=batch_size,
        )
        rows = empty_graph.read(
            """
            MATCH (c:Conversation {id: 'c1'})
            OPTIONAL MATCH (c)-[:ABOUT]->(t)
            OPTIONAL MATCH (c)-[:AI_EXPRESSED]->(v)
            OPTIONAL MATCH (c)-[h:HUMAN_EXPRESSED]->()
            RETURN c.response_type AS rt, collect(DISTINCT t.name) AS tasks,
                   collect(DISTINCT v.key) AS values, count(h) AS human
            """
        )
        assert rows == [
            {"rt": "neutral", "tasks": ["career advice"], "values": ["pragmatism"], "human": 0}
        ]
        assert counts(empty_graph)["conversations"] == 3


BAD_LINES: list[tuple[bytes, str]] = [
    (b'{"conversation_id": "x1", "task": "t"', "broken JSON"),
    (b'{"task": "t", "response_type": "neutral"}', "field 'conversation_id': required"),
    (b'{"conversation_id": "x3", "response_type": "neutral"}', "field 'task': required"),
    (b'{"conversation_id": "x4", "task": "t"}', "field 'response_type': required"),
    (b'{"conversation_id": "x5", "task": "t", "response_type": "maybe"}', "unknown value 'maybe'"),
    (
        b'{"conversation_id": "", "task": "t", "response_type": "neutral"}',
        "'conversation_id': must not be empty",
    ),
    (
        b'{"conversation_id": "x7", "task": " ", "response_type": "neutral"}',
        "'task': must not be empty",
    ),
    (
        b'{"conversation_id": "x8", "task": "t", "response_type": "neutral", "ai_values": [""]}',
        "ai_values.0.name",
    ),
    (
        b'{"conversation_id": "x9", "task": "t", "response_type": "neutral", "human_values": "honesty"}',
        "human_values",
    ),
    (b'{"conversation_id": 10, "task": "t", "response_type": "neutral"}', "conversation_id"),
    (
        b'{"conversation_id": "x11", "task": "t", "response_type": "neutral", "ai_values": ["'
        + b"v" * 201
        + b'"]}',
        "longer than 200",
    ),
    (
        b'{"conversation_id": "x12", "task": "' + b"t" * 10_001 + b'", "response_type": "neutral"}',
        "'task': longer than 10000",
    ),
    (b'{"conversation_id": "x13", "task": "caf\xe9", "response_type": "neutral"}', "invalid UTF-8"),
    (b"[1, 2, 3]", "JSON object"),
    (
        b'{"conversation_id": "x15", "task": "t", "response_type": "neutral", "subjective": "perhaps"}',
        "subjective",
    ),
    (
        b'{"conversation_id": "x16", "task": "t", "response_type": "neutral", "created_at": "yesterday"}',
        "created_at",
    ),
]


@pytest.mark.parametrize("gzipped", [False, True])
def test_every_bad_line_is_quarantined_and_no_valid_line_lost(
    empty_graph: Graph, tmp_path: Path, gzipped: bool
) -> None:
    lines: list[bytes] = []
    for index, (bad, _) in enumerate(BAD_LINES):
        lines.append(
            json.dumps(GOOD[index % len(GOOD)] | {"conversation_id": f"ok{index}"}).encode()
        )
        lines.append(bad)
    payload = b"\n".join(lines) + b"\n"
    path = tmp_path / ("r.jsonl.gz" if gzipped else "r.jsonl")
    path.write_bytes(gzip.compress(payload) if gzipped else payload)

    summary = ingest_records(path, empty_graph)

    assert summary.loaded == len(BAD_LINES)
    assert summary.rejected == len(BAD_LINES)
    assert counts(empty_graph)["conversations"] == len(BAD_LINES)
    assert summary.quarantine == tmp_path / "r.quarantine.jsonl"
    quarantined = [json.loads(line) for line in summary.quarantine.read_text().splitlines()]
    assert [entry["line"] for entry in quarantined] == list(range(2, 2 * len(BAD_LINES) + 1, 2))
    for entry, (_, expected) in zip(quarantined, BAD_LINES, strict=True):
        assert expected in entry["reason"], entry
    assert oct(summary.quarantine.stat().st_mode & 0o777) == oct(0o600)


def test_dry_run_writes_nothing(empty_graph: Graph, tmp_path: Path) -> None:
    summary = ingest_records(write_jsonl(tmp_path / "r.jsonl", GOOD), None)
    assert (summary.valid, summary.loaded) == (3, 0)
    assert counts(empty_graph)["nodes"] == 0


def test_the_reader_streams(empty_graph: Graph, tmp_path: Path) -> None:
    """A generator input is consumed batch by batch: never more than workers + 1 batches ahead."""
    from valuegraph.domain import ExtractedRecord
    from valuegraph.graph.writer import load_records

    produced = 0

    def records() -> Iterator[ExtractedRecord]:
        nonlocal produced
        for index in range(1000):
            produced += 1
            yield ExtractedRecord(conversation_id=f"s{index}", task="t", response_type="neutral")  # type: ignore[arg-type]

    ahead: list[int] = []
    stats = load_records(
        empty_graph,
        records(),
        batch_size=100,
        workers=2,
        on_batch=lambda stats: ahead.append(produced - stats.conversations),
    )
    assert stats.conversations == 1000
    assert len(ahead) == 10
    assert max(ahead) <= (2 + 1) * 100
