"""The bulk path (neo4j-admin import) builds the same graph as the transactional loader,
and refuses any database it must not overwrite."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import valuegraph.graph.bulk
import valuegraph.ingest.load
from tests.conftest import free_port
from valuegraph.errors import InputError
from valuegraph.graph.bulk import (
    IdCollision,
    ImportFiles,
    combine_parts,
    import_id,
    last_records,
    write_part,
)
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.jsonl import Accepted, Rejection, read_jsonl, split_lines
from valuegraph.ingest.load import bulk_ingest_record_file, ingest_record_file
from valuegraph.ingest.records import ExtractedRecord
from valuegraph.ingest.synth import write_corpus
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
    bulk = bulk_ingest_record_file(records, settings, on_phase=phases.append)
    unwind = ingest_record_file(records, empty_graph)

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
        bulk_ingest_record_file(records, local_settings)
    with Graph.connect(local_settings) as graph:
        assert graph.read("MATCH (m:Model {name: 'keep me'}) RETURN count(m) AS n") == [{"n": 1}]


def test_bulk_refuses_an_external_uri(neo4j_settings: Settings, tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"conversation_id": "a", "task": "t", "response_type": "neutral"}\n')
    with pytest.raises(InputError, match="only works on the local server"):
        bulk_ingest_record_file(records, neo4j_settings)


def one_part(records: list[ExtractedRecord], folder: Path) -> ImportFiles:
    """The importer's files for ``records`` read in one piece, as from a small file."""
    return combine_parts([write_part(records, folder, alone=True)], folder)


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
    written = one_part([plain, ExtractedRecord.model_validate(base | record)], tmp_path)
    assert written.multiline is multiline


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

    bulk_ingest_record_file(records, settings, on_phase=phases.append)
    ingest_record_file(records, empty_graph)

    assert any("drawing the ids again" in phase for phase in phases)
    with Graph.connect(local_settings) as bulk_graph:
        assert sorted(r["edge"] for r in bulk_graph.read(EDGES)) == sorted(
            r["edge"] for r in empty_graph.read(EDGES)
        )


# --- the parts, without a server -------------------------------------------------------------


def record(cid: str, task: str = "t", *values: str) -> ExtractedRecord:
    return ExtractedRecord.model_validate(
        {"conversation_id": cid, "task": task, "response_type": "neutral", "ai_values": values}
    )


def test_parts_agree_on_ids_and_keep_the_first_name(tmp_path: Path) -> None:
    first = write_part([record("a", "Travel  Advice", "Honesty"), record("b")], tmp_path, 0)
    second = write_part([record("c", "travel advice", "honesty"), record("a")], tmp_path, 1)
    files = combine_parts([first, second], tmp_path)

    tasks = (tmp_path / "tasks.csv").read_text().splitlines()
    assert tasks == [
        f"{import_id('travel advice')},travel advice,Travel  Advice",
        f"{import_id('t')},t,t",
    ]
    about = (tmp_path / "about.0.csv").read_text() + (tmp_path / "about.1.csv").read_text()
    assert about.count(f",{import_id('travel advice')}") == 2
    conversations = [line.split(",")[0] for line in (tmp_path / "conversations.1.csv").open()]
    assert conversations == [
        str(1 << valuegraph.graph.bulk.PART_BITS),
        str((1 << valuegraph.graph.bulk.PART_BITS) + 1),
    ]
    assert (files.parts, files.conversations, files.duplicates) == (2, 4, frozenset())
    assert files.across_parts == {valuegraph.graph.bulk.conversation_digest("a")}
    assert last_records([record("a"), record("b"), record("a", "x")], files) == {
        "a": record("a", "x")
    }


def test_a_digest_two_ids_share_is_no_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(valuegraph.graph.bulk, "conversation_digest", lambda _: b"\0" * 8)
    parts = [write_part([record("a")], tmp_path, 0), write_part([record("b")], tmp_path, 1)]
    files = combine_parts(parts, tmp_path)
    assert files.across_parts == {b"\0" * 8}
    assert last_records([record("a"), record("b")], files) == {}


def test_keys_of_one_label_that_draw_one_id_are_a_collision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(valuegraph.graph.bulk, "import_id", lambda key, salt=0: 1)
    part = write_part([record("a", "one task"), record("b", "another task")], tmp_path)
    with pytest.raises(IdCollision, match="tasks"):
        combine_parts([part], tmp_path)


def test_a_repeat_within_a_part_is_found_without_digests(tmp_path: Path) -> None:
    files = one_part([record("a"), record("a", "u")], tmp_path)
    assert files == ImportFiles(1, 1, 2, frozenset({"a"}))


def read_spans(path: Path, parts: int) -> list[Accepted[ExtractedRecord] | Rejection]:
    """Every line's result, part after part, with each part's lines moved on as the bulk path
    moves them."""
    results: list[Accepted[ExtractedRecord] | Rejection] = []
    for span in split_lines(path, parts):
        before = len(results)
        for result in read_jsonl(path, ExtractedRecord.model_validate, span=span):
            if isinstance(result, Rejection):
                result = Rejection(result.path, result.line + before, result.reason, result.raw)
            else:
                result = Accepted(result.line + before, result.item)
            results.append(result)
    return results


LINES = st.lists(
    st.one_of(
        st.builds(
            lambda n: json.dumps(
                {"conversation_id": f"c{n}", "task": "t", "response_type": "neutral"}
            ),
            st.integers(0, 50),
        ),
        st.sampled_from(["", "{broken", "  ", '{"conversation_id": ""}']),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(lines=LINES, parts=st.integers(1, 8), final_newline=st.booleans())
def test_the_parts_of_a_file_read_as_the_whole_file(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], parts: int, final_newline: bool
) -> None:
    path = tmp_path_factory.mktemp("spans") / "records.jsonl"
    path.write_text("\n".join(lines) + ("\n" if final_newline and lines else ""))
    spans = split_lines(path, parts)
    assert len(spans) <= parts
    assert spans[0].start == 0 and spans[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in pairwise(spans))
    assert read_spans(path, parts) == read_spans(path, 1)


def test_a_gzip_file_is_one_part(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(
            "\n".join(['{"conversation_id": "a", "task": "t", "response_type": "neutral"}'] * 100)
        )
    spans = split_lines(path, 4)
    assert [(span.start, span.end) for span in spans] == [(0, None)]
    assert len(read_spans(path, 4)) == 100


def test_small_files_are_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text("{}\n" * 1000)
    assert len(split_lines(path, 8, min_bytes=1500)) == 2
    assert len(split_lines(path, 8, min_bytes=1 << 20)) == 1
