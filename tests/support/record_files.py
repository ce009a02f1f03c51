"""Small files of extracted records, written for the ingest and command-line tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

# Three conversations: two that share a task once normalised and a value in two spellings,
# and one with no values.
GOOD: list[dict[str, object]] = [
    {
        "conversation_id": "c1",
        "task": "relationship advice",
        "ai_values": ["healthy boundaries", {"name": "empathy", "explicit": True}],
        "human_values": ["honesty"],
        "response_type": "mild_support",
        "model": "claude-3-5-sonnet",
        "created_at": "2025-02-18T10:00:00Z",
        "subjective": True,
        "language": "en",
    },
    {
        "conversation_id": "c2",
        "task": "Relationship  Advice ",  # the same task after normalisation
        "ai_values": ["Empathy", "honesty"],
        "human_values": [],
        "response_type": "strong_support",
        "model": "claude-3-opus",
    },
    {"conversation_id": "c3", "task": "debugging python code", "response_type": "no_values"},
]


def write_jsonl(path: Path, lines: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path
