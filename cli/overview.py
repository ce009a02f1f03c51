"""``valuegraph overview``: what is in the graph, and how to look at it in Neo4j Browser."""

from __future__ import annotations

import click

from valuegraph.graph.connection import Graph, resolve_password
from valuegraph.graph.server import LocalServer
from valuegraph.queries.catalog import graph_counts
from valuegraph.settings import load_settings

# Three queries to paste into Neo4j Browser; each runs in well under a second at paper scale.
EXAMPLES = (
    (
        "The ten values the AI expresses most",
        "MATCH (v:AIValue)<-[e:AI_EXPRESSED]-()\n"
        "RETURN v.name AS value, count(e) AS conversations\n"
        "ORDER BY conversations DESC LIMIT 10",
    ),
    (
        "Where 'healthy boundaries' comes up, as a graph",
        "MATCH (v:AIValue {key: 'healthy boundaries'})<-[:AI_EXPRESSED]-(c)-[:ABOUT]->(t:Task)\n"
        "WITH v, t, count(c) AS n ORDER BY n DESC LIMIT 5\n"
        "MATCH p = (v)<-[:AI_EXPRESSED]-(:Conversation)-[:ABOUT]->(t)\n"
        "RETURN p LIMIT 25",
    ),
    (
        "The taxonomy path of one value up to its top category",
        "MATCH p = (:AIValue {key: 'harm prevention'})-[:IN_CLUSTER*]->(:Cluster {level: 3})\n"
        "RETURN p",
    ),
)


@click.command("overview")
@click.option("--show-password", is_flag=True, help="Print the local server's password too.")
def overview(show_password: bool) -> None:
    """Print the graph's counts, the Neo4j Browser address and three queries to paste."""
    settings = load_settings()
    with Graph.connect(settings) as graph:
        counts = graph_counts(graph)
    click.echo("The graph holds:")
    for name, value in counts.items():
        click.echo(f"  {name.replace('_', ' '):<14} {value:>12,}")
    if settings.uses_local_server:
        click.echo(f"\nNeo4j Browser: {LocalServer(settings).browser_url}")
        click.echo(f"  connect to {settings.resolved_uri} as {settings.neo4j_user}")
        if show_password:
            click.echo(f"  password: {resolve_password(settings)}")
        else:
            click.echo(f"  password: in {LocalServer(settings).password_file} (or NEO4J_PASSWORD)")
    click.echo("\nThree queries to paste into the Browser:")
    for title, query in EXAMPLES:
        click.echo(f"\n// {title}\n{query}")


def register(cli: click.Group) -> None:
    cli.add_command(overview)
