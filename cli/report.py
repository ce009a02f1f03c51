"""``valuegraph report -o report.html``: the paper's figures from your graph, in one HTML file."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from valuegraph.cli.progress import stderr
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.report.build import FIGURES, build_report, render_report
from valuegraph.settings import load_settings


@click.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("report.html"),
    show_default=True,
    help="Where to write the HTML file ('-' for stdout).",
)
@click.option(
    "--top",
    type=click.IntRange(3, 100),
    default=20,
    show_default=True,
    help="How many values the bar charts and tables show.",
)
def report(output: Path, top: int) -> None:
    """Write one self-contained HTML report (no network, no scripts) with the study's figures.

    Every number comes from the analyses (`valuegraph analyze ...`) on the graph, with the
    privacy threshold applied; each figure says how to reproduce it.
    """
    settings = load_settings()
    to_stdout = str(output) == "-"
    if not to_stdout and output.parent and not output.parent.exists():
        raise InputError(f"{output}: the folder {output.parent} does not exist")
    started = time.monotonic()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Graph.connect(settings) as graph,
        Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as bar,
    ):
        task = bar.add_task("building the report", total=len(FIGURES))

        def advance(figure_title: str) -> None:
            bar.update(task, advance=1, description=f"done: {figure_title}")

        page = build_report(graph, settings, top=top, on_figure=advance)
    html = render_report(page)
    if to_stdout:
        click.echo(html, nl=False)
        return
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror})") from None
    seconds = time.monotonic() - started
    click.echo(
        f"wrote {output} ({len(page.figures)} figures, {len(html) / 1024:,.0f} KiB, "
        f"{seconds:.1f} s)",
        err=True,
    )
    click.echo(str(output.resolve()))


def register(cli: click.Group) -> None:
    cli.add_command(report)
