"""A small value graph with known shape, and a canonical snapshot to compare graphs by.

Used by the export tests (``tests/test_export_*.py``) and the Browser test. The corpus
is written through the project's own writers, so it has the real schema. With the
default k = 5 some pairs and nodes are common enough to export and some are not:

- "relationship advice": 9 conversations; "coding help": 4 (a rare task).
- "healthy boundaries": 8 conversations, all relationship advice; "empathy": 8;
  "code quality": 4 (rare); "honesty": 6 on each side, mirrored in 5; the human
  value "secret wish": 1 (rare).
- one conversation stores raw text, which no export may ever contain.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import neo4j

from valuegraph.domain import ExtractedRecord
from valuegraph.graph.connection import Graph
from valuegraph.graph.export.values import plain
from valuegraph.graph.writer import TaxonomyRows, load_records, load_taxonomy

PRIVATE_TEXT = "my landlord Jane Doe at 12 Private Lane"
SOCIAL = "ai_values:l3:00000000-0000-0000-0000-000000000003"
RELATIONSHIPS = "ai_values:l2:00000000-0000-0000-0000-000000000002"
BOUNDARIES = "ai_values:l1:00000000-0000-0000-0000-000000000001"


def _record(
    index: int, task: str, ai: list[Any], human: list[str], **extra: Any
) -> ExtractedRecord:
    return ExtractedRecord.model_validate(
        {
            "conversation_id": f"c{index:03d}",
            "task": task,
            "ai_values": ai,
            "human_values": human,
            "response_type": extra.pop("response_type", "mild_support"),
            "model": extra.pop("model", "claude-3-5-sonnet"),
            "created_at": datetime(2025, 2, 17, tzinfo=UTC) + timedelta(hours=index),
            "language": "en",
            **extra,
        }
    )


def corpus() -> list[ExtractedRecord]:
    records = []
    for i in range(8):
        ai: list[Any] = (
            ["empathy"]
            if i == 7
            else [
                {"name": "healthy boundaries", "explicit": i % 2 == 0},
                "empathy",
            ]
        )
        if i < 6:
            ai.append("honesty")
        human = ["honesty"] if i < 5 else (["secret wish"] if i == 5 else [])
        records.append(
            _record(
                i,
                "relationship advice",
                ai,
                human,
                model="claude-3-opus" if i >= 6 else "claude-3-5-sonnet",
                text=PRIVATE_TEXT if i == 0 else None,
            )
        )
    for i in range(8, 12):
        records.append(_record(i, "coding help", ["code quality"], [], response_type="neutral"))
    records.append(
        _record(
            12,
            "relationship advice",
            ["healthy boundaries"],
            ["honesty"],
            response_type="strong_resistance",
        )
    )
    return records


TAXONOMY = TaxonomyRows(
    clusters=[
        {
            "id": SOCIAL,
            "name": "Social",
            "description": "Social values",
            "level": 3,
            "kind": "ai_value",
            "pct": 21.4,
            "parent": None,
        },
        {
            "id": RELATIONSHIPS,
            "name": "relationships",
            "description": "Relationships",
            "level": 2,
            "kind": "ai_value",
            "pct": 5.0,
            "parent": SOCIAL,
        },
        {
            "id": BOUNDARIES,
            "name": "boundaries and care",
            "description": "Boundaries",
            "level": 1,
            "kind": "ai_value",
            "pct": 1.5,
            "parent": RELATIONSHIPS,
        },
    ],
    values=[
        {
            "key": "healthy boundaries",
            "name": "healthy boundaries",
            "pct": 0.9,
            "parent": BOUNDARIES,
        },
        {"key": "empathy", "name": "empathy", "pct": 0.6, "parent": BOUNDARIES},
        {"key": "mutual respect", "name": "mutual respect", "pct": 0.2, "parent": BOUNDARIES},
    ],
    frequencies=[{"key": "empathy", "name": "empathy", "pct": 2.318}],
)


def load_corpus(graph: Graph) -> None:
    """The corpus and its taxonomy into an empty graph (with raw text for one conversation)."""
    load_taxonomy(graph, TAXONOMY)
    load_records(graph, corpus(), store_text=True)


def materialise_associations(graph: Graph) -> None:
    """What ``analyze materialize`` writes, by hand: one strong, one weak, one under k."""
    graph.write(
        """
        UNWIND $rows AS row
        MATCH (v:AIValue {key: row.value}), (t {key: row.other})
        WHERE t:Task OR t:HumanValue
        CALL (v, t, row) {
          WITH v, t, row WHERE t:Task
          CREATE (v)-[r:ASSOCIATED_WITH]->(t) SET r = row.props
          UNION
          WITH v, t, row WHERE t:HumanValue
          CREATE (v)-[r:CO_OCCURS_WITH]->(t) SET r = row.props
        }
        """,
        {
            "rows": [
                {
                    "value": "healthy boundaries",
                    "other": "relationship advice",
                    "props": {
                        "adjusted_residual": 3.2,
                        "observed": 8,
                        "expected": 4.3,
                        "chi2": 10.2,
                        "p_value": 0.001,
                        "p_adjusted": 0.01,
                    },
                },
                {
                    "value": "empathy",
                    "other": "relationship advice",
                    "props": {
                        "adjusted_residual": 1.1,
                        "observed": 7,
                        "expected": 6.0,
                        "chi2": 1.2,
                        "p_value": 0.2,
                        "p_adjusted": 1.0,
                    },
                },
                {
                    "value": "code quality",
                    "other": "coding help",
                    "props": {
                        "adjusted_residual": 3.6,
                        "observed": 4,
                        "expected": 1.2,
                        "chi2": 13.0,
                        "p_value": 0.0003,
                        "p_adjusted": 0.003,
                    },
                },
                {
                    "value": "honesty",
                    "other": "honesty",
                    "props": {
                        "adjusted_residual": 2.4,
                        "observed": 6,
                        "expected": 3.1,
                        "chi2": 5.8,
                        "p_value": 0.01,
                        "p_adjusted": 0.05,
                    },
                },
            ]
        },
    )


# --- canonical snapshots ------------------------------------------------------------------------

NodeKey = tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]


def _frozen(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def _node_key(labels: Any, properties: dict[str, Any]) -> NodeKey:
    return (tuple(sorted(labels)), tuple(sorted((k, _frozen(v)) for k, v in properties.items())))


def snapshot(driver: neo4j.Driver, database: str = "neo4j") -> tuple[Counter[Any], Counter[Any]]:
    """Nodes as (labels, properties) and relationships as (type, start, end, properties)."""
    with driver.session(database=database) as session:
        nodes = {
            record["id"]: _node_key(record["labels"], record["props"])
            for record in session.run(
                "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props"
            )
        }
        relationships = Counter(
            (
                record["type"],
                nodes[record["start"]],
                nodes[record["end"]],
                tuple(sorted((k, _frozen(v)) for k, v in record["props"].items())),
            )
            for record in session.run(
                "MATCH (a)-[r]->(b) RETURN type(r) AS type, elementId(a) AS start, "
                "elementId(b) AS end, properties(r) AS props"
            )
        )
    return Counter(nodes.values()), relationships


def without_text(snap: tuple[Counter[Any], Counter[Any]]) -> tuple[Counter[Any], Counter[Any]]:
    """The snapshot as an export must reproduce it: Conversation text removed."""

    def strip(node: NodeKey) -> NodeKey:
        labels, props = node
        if "Conversation" in labels:
            props = tuple((k, v) for k, v in props if k != "text")
        return labels, props

    nodes, relationships = snap
    return (
        Counter({strip(n): c for n, c in nodes.items()}),
        Counter({(t, strip(a), strip(b), p): c for (t, a, b, p), c in relationships.items()}),
    )
