"""Progress bars and summaries shared by the commands (rich, on stderr, so stdout stays clean)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

stderr = Console(stderr=True)


@contextmanager
def rows_progress(description: str, total: int | None = None) -> Iterator[Progress]:
    """A progress bar that counts rows and shows the rate; silent when stderr is not a terminal."""
    columns = [
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.speed:>8.0f} rows/s" if total is None else ""),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        bar.add_task(description, total=total)
        yield bar
