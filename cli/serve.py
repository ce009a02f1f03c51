"""``valuegraph serve``: the GraphQL API under waitress, a production WSGI server with threads."""

from __future__ import annotations

import logging

import click

from valuegraph.api.app import create_app
from valuegraph.api.settings import api_limits
from valuegraph.settings import load_settings

EXAMPLE_QUERY = """{
  values(first: 5) {
    totalCount
    edges { node { name frequency cluster { name }
      tasks(top: 3) { rows { partner observed adjustedResidual } } } }
  }
}"""


@click.command("serve")
@click.option(
    "--host", default=None, help="Interface to listen on [VALUEGRAPH_API_HOST, 127.0.0.1]."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port to listen on [VALUEGRAPH_API_PORT, 8000].",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker threads (default: VALUEGRAPH_API_THREADS, else 16).",
)
def serve(host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the GraphQL API (and GraphiQL) at http://HOST:PORT/graphql."""
    import waitress  # type: ignore[import-untyped, unused-ignore]

    settings = load_settings()
    host = host if host is not None else settings.api_host
    port = port if port is not None else settings.api_port
    limits = api_limits(settings)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # waitress warns on every queued request once all threads are busy; one line per request
    # under a burst buries everything else (overload shows in the latencies and the bench).
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(settings, limits)
    server = waitress.create_server(
        app,
        host=host,
        port=port,
        threads=threads or limits.threads,
        max_request_body_size=limits.max_request_bytes,
        ident="valuegraph",
        clear_untrusted_proxy_headers=True,
    )
    url = f"http://{_display_host(host)}:{server.effective_port}/graphql"
    click.echo(f"valuegraph API on {url} (GraphiQL: open it in a browser)", err=True)
    if settings.api_token is not None:
        click.echo("Every request needs: Authorization: Bearer $VALUEGRAPH_API_TOKEN", err=True)
    click.echo(f"Try:\n{EXAMPLE_QUERY}", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["valuegraph"].close()


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - only how the URL is shown
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def register(cli: click.Group) -> None:
    cli.add_command(serve)
