"""The ingest, values and taxonomy commands through click's test runner, in-process."""

from __future__ import annotations

import click
from click.testing import CliRunner, Result

from valuegraph.cli.conversations import register


def cli() -> click.Group:
    group = click.Group("valuegraph")
    group.add_command(click.Group("ingest"))  # as cli/main.py has it before register() runs
    register(group)
    return group


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli(), list(args), catch_exceptions=True)
