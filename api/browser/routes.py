"""The Neo4j Browser guide and style, served for the Browser to fetch.

``GET /browser/guide.md`` (slides for ``:guide <url>``) and ``GET /browser/style.grass``
(for ``:style <url>``). Neo4j Browser fetches both from its own page, so the answers carry
CORS headers for the Browser's origin: the local server's HTTP address (127.0.0.1 or
localhost on ``VALUEGRAPH_HTTP_PORT``) and any origin in ``VALUEGRAPH_API_CORS_ORIGINS``.
The guide fetch sends ``pragma`` and ``cache-control`` headers, so preflights are answered too.

Neither file holds data; they must be reachable without the API token, because the Browser
cannot send one (see the report for the one-line exemption in ``api/app.py``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Blueprint, Response, current_app, request

from valuegraph.settings import Settings

browser = Blueprint("browser", __name__, url_prefix="/browser")

GUIDE_FILE = "guide.md"
STYLE_FILE = "style.grass"
_TYPES = {GUIDE_FILE: "text/markdown; charset=utf-8", STYLE_FILE: "text/plain; charset=utf-8"}


@cache
def asset(name: str) -> str:
    """The text of ``api/browser/<name>`` (package data)."""
    return resources.files("valuegraph.api.browser").joinpath(name).read_text(encoding="utf-8")


def browser_origins(settings: Settings) -> frozenset[str]:
    """Origins allowed to fetch the guide and style: the local Browser and configured ones."""
    local = {f"http://{host}:{settings.http_port}" for host in ("127.0.0.1", "localhost")}
    configured = {o.strip().rstrip("/") for o in settings.api_cors_origins.split(",") if o.strip()}
    return frozenset(local | configured)


def _settings() -> Settings:
    provider = current_app.extensions.get("valuegraph")
    settings = getattr(provider, "settings", None)
    return settings if isinstance(settings, Settings) else Settings()


@browser.after_request
def allow_the_browser(response: Response) -> Response:
    origin = request.headers.get("Origin", "").rstrip("/")
    origins = browser_origins(_settings())
    if origin and ("*" in origins or origin in origins):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "pragma, cache-control"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers.add("Vary", "Origin")
    return response


@browser.route("/<any(guide.md, style.grass):name>", methods=["GET", "OPTIONS"])
def browser_asset(name: str) -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    response = Response(asset(name), mimetype=_TYPES[name].split(";")[0])
    response.headers["Content-Type"] = _TYPES[name]
    response.headers["Cache-Control"] = "no-cache"
    return response
