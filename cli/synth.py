"""``valuegraph synth``: a paper-scale synthetic corpus with planted truth."""

from __future__ import annotations

from pathlib import Path

import click

from valuegraph.ingest.synth import write_corpus


@click.command("synth")
@click.option(
    "--conversations",
    "-n",
    type=click.IntRange(1, 50_000_000),
    default=308_210,
    show_default=True,
    help="How many conversations (the paper's sample: 308,210).",
)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out/corpus"),
    show_default=True,
)
def synth(conversations: int, seed: int, out_dir: Path) -> None:
    """Write records.jsonl, values_tree.csv, values_frequencies.csv and planted.json."""
    summary = write_corpus(out_dir, conversations, seed)
    click.echo(
        f"wrote {summary.conversations:,} conversations ({summary.taxonomy_values:,} values, "
        f"{summary.distinct_tasks:,} tasks, {summary.distinct_human_values:,} human values) "
        f"to {out_dir}"
    )


def register(cli: click.Group) -> None:
    cli.add_command(synth)
