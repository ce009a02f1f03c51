"""``valuegraph neo4j start|stop|status`` and ``valuegraph init``."""

from __future__ import annotations

import click

from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.server import NEO4J_VERSION, LocalServer, server_for
from valuegraph.settings import load_settings


@click.group("neo4j")
def neo4j_group() -> None:
    """Run the local Neo4j server (assembled from Maven Central, no Docker)."""


@neo4j_group.command("start")
@click.option("--fresh", is_flag=True, help="Wipe the local server's data and logs first.")
def start(fresh: bool) -> None:
    """Start Neo4j and return once Bolt answers; does nothing if it is running."""
    settings = load_settings()
    server = server_for(settings)
    if server is None:
        Graph.connect(settings).close()
        click.echo(f"NEO4J_URI points at {settings.resolved_uri}; it answers, nothing to start.")
        return
    if isinstance(server, LocalServer) and not fresh and server.pid() is None:
        click.echo(f"Starting Neo4j {NEO4J_VERSION} (first run fetches it from Maven Central) ...")
    started = server.start(fresh=fresh)
    status = server.status()
    click.echo(("Started" if started else "Already running") + f": {status.bolt_uri}")
    click.echo(f"Neo4j Browser: {status.browser_url}")


@neo4j_group.command("stop")
def stop() -> None:
    """Stop the local Neo4j server."""
    server = server_for(load_settings())
    if server is None:
        click.echo("NEO4J_URI points at an external server; valuegraph does not stop it.")
        return
    click.echo("Stopped." if server.stop() else "Not running.")


@neo4j_group.command("status")
@click.pass_context
def status(ctx: click.Context) -> None:
    """Say whether Neo4j runs and where; exit 0 if it answers, 1 if not."""
    settings = load_settings()
    server = server_for(settings)
    if server is None:
        Graph.connect(settings).close()
        click.echo(f"external Neo4j at {settings.resolved_uri}: answers")
        return
    state = server.status()
    click.echo(f"{'running' if state.running else 'stopped'}: {state.bolt_uri} (home {state.home})")
    if state.running:
        click.echo(f"Neo4j Browser: {state.browser_url}")
    else:
        ctx.exit(1)


@click.command("init")
def init() -> None:
    """Create the schema's constraints and indexes (idempotent)."""
    with Graph.connect(load_settings()) as graph:
        apply_schema(graph)
    click.echo("Schema is in place.")


def register(cli: click.Group) -> None:
    cli.add_command(neo4j_group)
    cli.add_command(init)
