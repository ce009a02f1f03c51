"""The report's command line without a graph: a missing output folder is exit code 2, and every
command the report prints to reproduce a figure parses."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest

from valuegraph.cli.main import cli, main
from valuegraph.report.page import Reproduce
from valuegraph.report.reproduce import ALL


def test_the_command_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "-o", str(tmp_path / "nowhere" / "report.html")])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("way", [w for w in ALL if w.cli], ids=lambda w: w.cli)
def test_every_command_to_reproduce_a_figure_parses(way: Reproduce) -> None:
    assert way.cli is not None
    words = shlex.split(way.cli)
    assert words.pop(0) == "valuegraph"
    command: click.Command = cli
    while isinstance(command, click.Group):
        command = command.commands[words.pop(0)]
    command.make_context(command.name or "", words)  # raises on an unknown option or value
