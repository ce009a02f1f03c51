"""Faults and bad input on the load path: a crash of Neo4j mid-ingest loses and duplicates
nothing once the command is run again, and no input, however broken, gives a traceback or
loses a valid line.

``make reliability`` runs the fuzzing with many more examples (VALUEGRAPH_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.neo4j_fixtures import wipe
from valuegraph.domain import RESPONSE_TYPES, ExtractedRecord
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.jsonl import Rejection
from valuegraph.ingest.synth import write_corpus
from valuegraph.ingest.taxonomy_csv import read_frequencies, read_tree
from valuegraph.keys import normalise_key
from valuegraph.pipelines.records import ingest_records

FUZZ_EXAMPLES = int(os.environ.get("VALUEGRAPH_FUZZ_EXAMPLES", "25"))


def expected_counts(records: Path) -> dict[str, int]:
    """What the graph must hold after loading ``records``, computed from the file alone."""
    last: dict[str, ExtractedRecord] = {}
    for line in records.read_text().splitlines():
        record = ExtractedRecord.model_validate_json(line)
        last[record.conversation_id] = record
    ai = sum(len(r.ai_value_keys()) for r in last.values())
    human = sum(len(r.human_value_keys()) for r in last.values())
    return {
        "conversations": len(last),
        "tasks": len({normalise_key(r.task) for r in last.values()}),
        "relationships": len(last) + ai + human + sum(r.model is not None for r in last.values()),
    }


def graph_counts(graph: Graph) -> dict[str, int]:
    return graph.read(
        """
        CALL () { MATCH (c:Conversation) RETURN count(c) AS conversations }
        CALL () { MATCH (t:Task) RETURN count(t) AS tasks }
        CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
        RETURN conversations, tasks, relationships
        """
    )[0]


def test_sigkill_during_ingest_then_rerun_is_exact(
    neo4j_server: LocalServer, empty_graph: Graph, tmp_path: Path
) -> None:
    write_corpus(tmp_path, 40_000, seed=5)
    records = tmp_path / "records.jsonl"
    command = [sys.executable, "-m", "valuegraph", "ingest", "records", str(records)]
    command += ["--batch-size", "500"]
    loader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill Neo4j once some batches have committed, while the loader is mid-way.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and loader.poll() is None:
        if graph_counts(empty_graph)["conversations"] >= 2_000:
            break
        time.sleep(0.2)
    neo4j_server.kill()
    _, stderr = loader.communicate(timeout=300)
    assert loader.returncode == 3, stderr  # "not reachable", a clean error
    assert "Traceback" not in stderr

    neo4j_server.start()
    partial = graph_counts(empty_graph)
    assert 0 < partial["conversations"] < 40_000

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    final = graph_counts(empty_graph)
    assert final == expected_counts(records)
    print(
        f"Neo4j killed mid-ingest with {partial['conversations']} of 40,000 conversations "
        f"committed; after the rerun {final} exactly, nothing duplicated"
    )


# --- fuzzing ---------------------------------------------------------------------------

names = st.text(alphabet=string.ascii_letters + " -éü'\"\\", min_size=0, max_size=12)
good_records = st.fixed_dictionaries(
    {
        "conversation_id": st.text(
            alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8
        ),
        "task": names.filter(lambda name: name.strip() != ""),
        "response_type": st.sampled_from(RESPONSE_TYPES),
    },
    optional={
        "ai_values": st.lists(
            st.one_of(names, st.fixed_dictionaries({"name": names, "explicit": st.booleans()})),
            max_size=4,
        ),
        "human_values": st.lists(names, max_size=3),
        "model": st.sampled_from(["m1", "m2", "MATCH (n) DETACH DELETE n"]),
        "subjective": st.booleans(),
    },
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | names,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(names, children, max_size=3),
    max_leaves=8,
)
any_line = st.one_of(
    good_records.map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    good_records.map(lambda record: json.dumps(record)[:-3]),
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(any_line, min_size=1, max_size=15))
# U+0085 is a line break to str.splitlines() that json.dumps(ensure_ascii=False) leaves alone.
@example(lines=["\x00\x85\x00"])
def test_fuzzed_record_files_lose_nothing(
    empty_graph: Graph, tmp_path: Path, lines: list[str]
) -> None:
    wipe(empty_graph)
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(line.replace("\n", " ") for line in lines) + "\n", encoding="utf-8")

    summary = ingest_records(path, empty_graph, batch_size=4)

    valid: dict[str, ExtractedRecord] = {}
    # JSON Lines ends a line at "\n" only; str.splitlines() would also split at U+0085 and the like.
    for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
        try:
            record = ExtractedRecord.model_validate_json(line)
        except ValueError:
            continue
        valid[record.conversation_id] = record
    assert summary.read == len(lines)
    assert summary.loaded + summary.rejected == len(lines)
    # splitlines() on purpose: a quarantine line must stay one line for any reader.
    quarantined = summary.quarantine.read_text().splitlines() if summary.quarantine else []
    assert len(quarantined) == summary.rejected
    assert all(json.loads(entry)["reason"] for entry in quarantined)
    stored = {row["id"] for row in empty_graph.read("MATCH (c:Conversation) RETURN c.id AS id")}
    assert stored == set(valid)


csv_cells = st.text(alphabet=string.printable + "é", max_size=12)


@settings(
    max_examples=FUZZ_EXAMPLES * 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(st.lists(csv_cells, min_size=0, max_size=7), max_size=10))
def test_fuzzed_taxonomy_rows_are_parsed_or_rejected(tmp_path: Path, rows: list[list[str]]) -> None:
    import csv

    tree = tmp_path / "values_tree.csv"
    frequencies = tmp_path / "values_frequencies.csv"
    with tree.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "cluster_id",
                "description",
                "name",
                "level",
                "parent_cluster_id",
                "pct_total_occurrences",
            ]
        )
        writer.writerows(rows)
    with frequencies.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["value", "pct_convos"])
        writer.writerows(row[:2] for row in rows)
    for reader in (read_tree(tree), read_frequencies(frequencies)):
        for item in reader:
            if isinstance(item, Rejection):
                assert item.reason and item.line >= 2


@pytest.mark.parametrize("payload", [b"\x1f\x8b\x08\x00garbage", b"\xff\xfe\x00\x00"])
def test_corrupt_files_are_one_clear_error(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_bytes(payload)
    done = subprocess.run(
        [sys.executable, "-m", "valuegraph", "ingest", "records", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr
    assert str(path) in done.stderr + done.stdout
