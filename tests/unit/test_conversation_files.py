"""Reading raw conversations: every format, scrubbing, quarantine, the sample set, and the
``scrub`` command (no Neo4j; ``tests/integration/test_conversations.py`` ingests them)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.support.cli_runner import cli, invoke
from valuegraph.errors import InputError
from valuegraph.ingest.conversations import (
    ConversationFormat,
    Role,
    detect_format,
    read_conversations,
)
from valuegraph.ingest.jsonl import Quarantine
from valuegraph.ingest.scrub import Scrubber

SAMPLES = Path(__file__).resolve().parents[2] / "ingest" / "samples" / "conversations.jsonl"

MESSAGES = {
    "id": "m1",
    "model": "claude-x",
    "created_at": "2025-02-11T09:30:00Z",
    "messages": [
        {"role": "user", "content": "Mail me at ana@example.com please"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "internal"},
                {"type": "text", "text": "Sure."},
                {"type": "tool_use", "id": "t1", "name": "search", "input": {}},
            ],
        },
    ],
}
SHAREGPT = {
    "id": "s1",
    "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}],
}
CLAUDE_EXPORT = {
    "uuid": "5b1c0c9e-0000-4000-8000-000000000001",
    "name": "Trip planning",
    "created_at": "2025-02-12T10:00:00.000000Z",
    "chat_messages": [
        {
            "uuid": "a",
            "sender": "human",
            "text": "Plan a trip",
            "content": [{"type": "text", "text": "Plan a trip"}],
        },
        {"uuid": "b", "sender": "assistant", "text": "Happy to!", "content": [], "attachments": []},
    ],
}


def write_jsonl(path: Path, records: list[object], *, gz: bool = False) -> Path:
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def read_all(path: Path) -> tuple[list, Path]:
    scrubber = Scrubber()
    with Quarantine(path) as quarantine:
        conversations = list(read_conversations(path, scrub=scrubber.record, quarantine=quarantine))
    return conversations, quarantine.path


def test_each_format_is_detected_and_parsed(tmp_path: Path) -> None:
    cases = [
        (write_jsonl(tmp_path / "m.jsonl", [MESSAGES]), ConversationFormat.MESSAGES),
        (write_jsonl(tmp_path / "s.jsonl.gz", [SHAREGPT], gz=True), ConversationFormat.SHAREGPT),
        (write_jsonl(tmp_path / "c.jsonl", [CLAUDE_EXPORT]), ConversationFormat.CLAUDE_EXPORT),
    ]
    export = tmp_path / "conversations.json"  # the export as downloaded: one JSON array
    export.write_text(json.dumps([CLAUDE_EXPORT, {**CLAUDE_EXPORT, "uuid": "other"}]))
    cases.append((export, ConversationFormat.CLAUDE_EXPORT))
    for path, fmt in cases:
        assert detect_format(path) is fmt
        conversations, _ = read_all(path)
        assert conversations and all(c.format is fmt for c in conversations)
    assert len(read_all(export)[0]) == 2


def test_content_blocks_are_flattened_and_text_is_scrubbed(tmp_path: Path) -> None:
    [conversation], _ = read_all(write_jsonl(tmp_path / "m.jsonl", [MESSAGES]))
    assert conversation.turns[0].text == "Mail me at [EMAIL] please"
    assert conversation.turns[1].text == "Sure.\n[tool call: search]"  # thinking is dropped
    assert conversation.model == "claude-x" and conversation.created_at is not None
    assert conversation.text_of(Role.ASSISTANT).startswith("Sure.")


def test_invalid_conversations_are_quarantined_scrubbed_with_line_and_reason(
    tmp_path: Path,
) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            MESSAGES,
            "{broken json, write to bo@example.com",
            {"id": "x", "messages": [{"role": "user", "content": "only me, call 555-201-3344"}]},
            {
                "id": "y",
                "messages": [
                    {"role": "wizard", "content": "?"},
                    {"role": "assistant", "content": "!"},
                ],
            },
            MESSAGES,
            ["not", "an", "object"],
        ],
    )
    conversations, quarantine = read_all(path)
    assert [c.source_id for c in conversations] == ["m1"]
    rows = [json.loads(line) for line in quarantine.read_text().splitlines()]
    assert [(r["line"], r["reason"].split(":")[0]) for r in rows] == [
        (2, "broken JSON"),
        (3, "no assistant message with text"),
        (4, "message 1 has unknown role 'wizard'"),
        (5, "duplicate conversation id (first at line 1)"),
        (6, "not a JSON object but list"),
    ]
    text = quarantine.read_text()
    assert "@example.com" not in text and "555-201-3344" not in text and "[EMAIL]" in text


def test_an_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "odd.jsonl", [{"prompt": "a", "completion": "b"}])
    with pytest.raises(InputError, match="use --format"):
        detect_format(path)


def test_the_sample_set(tmp_path: Path) -> None:
    """About 60 conversations across five kinds of task, with private strings to scrub."""
    copy = tmp_path / SAMPLES.name
    copy.write_bytes(SAMPLES.read_bytes())
    scrubber = Scrubber()
    with Quarantine(copy) as quarantine:
        conversations = list(read_conversations(copy, scrub=scrubber.record, quarantine=quarantine))
    assert len(conversations) == 60 and quarantine.count == 2
    kinds = {c.source_id.split("-")[0] for c in conversations}
    assert kinds == {"advice", "coding", "history", "ethics", "creative"}
    assert {"EMAIL", "PHONE", "ADDRESS", "API_KEY", "CREDENTIALS"} <= set(scrubber.counts)


# --- the commands ----------------------------------------------------------------------------


def test_scrub_prints_the_same_format_scrubbed(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", [MESSAGES, SHAREGPT])
    result = invoke("scrub", str(path))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["messages"][0]["content"] == "Mail me at [EMAIL] please"
    assert lines[0]["id"] == "m1" and lines[1] == SHAREGPT
    assert "1 EMAIL" in result.stderr


def test_register_adds_to_the_existing_ingest_group() -> None:
    group = cli()
    assert "conversations" in group.commands["ingest"].commands  # type: ignore[attr-defined]
    assert {"scrub", "values", "taxonomy"} <= set(group.commands)
