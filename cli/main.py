"""The ``valuegraph`` command line.

Each command group lives in its own module of ``cli/`` and adds
itself through ``register(cli)``. A user mistake or an unreachable server ends
in one clear line on stderr and a meaningful exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from valuegraph import __version__
from valuegraph.errors import ValuegraphError

# The command groups, in the order `valuegraph --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "valuegraph.cli.server",
    "valuegraph.cli.ingest",
    "valuegraph.cli.conversations",
    "valuegraph.cli.synth",
    "valuegraph.cli.overview",
    "valuegraph.cli.serve",
    "valuegraph.cli.export",
    "valuegraph.cli.analyze",
    "valuegraph.cli.report",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="valuegraph")
def cli() -> None:
    """valuegraph: the values AI assistants express, as a Neo4j graph."""


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        # Without standalone mode click returns a command's exit code instead of exiting.
        code = cli.main(args=argv, prog_name="valuegraph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ValuegraphError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
