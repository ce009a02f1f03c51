"""Raw conversations into the graph: scrub, extract, normalise the value names, load, embed.

Private details are scrubbed before anything is sent or stored. Invalid conversations and
failed extractions go to the file's quarantine, and are counted in the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from valuegraph.domain import ExtractedRecord
from valuegraph.errors import ConfigError, InputError
from valuegraph.graph.connection import Graph
from valuegraph.graph.embeddings import ai_value_names, embed_missing, set_aliases, value_vocabulary
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.writer import load_records
from valuegraph.ingest.conversations import (
    Conversation,
    ConversationFormat,
    detect_format,
    read_conversations,
)
from valuegraph.ingest.embed import Embedder, load_embedder
from valuegraph.ingest.extract import ClaudeClient, ClaudeExtractor, Extracted, build_record
from valuegraph.ingest.extract import extract_all as extract_concurrently
from valuegraph.ingest.extract_batch import BatchRunner, state_path
from valuegraph.ingest.jsonl import Quarantine, Rejection, open_input
from valuegraph.ingest.normalise import Normalisation, merge_near_duplicates, value_names
from valuegraph.ingest.offline_extract import FIDELITY_WARNING, KNOWN_VALUES, OfflineExtractor
from valuegraph.ingest.scrub import Scrubber, hash_conversation_id, load_id_salt
from valuegraph.settings import Settings

Extractor = Literal["claude", "offline"]


@dataclass(frozen=True)
class ConversationOptions:
    """How to read, extract and store one file of raw conversations."""

    format: ConversationFormat | None = None  # None: detected from the file
    extractor: Extractor = "claude"
    batch: bool = False  # the Message Batches API (resumable)
    store_text: bool = False
    concurrency: int = 8
    raw_ids: bool = False  # keep the file's ids instead of a salted hash
    merge_threshold: float | None = None  # None: the setting
    poll_interval: float = 30.0


def _ignore(_: str) -> None:
    pass


@dataclass(frozen=True)
class ConversationHooks:
    """Where the pipeline reports as it goes: warnings, notes, and each conversation done."""

    warn: Callable[[str], None] = _ignore
    say: Callable[[str], None] = _ignore
    extracted: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class ConversationSummary:
    """What one run did; the fields in the order ``--json`` prints them."""

    file: str
    extractor: str
    fidelity: str
    conversations: int = 0
    loaded: int = 0
    quarantined: int = 0
    merges: int = 0
    embedded: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    model_calls: dict[str, int] = field(default_factory=dict)
    quarantine: str | None = None
    merge_report: str | None = None


def check_conversation_options(
    settings: Settings, file: Path, options: ConversationOptions
) -> None:
    """Refuse a missing file or options that cannot work, before anything is asked of Neo4j."""
    open_input(file).close()
    if options.batch and options.extractor != "claude":
        raise InputError("--batch needs --extractor claude")
    if options.extractor == "claude" and settings.anthropic_api_key is None:
        raise ConfigError(
            "ANTHROPIC_API_KEY is not set; set it, or use --extractor offline "
            "(a low-fidelity fallback)"
        )


def ingest_conversations(
    settings: Settings,
    graph: Graph,
    file: Path,
    options: ConversationOptions,
    hooks: ConversationHooks | None = None,
) -> ConversationSummary:
    """Scrub, extract and load the conversations of ``file`` (JSON Lines, plain or .gz, or a
    Claude.ai export); connect ``graph`` before calling, so a graph that is down costs no
    extraction."""
    hooks = hooks or ConversationHooks()
    check_conversation_options(settings, file, options)
    fmt = options.format or detect_format(file)
    salt = None if options.raw_ids else load_id_salt(settings)
    apply_schema(graph)
    embedder = load_embedder(settings.embedding_model)
    extract, label, fidelity, stats = _extractor(options.extractor, settings, graph, embedder)
    if fidelity == "low":
        hooks.warn(FIDELITY_WARNING)
    scrubber = Scrubber()
    tally = _Tally()
    with Quarantine(file) as quarantine:
        conversations: Iterable[Conversation] = read_conversations(
            file, scrub=scrubber.record, quarantine=quarantine, fmt=fmt
        )
        if options.batch:
            conversations = _fill_by_batch(extract, settings, list(conversations), options, hooks)
        outcomes = _extract(extract, conversations, options.concurrency)
        records = list(
            _records(outcomes, quarantine, file, salt, label, options.store_text, tally, hooks)
        )
        normalisation = _normalise(graph, embedder, records, options.merge_threshold, settings)
        records = [normalisation.apply(r) for r in records]
        loaded = load_records(
            graph, records, batch_size=settings.batch_size, store_text=options.store_text
        ).conversations
        set_aliases(graph, normalisation.aliases())
        embedded = embed_missing(graph, embedder)
        merge_report = _write_merge_report(settings, file, normalisation)
    return ConversationSummary(
        file=str(file),
        extractor=label,
        fidelity=fidelity,
        conversations=tally.conversations,
        loaded=loaded,
        quarantined=quarantine.count,
        merges=len(normalisation.merges),
        embedded=embedded,
        scrubbed=dict(sorted(scrubber.counts.items())),
        model_calls=stats() if stats else {},
        quarantine=str(quarantine.path) if quarantine.count else None,
        merge_report=merge_report,
    )


@dataclass
class _Tally:
    conversations: int = 0


def _extractor(
    name: str, settings: Settings, graph: Graph, embedder: Embedder
) -> tuple[Any, str, str, Callable[[], dict[str, int]] | None]:
    """(callable, source label, fidelity, stats getter) for the extractor ``name``."""
    if name == "claude":
        claude = ClaudeExtractor(ClaudeClient.from_settings(settings))
        return claude, claude.label, "high", claude.client.stats.as_dict
    # The paper's most frequent values plus whatever the graph already holds: the vocabulary
    # only grows, so a re-run maps the same text onto the same values.
    known = [*KNOWN_VALUES, *ai_value_names(graph)]
    cache = settings.state_dir / "cache" / "offline"
    offline = OfflineExtractor(embedder, known, cache_dir=cache)
    return offline, offline.label, "low", None


def _fill_by_batch(
    extract: Any,
    settings: Settings,
    conversations: list[Conversation],
    options: ConversationOptions,
    hooks: ConversationHooks,
) -> list[Conversation]:
    """Extract through the Message Batches API; what it leaves is called directly later."""
    runner = BatchRunner(
        extract,
        state_path(settings.state_dir, extract.client.model),
        poll_interval=options.poll_interval,
        progress=hooks.say,
    )
    report = runner.run(conversations)
    hooks.say(
        f"batches: {report.submitted} submitted in {report.batches_created} new batch(es), "
        f"{report.collected} results collected; left for direct calls: {report.failed or 'none'}"
    )
    return conversations


def _extract(extract: Any, conversations: Iterable[Conversation], concurrency: int) -> Any:
    # The offline extractor batches its embedding calls itself; threads would only queue.
    many = getattr(extract, "extract_many", None)
    if many:
        return many(conversations)
    return extract_concurrently(extract, conversations, concurrency=concurrency)


def _records(
    outcomes: Iterable[Any],
    quarantine: Quarantine,
    file: Path,
    salt: bytes | None,
    label: str,
    store_text: bool,
    tally: _Tally,
    hooks: ConversationHooks,
) -> Iterator[ExtractedRecord]:
    """The record of each extracted conversation; a failed extraction is quarantined."""
    for outcome in outcomes:
        tally.conversations += 1
        hooks.extracted()
        conversation = outcome.conversation
        if not isinstance(outcome, Extracted):
            raw = conversation.model_dump_json(include={"source_id", "turns"})
            quarantine.add(
                Rejection(file, conversation.line, f"extraction failed: {outcome.reason}", raw)
            )
            continue
        source_id = conversation.source_id
        yield build_record(
            conversation,
            outcome.output,
            conversation_id=hash_conversation_id(salt, source_id) if salt else source_id,
            source=label,
            store_text=store_text,
        )


def _normalise(
    graph: Graph,
    embedder: Embedder,
    records: list[ExtractedRecord],
    threshold: float | None,
    settings: Settings,
) -> Normalisation:
    """Merge near-duplicate value names, with the values already in the graph as canonical."""
    counts = value_names(records)
    existing, existing_vectors = value_vocabulary(graph, embedder.name)
    new = [n for n in counts if n not in set(existing)]
    vectors = embedder.encode(new)
    if existing_vectors:
        vectors = np.vstack([np.asarray(existing_vectors, dtype=np.float32), vectors])
    return merge_near_duplicates(
        [*existing, *new],
        vectors,
        counts=counts,
        existing=existing,
        threshold=threshold if threshold is not None else settings.merge_threshold,
    )


def _write_merge_report(settings: Settings, file: Path, normalisation: Normalisation) -> str | None:
    if not normalisation.merges:
        return None
    path = settings.state_dir / "reports" / f"merges-{file.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        normalisation.model_dump_json(indent=1, exclude={"canonical_of"}), encoding="utf-8"
    )
    return str(path)
