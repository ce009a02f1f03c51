"""Raw conversations to the graph: ``ingest conversations``, ``scrub``, ``values``, ``taxonomy``.

``register(cli)`` adds ``conversations`` to the existing ``ingest`` group and the top-level
``scrub``, ``values`` (``similar``, ``embed``) and ``taxonomy`` (``build``, ``export``) commands.
The commands only orchestrate; each step is a typed function in ``ingest/`` or ``graph/``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from valuegraph.cli.progress import rows_progress, stderr
from valuegraph.errors import ConfigError, InputError
from valuegraph.files import json_line
from valuegraph.ingest.conversations import (
    FORMAT_NAMES,
    Conversation,
    ConversationFormat,
    detect_format,
    read_conversations,
    read_raw,
)
from valuegraph.ingest.jsonl import Quarantine, Rejection, open_input
from valuegraph.ingest.records import ExtractedRecord
from valuegraph.ingest.scrub import Scrubber, hash_conversation_id, load_id_salt
from valuegraph.settings import Settings, load_settings

EXIT_REJECTED = 1
KINDS = {"values": "ai_value", "tasks": "task"}
SIMILAR_LABELS = {"ai": "AIValue", "human": "HumanValue", "task": "Task"}


# --- ingest conversations --------------------------------------------------------------------


@dataclass
class RunSummary:
    """What one ``ingest conversations`` run did."""

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


@click.command("conversations")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="Default: detected.")
@click.option(
    "--extractor",
    type=click.Choice(["claude", "offline"]),
    default="claude",
    show_default=True,
    help="offline: a LOW-FIDELITY fallback (embeddings and cue phrases) that needs no API key.",
)
@click.option("--batch", is_flag=True, help="Use the Message Batches API (resumable).")
@click.option("--store-text", is_flag=True, help="Also store the (scrubbed) text in Neo4j.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option(
    "--raw-ids", is_flag=True, help="Keep the file's conversation ids (default: salted hash)."
)
@click.option(
    "--merge-threshold",
    type=click.FloatRange(0.5, 1.0),
    default=None,
    help="Cosine similarity above which values merge (default 0.88).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(0.0),
    default=30.0,
    show_default=True,
    help="Seconds between batch polls.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def ingest_conversations(
    ctx: click.Context,
    file: Path,
    fmt: str | None,
    extractor: str,
    batch: bool,
    store_text: bool,
    concurrency: int,
    raw_ids: bool,
    merge_threshold: float | None,
    poll_interval: float,
    as_json: bool,
) -> None:
    """Scrub, extract and load raw conversations (JSON Lines, plain or .gz, or a Claude.ai export).

    Private details are scrubbed before anything is sent or stored. Invalid conversations and
    failed extractions go to FILE's quarantine file; exit code 1 if there were any.
    """
    from valuegraph.graph.connection import Graph
    from valuegraph.graph.schema import apply_schema

    settings = load_settings()
    open_input(file).close()
    if batch and extractor != "claude":
        raise InputError("--batch needs --extractor claude")
    if extractor == "claude" and settings.anthropic_api_key is None:
        raise ConfigError(
            "ANTHROPIC_API_KEY is not set; set it, or use --extractor offline "
            "(a low-fidelity fallback)"
        )
    conversation_format = ConversationFormat(fmt) if fmt else detect_format(file)
    salt = None if raw_ids else load_id_salt(settings)
    # Connect before the first model call: a graph that is down must not cost an extraction.
    with Graph.connect(settings) as graph:
        apply_schema(graph)
        summary = _run(
            graph, settings, file, conversation_format, extractor, batch, store_text,
            concurrency, salt, merge_threshold, poll_interval,
        )  # fmt: skip
    _report(summary, as_json)
    if summary.quarantined:
        ctx.exit(EXIT_REJECTED)


def _run(
    graph: Any,
    settings: Settings,
    file: Path,
    fmt: ConversationFormat,
    extractor_name: str,
    batch: bool,
    store_text: bool,
    concurrency: int,
    salt: bytes | None,
    merge_threshold: float | None,
    poll_interval: float,
) -> RunSummary:
    from valuegraph.graph.embeddings import embed_missing, set_aliases
    from valuegraph.graph.writer import load_records
    from valuegraph.ingest.embed import load_embedder

    embedder = load_embedder(settings.embedding_model)
    extract, label, fidelity, stats = _extractor(extractor_name, settings, graph, embedder)
    if fidelity == "low":
        stderr.print(f"[yellow]warning:[/] {_low_fidelity_warning()}")
    summary = RunSummary(file=str(file), extractor=label, fidelity=fidelity)
    scrubber = Scrubber()
    with Quarantine(file) as quarantine:
        conversations: Iterable[Conversation] = read_conversations(
            file, scrub=scrubber.record, quarantine=quarantine, fmt=fmt
        )
        if batch:
            conversations = _fill_by_batch(extract, settings, list(conversations), poll_interval)
        records = list(
            _records(
                extract,
                conversations,
                quarantine,
                file,
                concurrency,
                salt,
                label,
                store_text,
                summary,
            )
        )
        normalisation = _normalise(graph, embedder, records, merge_threshold, settings)
        records = [normalisation.apply(r) for r in records]
        summary.loaded = load_records(
            graph, records, batch_size=settings.batch_size, store_text=store_text
        ).conversations
        set_aliases(graph, normalisation.aliases())
        summary.embedded = embed_missing(graph, embedder)
        summary.merges = len(normalisation.merges)
        summary.merge_report = _write_merge_report(settings, file, normalisation)
        summary.quarantined = quarantine.count
        summary.quarantine = str(quarantine.path) if quarantine.count else None
    summary.scrubbed = dict(sorted(scrubber.counts.items()))
    summary.model_calls = stats() if stats else {}
    return summary


def _low_fidelity_warning() -> str:
    from valuegraph.ingest.offline_extract import FIDELITY_WARNING

    return FIDELITY_WARNING


def _extractor(
    name: str, settings: Settings, graph: Any, embedder: Any
) -> tuple[Any, str, str, Any]:
    """(callable, source label, fidelity, stats getter) for ``--extractor``."""
    if name == "claude":
        from valuegraph.ingest.extract import ClaudeClient, ClaudeExtractor

        claude = ClaudeExtractor(ClaudeClient.from_settings(settings))
        return claude, claude.label, "high", claude.client.stats.as_dict
    from valuegraph.ingest.offline_extract import KNOWN_VALUES, OfflineExtractor

    # The paper's most frequent values plus whatever the graph already holds: the vocabulary
    # only grows, so a re-run maps the same text onto the same values.
    rows = graph.read("MATCH (v:AIValue) RETURN v.name AS name ORDER BY v.key")
    known = [*KNOWN_VALUES, *(row["name"] for row in rows if row["name"])]
    cache = settings.state_dir / "cache" / "offline"
    offline = OfflineExtractor(embedder, known, cache_dir=cache)
    return offline, offline.label, "low", None


def _fill_by_batch(
    extract: Any, settings: Settings, conversations: list[Conversation], poll_interval: float
) -> list[Conversation]:
    from valuegraph.ingest.extract_batch import BatchRunner, state_path

    runner = BatchRunner(
        extract,
        state_path(settings.state_dir, extract.client.model),
        poll_interval=poll_interval,
        progress=lambda message: stderr.print(message),
    )
    report = runner.run(conversations)
    stderr.print(
        f"batches: {report.submitted} submitted in {report.batches_created} new batch(es), "
        f"{report.collected} results collected; left for direct calls: {report.failed or 'none'}"
    )
    return conversations


def _records(
    extract: Any,
    conversations: Iterable[Conversation],
    quarantine: Quarantine,
    file: Path,
    concurrency: int,
    salt: bytes | None,
    label: str,
    store_text: bool,
    summary: RunSummary,
) -> Iterator[ExtractedRecord]:
    from valuegraph.ingest.extract import Extracted, build_record, extract_all

    # The offline extractor batches its embedding calls itself; threads would only queue.
    many = getattr(extract, "extract_many", None)
    outcomes = (
        many(conversations)
        if many
        else extract_all(extract, conversations, concurrency=concurrency)
    )
    with rows_progress(f"extracting {file.name}") as bar:
        for outcome in outcomes:
            summary.conversations += 1
            bar.update(bar.task_ids[0], advance=1)
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
    graph: Any,
    embedder: Any,
    records: list[ExtractedRecord],
    threshold: float | None,
    settings: Settings,
) -> Any:
    """Merge near-duplicate value names, with the values already in the graph as canonical."""
    import numpy as np

    from valuegraph.graph.embeddings import value_vocabulary
    from valuegraph.ingest.normalise import merge_near_duplicates, value_names

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


def _write_merge_report(settings: Settings, file: Path, normalisation: Any) -> str | None:
    if not normalisation.merges:
        return None
    path = settings.state_dir / "reports" / f"merges-{file.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        normalisation.model_dump_json(indent=1, exclude={"canonical_of"}), encoding="utf-8"
    )
    return str(path)


def _report(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.__dict__))
        return
    scrubbed = ", ".join(f"{n} {k}" for k, n in summary.scrubbed.items()) or "nothing"
    fidelity = " (LOW FIDELITY)" if summary.fidelity == "low" else ""
    click.echo(
        f"{summary.file}: {summary.conversations} conversations extracted by {summary.extractor}"
        f"{fidelity}, {summary.loaded} loaded, {summary.quarantined} quarantined; "
        f"scrubbed {scrubbed}; {summary.merges} near-duplicate values merged"
    )
    if summary.model_calls:
        calls = summary.model_calls
        click.echo(
            f"model calls: {calls['calls']} made, {calls['cache_hits']} from cache, "
            f"{calls['retries']} retried, {calls['repairs']} repaired, {calls['rejected']} rejected"
        )
    if summary.quarantine:
        click.echo(f"quarantined conversations are in {summary.quarantine}")
    if summary.merge_report:
        click.echo(f"merges are listed in {summary.merge_report}")


# --- scrub -----------------------------------------------------------------------------------


@click.command("scrub")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def scrub(file: Path) -> None:
    """Print FILE's conversations scrubbed, as JSON Lines in the same format.

    This is exactly the text a model would see; counts by kind go to stderr.
    """
    open_input(file).close()
    scrubber = Scrubber()
    records = 0
    for item in read_raw(file):
        if isinstance(item, Rejection):
            line = scrubber.text(item.raw)  # kept as it was, broken JSON and all
        else:
            line = json_line(scrubber.record(item[1]))
        sys.stdout.write(line + "\n")
        records += 1
    counts = ", ".join(f"{n} {k}" for k, n in sorted(scrubber.counts.items())) or "nothing"
    click.echo(f"scrubbed {records} records: {counts}", err=True)


# --- values ----------------------------------------------------------------------------------


@click.group("values")
def values_group() -> None:
    """Value embeddings and similarity."""


@values_group.command("similar")
@click.argument("name")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--kind", type=click.Choice(list(SIMILAR_LABELS)), default="ai", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def values_similar(name: str, top: int, kind: str, as_json: bool) -> None:
    """The values nearest to NAME in meaning, through the Neo4j vector index."""
    from valuegraph.graph.connection import Graph
    from valuegraph.graph.embeddings import similar
    from valuegraph.ingest.embed import load_embedder

    settings = load_settings()
    embedder = load_embedder(settings.embedding_model)
    with Graph.connect(settings) as graph:
        found = similar(graph, embedder, name, label=SIMILAR_LABELS[kind], top=top)
    if as_json:
        click.echo(json.dumps([f.__dict__ for f in found]))
        return
    for item in found:
        click.echo(f"{item.score:.3f}  {item.name}")
    if not found:
        click.echo("no values found", err=True)


@values_group.command("embed")
def values_embed() -> None:
    """Embed every AIValue, HumanValue and Task that has no embedding yet (idempotent)."""
    from valuegraph.graph.connection import Graph
    from valuegraph.graph.embeddings import embed_missing
    from valuegraph.ingest.embed import load_embedder

    settings = load_settings()
    embedder = load_embedder(settings.embedding_model)
    with Graph.connect(settings) as graph:
        done = embed_missing(graph, embedder)
    click.echo("embedded " + ", ".join(f"{n} {label}" for label, n in done.items()))


# --- taxonomy --------------------------------------------------------------------------------


@click.group("taxonomy")
def taxonomy_group() -> None:
    """Build the value (or task) taxonomy from embeddings, and export it."""


@taxonomy_group.command("build")
@click.option("--kind", type=click.Choice(list(KINDS)), default="values", show_default=True)
@click.option(
    "--levels", default="n/12,26,5", show_default=True, help="Clusters per level, bottom up."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--namer",
    type=click.Choice(["auto", "claude", "offline"]),
    default="auto",
    show_default=True,
    help="auto: Claude when ANTHROPIC_API_KEY is set, else offline (medoid and terms).",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def taxonomy_build(
    kind: str, levels: str, seed: int, namer: str, concurrency: int, as_json: bool
) -> None:
    """Cluster the graph's values (or tasks) into a hierarchy and write Cluster nodes."""
    import numpy as np

    from valuegraph.graph.connection import Graph
    from valuegraph.graph.embeddings import embed_missing
    from valuegraph.graph.taxonomy_writer import LEAVES, read_leaves, write_taxonomy
    from valuegraph.ingest.embed import load_embedder
    from valuegraph.ingest.taxonomy_build import (
        ClaudeNamer,
        build_taxonomy,
        offline_namer,
        parse_levels,
    )

    settings = load_settings()
    sizes = parse_levels(levels)
    cluster_kind = KINDS[kind]
    chosen, naming = _namer(namer, settings, concurrency)
    embedder = load_embedder(settings.embedding_model)
    with Graph.connect(settings) as graph:
        embed_missing(graph, embedder, labels=[LEAVES[cluster_kind][0]])
        leaves = read_leaves(graph, cluster_kind)
        if not leaves:
            raise InputError(f"the graph holds no {kind}; ingest some first")
        names = [row["name"] or row["key"] for row in leaves]
        vectors = np.asarray([row["embedding"] for row in leaves], dtype=np.float32)
        counts = {row["name"] or row["key"]: int(row["conversations"]) for row in leaves}
        taxonomy = build_taxonomy(
            names,
            vectors,
            counts=counts,
            levels=sizes,
            seed=seed,
            kind=cluster_kind,
            namer=chosen or offline_namer,
        )
        written = write_taxonomy(graph, taxonomy)
    result = {
        "kind": cluster_kind,
        "levels": taxonomy.levels(),
        "named_by": naming,
        "seed": seed,
        **written,
    }
    fallbacks = chosen.fallbacks if isinstance(chosen, ClaudeNamer) else 0
    if fallbacks:
        result["named_offline_after_failure"] = fallbacks
    if as_json:
        click.echo(json.dumps(result))
        return
    sizes_text = " -> ".join(f"{n}" for n in taxonomy.levels().values())
    replaced = written["stale_clusters_removed"]
    click.echo(
        f"taxonomy of {kind}: {sizes_text} (level 0 up), named by {naming}, seed {seed}; "
        f"{replaced} old clusters replaced"
    )
    if len(sizes) != 3:
        click.echo(
            "note: the released format (and `ingest taxonomy`) has three cluster levels", err=True
        )


def _namer(choice: str, settings: Settings, concurrency: int) -> tuple[Any, str]:
    if choice == "offline" or (choice == "auto" and settings.anthropic_api_key is None):
        return None, "offline (medoid and distinctive terms)"
    from valuegraph.ingest.extract import ClaudeClient
    from valuegraph.ingest.taxonomy_build import ClaudeNamer

    client = ClaudeClient.from_settings(settings)
    return ClaudeNamer(client, concurrency=concurrency), f"Claude ({client.model})"


@taxonomy_group.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--kind", type=click.Choice(list(KINDS)), default="values", show_default=True)
def taxonomy_export(output: Path, kind: str) -> None:
    """Write the taxonomy as values_tree.csv (the released format; `ingest taxonomy` reads it)."""
    from valuegraph.graph.connection import Graph
    from valuegraph.graph.taxonomy_writer import read_taxonomy
    from valuegraph.ingest.taxonomy_build import write_tree_csv

    settings = load_settings()
    with Graph.connect(settings) as graph:
        taxonomy = read_taxonomy(graph, KINDS[kind])
    rows = write_tree_csv(taxonomy, output)
    click.echo(f"wrote {rows} rows to {output}")


# --- registration ----------------------------------------------------------------------------


def _group(cli: click.Group, name: str, fallback: click.Group) -> click.Group:
    """The group ``name`` on ``cli`` if another module made it, else ``fallback`` added."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    cli.add_command(fallback)
    return fallback


def register(cli: click.Group) -> None:
    ingest = _group(cli, "ingest", click.Group("ingest", help="Load files into the graph."))
    ingest.add_command(ingest_conversations)
    cli.add_command(scrub)
    values = _group(cli, "values", values_group)
    for command in values_group.commands.values():
        values.add_command(command)
    taxonomy = _group(cli, "taxonomy", taxonomy_group)
    for command in taxonomy_group.commands.values():
        taxonomy.add_command(command)
