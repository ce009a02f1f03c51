"""``GET /report``: the HTML report of ``valuegraph report``, served by the API.

The page is built from the app's graph with the app's privacy threshold. Building it at paper
scale takes tens of seconds, so the last page is kept and served again while the graph has not
changed: the key is the graph's fingerprint (``queries.fingerprint``, constant-time counts in
Neo4j), k and ``top``. The route sits behind the app's token and size checks like any other.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request

from valuegraph.errors import GraphUnavailable, InputError, QueryError
from valuegraph.graph.connection import Graph
from valuegraph.queries.session import AnalysisSession
from valuegraph.report.build import build_report, check_top, render_report
from valuegraph.report.page import CONTENT_SECURITY_POLICY
from valuegraph.settings import Settings

report_blueprint = Blueprint("report", __name__)

DEFAULT_TOP = 20
# Even an unchanged graph gets a fresh page now and then (a renamed value keeps the counts).
MAX_AGE_SECONDS = 600.0


@dataclass(frozen=True)
class _Cached:
    key: tuple[Hashable, ...]
    html: str
    made_at: float


class ReportCache:
    """The last page an app built; one build at a time, so a burst of requests builds once.

    Each request starts a session for the build it may need and asks it for the graph's
    fingerprint (the one the analyses' memos use); the page is rebuilt when that, k or ``top``
    changed, with that session, so the page's numbers belong to the fingerprint it is kept under.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: _Cached | None = None

    def page(self, graph: Graph, settings: Settings, top: int) -> str:
        session = AnalysisSession(graph, settings.min_conversations)
        key = (session.fingerprint(), settings.min_conversations, top)
        with self._lock:
            last = self._last
            if last and last.key == key and time.monotonic() - last.made_at < MAX_AGE_SECONDS:
                return last.html
            html = render_report(build_report(graph, settings, top=top, session=session))
            self._last = _Cached(key, html, time.monotonic())
            return html


@report_blueprint.get("/report")
def report() -> Response:
    provider = current_app.extensions["valuegraph"]
    cache = current_app.extensions.setdefault("valuegraph-report", ReportCache())
    try:
        top = _top_argument()
        html = cache.page(provider.get(), provider.settings, top)
    except InputError as exc:
        return _error(str(exc), "BAD_REQUEST", 400)
    except GraphUnavailable as exc:
        return _error(str(exc), "DATABASE_UNAVAILABLE", 503)
    except QueryError as exc:
        timed_out = "timed out" in str(exc)
        message = "a query of the report timed out" if timed_out else "a query of the report failed"
        return _error(message, "QUERY_FAILED", 504 if timed_out else 500)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def _top_argument() -> int:
    raw = request.args.get("top", str(DEFAULT_TOP))
    try:
        top = int(raw)
    except ValueError:
        raise InputError(f"top must be an integer from 3 to 100, got {raw[:40]!r}") from None
    return check_top(top)


def _error(message: str, code: str, status: int) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(json.dumps(body), status=status, mimetype="application/json")
