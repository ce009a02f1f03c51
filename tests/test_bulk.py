"""The bulk path (neo4j-admin import) builds the same graph as the transactional loader,
and refuses any database it must not overwrite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.bulk import write_import_csvs
from graph.connection import Graph
from graph.server import LocalServer
from ingest.load import bulk_ingest_record_file, ingest_record_file
from ingest.records import ExtractedRecord
from ingest.synth import write_corpus
from tests.conftest import free_port
from valuegraph.errors import InputError
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
    write_corpus(folder, 3000, seed=11)
    records = folder / "records.jsonl"
    lines = records.read_text().splitlines()
    replacement = json.loads(lines[5]) | {"task": "a replaced task", "ai_values": ["candour"]}
    lines += ["{broken", json.dumps(replacement), *(json.dumps(record) for record in extra)]
    records.write_text("\n".join(lines) + "\n")
    return records


@pytest.mark.parametrize("fields", ["one-line", "multi-line"])
def test_bulk_equals_the_unwind_loader(
    local_settings: Settings, empty_graph: Graph, tmp_path: Path, fields: str
) -> None:
    extra = [MULTILINE] if fields == "multi-line" else []
    records = corpus_with_faults(tmp_path, *extra)
    LocalServer(local_settings).start(fresh=True)

    bulk = bulk_ingest_record_file(records, local_settings)
    unwind = ingest_record_file(records, empty_graph)

    valid = 3001 + len(extra)
    assert (bulk.loaded, bulk.rejected) == (unwind.loaded, unwind.rejected) == (valid, 1)
    with Graph.connect(local_settings) as bulk_graph:
        bulk_edges = sorted(row["edge"] for row in bulk_graph.read(EDGES))
        constraints = bulk_graph.read("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")
    unwind_edges = sorted(row["edge"] for row in empty_graph.read(EDGES))
    assert bulk_edges == unwind_edges
    assert any("a replaced task" in edge for edge in bulk_edges)
    assert constraints[0]["n"] >= 6


def test_bulk_refuses_a_database_with_data(local_settings: Settings, tmp_path: Path) -> None:
    server = LocalServer(local_settings)
    server.start()
    with Graph.connect(local_settings) as graph:
        graph.write("MERGE (:Model {name: 'keep me'})")
    records = tmp_path / "r.jsonl"
    records.write_text('{"conversation_id": "a", "task": "t", "response_type": "neutral"}\n')
    with pytest.raises(InputError, match="needs an empty database"):
        bulk_ingest_record_file(records, local_settings)
    with Graph.connect(local_settings) as graph:
        assert graph.read("MATCH (m:Model {name: 'keep me'}) RETURN count(m) AS n") == [{"n": 1}]


def test_bulk_refuses_an_external_uri(neo4j_settings: Settings, tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"conversation_id": "a", "task": "t", "response_type": "neutral"}\n')
    with pytest.raises(InputError, match="only works on the local server"):
        bulk_ingest_record_file(records, neo4j_settings)


@pytest.mark.parametrize(
    ("record", "multiline"),
    [
        ({}, False),
        ({"task": "two\nlines"}, True),
        ({"conversation_id": "c\r1"}, True),
        ({"ai_values": [{"name": "a\nb", "explicit": True}]}, True),
        ({"human_values": ["x\ry"]}, True),
        ({"model": "m\n2"}, True),
        ({"source": "a\nsource"}, True),
    ],
)
def test_the_importer_reads_multi_line_fields_only_when_a_field_breaks_a_line(
    tmp_path: Path, record: dict[str, object], multiline: bool
) -> None:
    base = {"conversation_id": "c1", "task": "t", "response_type": "neutral", "ai_values": ["v"]}
    plain = ExtractedRecord.model_validate({**base, "conversation_id": "c0"})
    written = write_import_csvs([plain, ExtractedRecord.model_validate(base | record)], tmp_path)
    assert written.multiline is multiline
