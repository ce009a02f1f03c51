"""``ingest conversations`` end to end into a real Neo4j (offline, and with Claude played by
the fake server). Reading the files alone is ``tests/unit/test_conversation_files.py``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli_runner import invoke
from tests.support.fake_anthropic import FakeAnthropic, Malformed, TextOnly
from valuegraph.graph.connection import Graph

SAMPLES = Path(__file__).resolve().parents[2] / "ingest" / "samples" / "conversations.jsonl"


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
