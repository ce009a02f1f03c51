"""Reading raw conversations, the sample set, the ``scrub`` command, and ``ingest conversations``
end to end into a real Neo4j (offline, and with Claude played by the fake server)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.support.fake_anthropic import FakeAnthropic, Malformed, TextOnly
from valuegraph.cli.conversations import register
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
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


def cli() -> click.Group:
    group = click.Group("valuegraph")
    group.add_command(click.Group("ingest"))  # as api/cli.py has it before register() runs
    register(group)
    return group


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli(), list(args), catch_exceptions=True)


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


@pytest.fixture()
def samples(tmp_path: Path) -> Path:
    copy = tmp_path / "samples.jsonl"
    copy.write_bytes(SAMPLES.read_bytes())
    return copy


def counts(graph: Graph) -> dict[str, int]:
    rows = graph.read(
        "CALL () { MATCH (c:Conversation) RETURN count(c) AS conversations } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
        "CALL () { MATCH (v:AIValue) WHERE v.embedding IS NOT NULL RETURN count(v) AS embedded } "
        "RETURN conversations, relationships, embedded"
    )
    return rows[0]


def test_offline_ingest_end_to_end(empty_graph: Graph, samples: Path) -> None:
    result = invoke("ingest", "conversations", str(samples), "--extractor", "offline", "--json")
    assert result.exit_code == 1, result.output  # two conversations are quarantined
    summary = json.loads(result.stdout)
    assert summary["loaded"] == 60 and summary["quarantined"] == 2 and summary["fidelity"] == "low"
    assert "LOW-FIDELITY" in result.stderr
    first = counts(empty_graph)
    assert first["conversations"] == 60 and first["embedded"] > 0
    rows = empty_graph.read(
        "MATCH (c:Conversation) RETURN c.id AS id, c.text AS text, c.source AS source"
    )
    assert all(r["id"].startswith("c_") and r["text"] is None for r in rows)  # hashed, no text
    assert {r["source"] for r in rows} == {"offline-low-fidelity"}
    # Re-running changes no node or edge; --store-text adds only the scrubbed text.
    again = invoke(
        "ingest", "conversations", str(samples), "--extractor", "offline", "--store-text"
    )
    assert again.exit_code == 1 and counts(empty_graph) == first
    texts = "\n".join(r["t"] for r in empty_graph.read("MATCH (c:Conversation) RETURN c.text AS t"))
    assert "sam.porter@example.com" not in texts and "[EMAIL]" in texts


@pytest.fixture()
def claude_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeAnthropic]:
    with FakeAnthropic(polls_until_ended=1) as fake:
        # A state folder per test: the extraction cache and batch state live there.
        monkeypatch.setenv("VALUEGRAPH_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        yield fake


def test_claude_ingest_quarantines_rejections_and_pays_once(
    empty_graph: Graph, samples: Path, claude_env: FakeAnthropic
) -> None:
    claude_env.script("Explain big-O notation", Malformed(), TextOnly())
    result = invoke("ingest", "conversations", str(samples), "--concurrency", "8", "--json")
    summary = json.loads(result.stdout)
    assert summary["loaded"] == 59 and summary["quarantined"] == 3
    assert summary["model_calls"]["calls"] == 61  # 60 + one repair
    quarantine = Path(summary["quarantine"]).read_text()
    assert "extraction failed: invalid tool output, and again after one repair" in quarantine
    assert counts(empty_graph)["conversations"] == 59
    again = json.loads(invoke("ingest", "conversations", str(samples), "--json").stdout)
    assert again["model_calls"]["calls"] == 0 and again["model_calls"]["cache_hits"] == 60


def test_claude_batch_ingest(empty_graph: Graph, samples: Path, claude_env: FakeAnthropic) -> None:
    result = invoke(
        "ingest", "conversations", str(samples), "--batch", "--poll-interval", "0", "--json"
    )
    summary = json.loads(result.stdout)
    assert summary["loaded"] == 60, result.output
    assert claude_env.batch_creates == 1 and len(claude_env.requests) == 0
