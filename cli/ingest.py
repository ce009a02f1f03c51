"""``valuegraph ingest records|taxonomy``: extracted features and the taxonomy into the graph."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from valuegraph.cli.progress import rows_progress
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.ingest.jsonl import open_input
from valuegraph.pipelines.records import IngestSummary, bulk_ingest_records, ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.settings import load_settings

EXIT_REJECTED = 1


@click.group("ingest")
def ingest_group() -> None:
    """Load files into the graph."""


@ingest_group.command("records")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing to Neo4j.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=None)
@click.option("--store-text", is_flag=True, help="Also store raw text, if records carry it.")
@click.option(
    "--bulk",
    is_flag=True,
    help="Into an EMPTY local database, offline with neo4j-admin import (fastest).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def records(
    ctx: click.Context,
    file: Path,
    dry_run: bool,
    batch_size: int | None,
    store_text: bool,
    bulk: bool,
    as_json: bool,
) -> None:
    """Load extracted records (JSON Lines, plain or .gz): one conversation per line.

    Invalid lines go to FILE's quarantine file with their line number and reason;
    every valid line is loaded. Exit code 1 if any line was rejected.
    """
    settings = load_settings()
    open_input(file).close()  # a missing file is reported before Neo4j is asked anything
    if bulk:
        if dry_run or store_text:
            raise InputError("--bulk cannot be combined with --dry-run or --store-text")
        started = time.perf_counter()

        def phase(message: str) -> None:
            click.echo(f"bulk [{time.perf_counter() - started:6.1f} s]: {message}", err=True)

        summary = bulk_ingest_records(file, settings, on_phase=phase)
        _report(summary, False, as_json)
        if summary.rejected:
            ctx.exit(EXIT_REJECTED)
        return
    graph = None if dry_run else Graph.connect(settings)
    try:
        with rows_progress(f"{'checking' if dry_run else 'loading'} {file.name}") as bar:
            summary = ingest_records(
                file,
                graph,
                batch_size=batch_size or settings.batch_size,
                workers=settings.write_workers,
                store_text=store_text,
                on_progress=lambda done: bar.update(bar.task_ids[0], completed=done),
            )
    finally:
        if graph is not None:
            graph.close()
    _report(summary, dry_run, as_json)
    if summary.rejected:
        ctx.exit(EXIT_REJECTED)


def _report(summary: IngestSummary, dry_run: bool, as_json: bool) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "file": str(summary.path),
                    "read": summary.read,
                    "valid": summary.valid,
                    "loaded": summary.loaded,
                    "rejected": summary.rejected,
                    "relationships": summary.relationships,
                    "seconds": round(summary.seconds, 3),
                    "quarantine": str(summary.quarantine) if summary.quarantine else None,
                }
            )
        )
        return
    for message in summary.first_rejections:
        click.echo(f"rejected {message}", err=True)
    if summary.rejected > len(summary.first_rejections):
        click.echo(f"... and {summary.rejected - len(summary.first_rejections)} more", err=True)
    rate = summary.loaded / summary.seconds if summary.seconds else 0.0
    verb = "valid (dry run, nothing written)" if dry_run else "loaded"
    count = summary.valid if dry_run else summary.loaded
    line = f"{summary.path}: {summary.read} lines read, {count} {verb}, {summary.rejected} rejected"
    if not dry_run:
        line += f", {summary.relationships} relationships, {rate:,.0f} conversations/s"
    click.echo(line)
    if summary.quarantine:
        click.echo(f"rejected lines are in {summary.quarantine}")


@ingest_group.command("taxonomy")
@click.option(
    "--tree",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="values_tree.csv in the released format.",
)
@click.option(
    "--frequencies",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="values_frequencies.csv in the released format.",
)
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing to Neo4j.")
@click.pass_context
def taxonomy(ctx: click.Context, tree: Path, frequencies: Path | None, dry_run: bool) -> None:
    """Load the value taxonomy released with "Values in the Wild" (or one in its format)."""
    settings = load_settings()
    for path in (tree, frequencies):
        if path is not None:
            open_input(path).close()
    graph = None if dry_run else Graph.connect(settings)
    try:
        summary = ingest_taxonomy(tree, frequencies, graph)
    finally:
        if graph is not None:
            graph.close()
    for message in summary.first_rejections:
        click.echo(f"rejected {message}", err=True)
    click.echo(
        f"taxonomy: {summary.clusters} clusters, {summary.values} values, "
        f"{summary.frequencies} frequencies{' (dry run)' if dry_run else ''}, "
        f"{summary.rejected} rejected"
    )
    for path in summary.quarantine:
        click.echo(f"rejected rows are in {path}")
    if summary.rejected:
        ctx.exit(EXIT_REJECTED)


def register(cli: click.Group) -> None:
    cli.add_command(ingest_group)
