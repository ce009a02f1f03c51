"""``valuegraph export``: a subgraph to GraphML, JSON, neo4j-admin CSV or a Cypher script."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

import click

from valuegraph.cli.progress import rows_progress
from valuegraph.graph.connection import Graph
from valuegraph.graph.export import (
    AROUND_KINDS,
    ExportFormat,
    ExportRequest,
    ExportSummary,
    JsonStyle,
    PreparedExport,
    prepare_export,
    selection_from_options,
)
from valuegraph.graph.export.pipeline import resolve_format
from valuegraph.settings import load_settings


def _write(prepared: PreparedExport, output: str) -> None:
    if output == "-":
        for piece in prepared.chunks():
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
        return
    prepared.write_to(Path(output))


def _report(summary: ExportSummary, output: str, k: int, as_json: bool) -> None:
    if as_json:
        line = json.dumps({**asdict(summary), "output": output, "min_conversations": k})
        click.echo(line, err=output == "-")
        return
    where = "stdout" if output == "-" else output
    click.echo(
        f"exported {summary.nodes:,} nodes and {summary.relationships:,} relationships "
        f"({summary.description}) to {where} in {summary.seconds:.1f} s",
        err=True,
    )
    left_out = []
    if summary.excluded_conversations:
        left_out.append(
            f"{summary.excluded_conversations:,} conversations (add --include-conversations)"
        )
    if summary.suppressed_nodes:
        left_out.append(
            f"{summary.suppressed_nodes:,} nodes resting on fewer than k={k} conversations"
        )
    if summary.suppressed_pairs:
        left_out.append(f"{summary.suppressed_pairs:,} pairs under k={k}")
    if summary.excluded_relationships:
        left_out.append(f"{summary.excluded_relationships:,} relationships touching those")
    if left_out:
        click.echo("left out for privacy: " + "; ".join(left_out), err=True)


@click.command("export")
@click.option(
    "--around",
    metavar="KIND:NAME",
    help=f"Neighbourhood of one item; KIND is {', '.join(AROUND_KINDS)}, "
    'e.g. value:"healthy boundaries".',
)
@click.option(
    "--depth", type=int, default=2, show_default=True, help="Rounds of expansion for --around."
)
@click.option(
    "--top-k",
    type=int,
    default=10,
    show_default=True,
    help="Strongest association partners kept per node for --around.",
)
@click.option("--cluster", metavar="ID", help="A taxonomy cluster and everything beneath it.")
@click.option(
    "--associations",
    is_flag=True,
    help="The materialised associations (valuegraph analyze materialize).",
)
@click.option(
    "--min-residual",
    type=float,
    default=0.0,
    show_default=True,
    help="With --associations: keep adjusted residuals at or above this.",
)
@click.option(
    "--cypher", metavar="QUERY", help="A read-only query returning nodes, relationships or paths."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ExportFormat]),
    help="Default: from the -o name (.graphml .json .zip .cypher; a folder is CSV).",
)
@click.option(
    "--json-style",
    type=click.Choice([s.value for s in JsonStyle]),
    default=JsonStyle.CYTOSCAPE.value,
    show_default=True,
)
@click.option(
    "--include-conversations",
    is_flag=True,
    help="Also export Conversation nodes (never their text).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE|-",
    help="Where to write; - is stdout. CSV goes to a folder, or a .zip.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def export(
    around: str | None,
    depth: int,
    top_k: int,
    cluster: str | None,
    associations: bool,
    min_residual: float,
    cypher: str | None,
    fmt: str | None,
    json_style: str,
    include_conversations: bool,
    output: str,
    as_json: bool,
) -> None:
    """Export a subgraph for Gephi, Cytoscape.js, networkx or another Neo4j.

    Exactly one selection: --around, --cluster, --associations or --cypher. The export
    streams: memory stays flat however large the subgraph.
    """
    selection = selection_from_options(
        around,
        cluster,
        associations,
        cypher,
        depth=depth,
        top_k=top_k,
        min_residual=min_residual,
    )
    export_format = resolve_format(output, fmt)
    settings = load_settings()
    # The server's hints (unknown labels in a user's query ...) are not the user's business here.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    request = ExportRequest(selection, export_format, JsonStyle(json_style), include_conversations)
    with Graph.connect(settings) as graph, rows_progress("exporting") as bar:
        task = bar.task_ids[0]
        prepared = prepare_export(
            graph,
            request,
            min_conversations=settings.min_conversations,
            on_progress=lambda done: bar.update(task, completed=done),
        )
        bar.update(task, total=prepared.total)
        _write(prepared, output)
    _report(prepared.summary(), output, settings.min_conversations, as_json)


def register(cli: click.Group) -> None:
    cli.add_command(export)
