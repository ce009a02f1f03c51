"""The gates every request passes before any GraphQL work, and what follows every answer.

Before: the size check and, when ``VALUEGRAPH_API_TOKEN`` is set, the bearer-token check
(constant-time, ``api/auth.py``). Exempt from the token are only the public prefixes the app
names (files that carry no data, which a browser fetches without being able to add a header),
the GraphiQL shell, and CORS preflights (browsers never send credentials on those). After: CORS
headers for the configured origins, and HTTP errors as JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from valuegraph.api.auth import bearer_token_matches
from valuegraph.api.paths import GRAPHQL_PATH, HEALTH_PATH
from valuegraph.api.responses import error_response
from valuegraph.api.settings import ApiLimits
from valuegraph.settings import Settings

log = logging.getLogger("valuegraph.api")


def install_gates(
    app: Flask, settings: Settings, limits: ApiLimits, public_prefixes: Sequence[str]
) -> None:
    """The size and token checks before every request, CORS headers and JSON errors after."""
    token = settings.api_token.get_secret_value() if settings.api_token else None
    origins = _cors_origins(settings.api_cors_origins)

    @app.before_request
    def gate() -> Response | None:
        if request.method == "OPTIONS":
            # A CORS preflight never carries credentials. Ours are answered here; a blueprint's
            # own OPTIONS handler (if any) answers its routes.
            return Response(status=204) if request.path in (GRAPHQL_PATH, HEALTH_PATH) else None
        too_big = _oversized(limits)
        if too_big is not None:
            return too_big
        if token is None or _exempt_from_token(public_prefixes):
            return None
        if bearer_token_matches(request.headers.get("Authorization"), token):
            return None
        response = error_response("missing or wrong bearer token", "UNAUTHENTICATED", 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="valuegraph"'
        return response

    @app.after_request
    def decorate(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and ("*" in origins or origin in origins):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "600"
            response.headers.add("Vary", "Origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        message = error.description or error.name
        if code == 413:
            message = f"the request is larger than the limit of {limits.max_request_bytes} bytes"
        return error_response(message, error.name.upper().replace(" ", "_"), code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
        return error_response("internal error; the server log has the details", "INTERNAL", 500)


def _oversized(limits: ApiLimits) -> Response | None:
    """413 for a body or query string over the limit, before anything reads or parses it."""
    length = request.content_length or 0
    query_string = len(request.query_string)
    if max(length, query_string) <= limits.max_request_bytes:
        return None
    size = max(length, query_string)
    return error_response(
        f"the request is {size} bytes; the limit is {limits.max_request_bytes}",
        "REQUEST_TOO_LARGE",
        413,
    )


def _exempt_from_token(public_prefixes: Sequence[str]) -> bool:
    """The GraphiQL shell and its files: no data in them, and a browser cannot send a header."""
    if any(request.path.startswith(prefix) for prefix in public_prefixes):
        return True
    wants_html = "text/html" in request.headers.get("Accept", "")
    return request.path == GRAPHQL_PATH and request.method == "GET" and wants_html


def _cors_origins(configured: str) -> frozenset[str]:
    return frozenset(
        origin.strip().rstrip("/") for origin in configured.split(",") if origin.strip()
    )
