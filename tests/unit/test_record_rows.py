"""The one record-to-graph mapping: what the UNWIND writer sends and what the bulk path writes
come from the same rows, and the released taxonomy format reads back what it writes."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from valuegraph.domain import Cluster, ClusterKind, ExtractedRecord, Leaf, Taxonomy
from valuegraph.graph.bulk import CONVERSATIONS, write_part
from valuegraph.graph.rows import (
    CONVERSATION_PROPERTIES,
    conversation_cells,
    conversation_parameters,
    record_rows,
)
from valuegraph.ingest.taxonomy_csv import ClusterRow, ValueRow, read_tree, write_tree_csv

RECORD = ExtractedRecord.model_validate(
    {
        "conversation_id": "c1",
        "task": "  Travel  Advice ",
        "response_type": "mild_support",
        "ai_values": [
            {"name": "Honesty", "explicit": False},
            {"name": "honesty", "explicit": True},
        ],
        "human_values": ["Autonomy", "autonomy"],
        "model": "claude-x",
        "created_at": "2025-02-11T09:30:00Z",
        "subjective": False,
        "text": "private words",
    }
)


def test_a_record_maps_to_its_properties_and_links() -> None:
    rows = record_rows(RECORD)
    assert rows.task_key == "travel advice"
    assert rows.ai_values == {"honesty": ("Honesty", True)}  # explicit if any mention was
    assert rows.human_values == {"autonomy": "Autonomy"}
    assert rows.model == "claude-x"
    assert rows.conversation[-1] is None  # raw text only when asked for
    assert record_rows(RECORD, store_text=True).conversation[-1] == "private words"


def test_the_unwind_row_names_every_property() -> None:
    parameters = conversation_parameters(record_rows(RECORD))
    assert [name for name, _ in CONVERSATION_PROPERTIES] == list(parameters)[:-3]
    assert parameters["created_at"] == datetime(2025, 2, 11, 9, 30, tzinfo=UTC)
    assert parameters["response_type"] == "mild_support"
    assert parameters["ai"] == [{"key": "honesty", "explicit": True}]
    assert parameters["human"] == ["autonomy"]
    assert parameters["task_key"] == "travel advice"


def test_the_bulk_cells_follow_the_same_columns(tmp_path: Path) -> None:
    _, _, header = CONVERSATIONS
    assert [column.split(":")[0] for column in header[1:]] == [
        name for name, _ in CONVERSATION_PROPERTIES
    ]
    assert conversation_cells(record_rows(RECORD)) == [
        "c1",
        "claude-x",
        "2025-02-11T09:30:00+00:00",
        "false",
        "mild_support",
        None,
        None,
        None,
    ]
    write_part([RECORD], tmp_path, alone=True)
    with (tmp_path / "conversations.0.csv").open(newline="") as handle:
        (row,) = list(csv.reader(handle))
    assert row[1:] == [
        "c1",
        "claude-x",
        "2025-02-11T09:30:00+00:00",
        "false",
        "mild_support",
        "",
        "",
        "",
    ]


def test_a_written_tree_reads_back(tmp_path: Path) -> None:
    top = "ai_values:l3:0b6a6c1e-0000-4000-8000-000000000003"
    low = "ai_values:l1:0b6a6c1e-0000-4000-8000-000000000001"
    taxonomy = Taxonomy(
        kind=ClusterKind.AI_VALUE,
        leaves=(Leaf(name="honesty", parent_id=low, count=3), Leaf(name="care", parent_id=low)),
        clusters=(
            Cluster(id=top, level=3, name="Top", description="the top"),
            Cluster(id=low, level=1, name="Low", parent_id=top),
        ),
    )
    path = tmp_path / "values_tree.csv"
    assert write_tree_csv(taxonomy, path) == 4
    read = list(read_tree(path))
    clusters = [item for item in read if isinstance(item, ClusterRow)]
    values = [item for item in read if isinstance(item, ValueRow)]
    assert len(clusters) + len(values) == len(read)  # nothing rejected
    assert [c.id for c in clusters] == [top, low]  # top level first
    assert {c.id: c.pct_total_occurrences for c in clusters} == {top: 100.0, low: 100.0}
    assert {v.name: v.pct_total_occurrences for v in values} == {"care": 25.0, "honesty": 75.0}
