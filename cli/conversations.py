"""Raw conversations to the graph: ``ingest conversations``, ``scrub``, ``values``, ``taxonomy``.

``register(cli)`` adds ``conversations`` to the existing ``ingest`` group and the top-level
``scrub``, ``values`` (``similar``, ``embed``) and ``taxonomy`` (``build``, ``export``) commands.
Each command parses its options, calls one library function (``valuegraph.pipelines``) and
prints what it returns.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import cast

import click

from valuegraph.cli.progress import rows_progress, stderr
from valuegraph.domain import ClusterKind, Label
from valuegraph.files import json_line
from valuegraph.graph.connection import Graph
from valuegraph.ingest.conversations import FORMAT_NAMES, ConversationFormat, read_raw
from valuegraph.ingest.jsonl import Rejection, open_input
from valuegraph.ingest.scrub import Scrubber
from valuegraph.pipelines.conversations import (
    ConversationHooks,
    ConversationOptions,
    ConversationSummary,
    Extractor,
    check_conversation_options,
    ingest_conversations,
)
from valuegraph.pipelines.embeddings import embed_values, similar_values
from valuegraph.pipelines.taxonomy import NamerChoice, build_taxonomy, export_taxonomy
from valuegraph.settings import load_settings

EXIT_REJECTED = 1
KINDS = {"values": ClusterKind.AI_VALUE, "tasks": ClusterKind.TASK}
SIMILAR_LABELS = {"ai": Label.AI_VALUE, "human": Label.HUMAN_VALUE, "task": Label.TASK}


# --- ingest conversations --------------------------------------------------------------------


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
def conversations_command(
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
    settings = load_settings()
    options = ConversationOptions(
        format=ConversationFormat(fmt) if fmt else None,
        extractor=cast(Extractor, extractor),
        batch=batch,
        store_text=store_text,
        concurrency=concurrency,
        raw_ids=raw_ids,
        merge_threshold=merge_threshold,
        poll_interval=poll_interval,
    )
    check_conversation_options(settings, file, options)
    # Connect before the first model call: a graph that is down must not cost an extraction.
    with Graph.connect(settings) as graph, rows_progress(f"extracting {file.name}") as bar:
        hooks = ConversationHooks(
            warn=lambda message: stderr.print(f"[yellow]warning:[/] {message}"),
            say=stderr.print,
            extracted=lambda: bar.update(bar.task_ids[0], advance=1),
        )
        summary = ingest_conversations(settings, graph, file, options, hooks)
    _report(summary, as_json)
    if summary.quarantined:
        ctx.exit(EXIT_REJECTED)


def _report(summary: ConversationSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(asdict(summary)))
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
    settings = load_settings()
    with Graph.connect(settings) as graph:
        found = similar_values(settings, graph, name, label=SIMILAR_LABELS[kind], top=top)
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
    settings = load_settings()
    with Graph.connect(settings) as graph:
        done = embed_values(settings, graph)
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
    settings = load_settings()
    with Graph.connect(settings) as graph:
        built = build_taxonomy(
            settings,
            graph,
            kind=KINDS[kind],
            levels=levels,
            seed=seed,
            namer=cast(NamerChoice, namer),
            concurrency=concurrency,
        )
    if as_json:
        click.echo(json.dumps(built.as_json()))
        return
    sizes_text = " -> ".join(f"{n}" for n in built.levels.values())
    click.echo(
        f"taxonomy of {kind}: {sizes_text} (level 0 up), named by {built.named_by}, seed {seed}; "
        f"{built.stale_clusters_removed} old clusters replaced"
    )
    if len(built.levels) - 1 != 3:
        click.echo(
            "note: the released format (and `ingest taxonomy`) has three cluster levels", err=True
        )


@taxonomy_group.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--kind", type=click.Choice(list(KINDS)), default="values", show_default=True)
def taxonomy_export(output: Path, kind: str) -> None:
    """Write the taxonomy as values_tree.csv (the released format; `ingest taxonomy` reads it)."""
    settings = load_settings()
    with Graph.connect(settings) as graph:
        rows = export_taxonomy(graph, KINDS[kind], output)
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
    ingest.add_command(conversations_command)
    cli.add_command(scrub)
    values = _group(cli, "values", values_group)
    for command in values_group.commands.values():
        values.add_command(command)
    taxonomy = _group(cli, "taxonomy", taxonomy_group)
    for command in taxonomy_group.commands.values():
        taxonomy.add_command(command)
