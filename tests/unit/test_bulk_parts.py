"""The bulk path's parts, without a server: CSV files written per part agree on import ids,
repeats are found, multi-line fields are flagged, and a file cut into parts reads as the whole
file. (The load itself against Neo4j is ``tests/integration/test_bulk.py``.)"""

from __future__ import annotations

import gzip
import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import valuegraph.graph.bulk
from valuegraph.domain import ExtractedRecord
from valuegraph.graph.bulk import (
    IdCollision,
    ImportFiles,
    combine_parts,
    import_id,
    last_records,
    write_part,
)
from valuegraph.ingest.jsonl import Accepted, Rejection, read_jsonl, split_lines


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
