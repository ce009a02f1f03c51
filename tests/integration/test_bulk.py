"""The bulk path (neo4j-admin import) builds the same graph as the transactional loader,
and refuses any database it must not overwrite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import valuegraph.graph.bulk
import valuegraph.ingest.load
from tests.support.ports import free_port
from valuegraph.errors import InputError
from valuegraph.graph.bulk import import_id
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.synth import write_corpus
from valuegraph.pipelines.records import bulk_ingest_records, ingest_records
from valuegraph.settings import Settings

# Every edge as text, so two graphs can be compared whole.
EDGES = """
MATCH (c:Conversation)-[r]->(n)
RETURN c.id + '|' + coalesce(c.response_type, '') + '|' + coalesce(c.model, '') + '|'
       + toString(c.created_at) + '|' + type(r) + '|' + coalesce(toString(r.explicit), '') + '|'
       + coalesce(n.key, n.name) + '|' + coalesce(n.name, '') AS edge
"""


@pytest.fixture(scope="module")
def local_settings(
    neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """A second server that valuegraph manages itself (no NEO4J_URI), as --bulk requires."""
    settings = neo4j_settings.model_copy(
        update={
            "neo4j_uri": None,
            "state_dir": tmp_path_factory.mktemp("bulk-state"),
            "bolt_port": free_port(),
            "http_port": free_port(),
            "neo4j_heap": "512m",
            "neo4j_pagecache": "256m",
        }
    )
    yield settings
    LocalServer(settings).stop()


# A record whose task and value names hold line breaks: the importer must read multi-line fields.
MULTILINE: dict[str, object] = {
    "conversation_id": "line\nbreak",
    "task": "a task\nover two lines",
    "ai_values": ["first line\r\nsecond line"],
    "response_type": "neutral",
    "created_at": "2025-02-18T10:00:00Z",
}


def corpus_with_faults(folder: Path, *extra: dict[str, object]) -> Path:
    """3,000 conversations, a broken line, and two ids that repeat: one right after its first
    record (in the same part however the file is cut), one far from it (in another part)."""
    write_corpus(folder, 3000, seed=11)
    records = folder / "records.jsonl"
    lines = records.read_text().splitlines()
    replacement = json.loads(lines[5]) | {"task": "a replaced task", "ai_values": ["candour"]}
    neighbour = json.loads(lines[-1]) | {"human_values": ["a replaced value"]}
    lines += [json.dumps(neighbour), "{broken", json.dumps(replacement)]
    lines += [json.dumps(record) for record in extra]
    records.write_text("\n".join(lines) + "\n")
    return records


@pytest.mark.parametrize(
    ("fields", "processes"), [("one-line", 1), ("multi-line", 1), ("one-line", 3)]
)
def test_bulk_equals_the_unwind_loader(
    local_settings: Settings,
    empty_graph: Graph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fields: str,
    processes: int,
) -> None:
    extra = [MULTILINE] if fields == "multi-line" else []
    records = corpus_with_faults(tmp_path, *extra)
    LocalServer(local_settings).start(fresh=True)
    monkeypatch.setattr(
        valuegraph.ingest.load, "MIN_PART_BYTES", 1
    )  # a small file, cut all the same
    settings = local_settings.model_copy(update={"bulk_processes": processes})

    phases: list[str] = []
    bulk = bulk_ingest_records(records, settings, on_phase=phases.append)
    unwind = ingest_records(records, empty_graph)

    assert any(f"{processes} processes" in phase for phase in phases) is (processes > 1)
    valid = 3002 + len(extra)
    assert (bulk.loaded, bulk.rejected) == (unwind.loaded, unwind.rejected) == (valid, 1)
    assert bulk.first_rejections == unwind.first_rejections  # the same file, line and reason
    assert bulk.quarantine is not None and unwind.quarantine is not None
    with Graph.connect(local_settings) as bulk_graph:
        counts = bulk_graph.read("MATCH (c:Conversation) RETURN count(c) AS n")
    assert counts == [{"n": 3000 + len(extra)}]
    with Graph.connect(local_settings) as bulk_graph:
        bulk_edges = sorted(row["edge"] for row in bulk_graph.read(EDGES))
        constraints = bulk_graph.read("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")
    unwind_edges = sorted(row["edge"] for row in empty_graph.read(EDGES))
    assert bulk_edges == unwind_edges
    assert any("a replaced task" in edge for edge in bulk_edges)
    assert any("a replaced value" in edge for edge in bulk_edges)
    assert constraints[0]["n"] >= 6


def test_bulk_refuses_a_database_with_data(local_settings: Settings, tmp_path: Path) -> None:
    server = LocalServer(local_settings)
    server.start()
    with Graph.connect(local_settings) as graph:
        graph.write("MERGE (:Model {name: 'keep me'})")
    records = tmp_path / "r.jsonl"
    records.write_text('{"conversation_id": "a", "task": "t", "response_type": "neutral"}\n')
    with pytest.raises(InputError, match="needs an empty database"):
        bulk_ingest_records(records, local_settings)
    with Graph.connect(local_settings) as graph:
        assert graph.read("MATCH (m:Model {name: 'keep me'}) RETURN count(m) AS n") == [{"n": 1}]


def test_bulk_refuses_an_external_uri(neo4j_settings: Settings, tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"conversation_id": "a", "task": "t", "response_type": "neutral"}\n')
    with pytest.raises(InputError, match="only works on the local server"):
        bulk_ingest_records(records, neo4j_settings)


def test_ids_that_collide_are_drawn_again(
    local_settings: Settings, empty_graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every key draws the same id under the first salt; one process, so the patch holds.
    def colliding(key: str, salt: int = 0) -> int:
        return 7 if salt == 0 else import_id(key, salt)

    records = corpus_with_faults(tmp_path)
    LocalServer(local_settings).start(fresh=True)
    monkeypatch.setattr(valuegraph.graph.bulk, "import_id", colliding)
    phases: list[str] = []
    settings = local_settings.model_copy(update={"bulk_processes": 1})

    bulk_ingest_records(records, settings, on_phase=phases.append)
    ingest_records(records, empty_graph)

    assert any("drawing the ids again" in phase for phase in phases)
    with Graph.connect(local_settings) as bulk_graph:
        assert sorted(r["edge"] for r in bulk_graph.read(EDGES)) == sorted(
            r["edge"] for r in empty_graph.read(EDGES)
        )
