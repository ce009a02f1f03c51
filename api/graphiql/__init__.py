"""GraphiQL, served offline from pinned npm packages: never from a CDN.

``package.json`` and ``package-lock.json`` here pin exact versions of graphiql 3 (the last major
with UMD builds) and React 18; ``npm ci --prefix api/graphiql`` installs them into
``api/graphiql/node_modules`` (git-ignored). ``assets.toml`` lists the files of theirs the page
loads; a wheel carries just those, at the same place under node_modules (setup.py copies them),
so a checkout and an installed wheel serve them alike. The page loads only files from this
server, and its Content-Security-Policy says so, so a browser with no network shows the same IDE.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, abort, render_template_string, send_file

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
INSTALL_COMMAND = "npm ci --prefix api/graphiql --ignore-scripts --no-audit --no-fund"
ASSETS_URL = "/graphiql"

# The only files the assets route serves: public name -> path (under node_modules, or here).
_MANIFEST = tomllib.loads((HERE / "assets.toml").read_text(encoding="utf-8"))
VENDORED: dict[str, Path] = {
    name: NODE_MODULES / path for name, path in _MANIFEST["served"].items()
}
OWN: dict[str, Path] = {"boot.js": HERE / "boot.js", "page.css": HERE / "page.css"}
ASSET_CACHE_SECONDS = 24 * 3600

# Everything from this origin only; GraphiQL's styles are partly inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

DEFAULT_QUERY = """# valuegraph: the values AI assistants express, as a graph.
# Press the run button (or Ctrl-Enter). Documentation is in the book icon, top left.
{
  stats { conversations aiValues humanValues tasks }
  values(first: 5, orderBy: FREQUENCY) {
    totalCount
    edges { node { name frequency cluster { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

assets = Blueprint("graphiql_assets", __name__)


def assets_installed() -> bool:
    return all(path.is_file() for path in VENDORED.values())


@assets.get(f"{ASSETS_URL}/<name>")
def asset(name: str) -> Response:
    path = VENDORED.get(name) or OWN.get(name)
    if path is None:
        abort(404)
    if not path.is_file():
        abort(503, description=f"GraphiQL is not installed: run {INSTALL_COMMAND}")
    response = send_file(path, max_age=ASSET_CACHE_SECONDS)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def graphiql_page(endpoint: str, query: str | None, variables: str | None, auth: bool) -> Response:
    """The GraphiQL page, or a one-line explanation if its packages are not installed."""
    if not assets_installed():
        return Response(
            f"GraphiQL is not installed. Run: {INSTALL_COMMAND}\n"
            "The API itself works: POST GraphQL queries to this URL.\n",
            status=503,
            mimetype="text/plain",
        )
    template = resources.files(__name__).joinpath("index.html").read_text(encoding="utf-8")
    html = render_template_string(
        template,
        assets=ASSETS_URL,
        endpoint=endpoint,
        default_query=DEFAULT_QUERY,
        query=query or "",
        variables=variables or "",
        auth="bearer" if auth else "",
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
