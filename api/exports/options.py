"""The options of ``GET /export``, those of ``valuegraph export``: query parameters to a request.

One selection (``around`` with ``depth`` and ``top_k``; ``cluster``; ``associations=true`` with
``min_residual``; ``cypher``), then ``format`` (graphml, json, csv, cypher; default graphml),
``json_style`` and ``include_conversations``. A bad one is an InputError naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from valuegraph.errors import InputError
from valuegraph.graph.export import ExportFormat, ExportRequest, JsonStyle
from valuegraph.graph.export.selection import selection_from_options

EXPORT_PATH = "/export"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _flag(args: Mapping[str, str], name: str) -> bool:
    raw = args.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InputError(f"{name}={raw!r}: expected true or false")


def _number(args: Mapping[str, str], name: str, kind: type[int] | type[float], default: Any) -> Any:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r}: expected a number") from None


def _choice(args: Mapping[str, str], name: str, choices: list[str], default: str) -> str:
    raw = args.get(name, default).strip().lower() or default
    if raw not in choices:
        raise InputError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def request_from_args(args: Mapping[str, str]) -> ExportRequest:
    """An :class:`ExportRequest` from query parameters, or an InputError naming the parameter."""
    selection = selection_from_options(
        args.get("around"),
        args.get("cluster"),
        _flag(args, "associations"),
        args.get("cypher"),
        depth=_number(args, "depth", int, 2),
        top_k=_number(args, "top_k", int, 10),
        min_residual=_number(args, "min_residual", float, 0.0),
    )
    fmt = _choice(args, "format", [f.value for f in ExportFormat], ExportFormat.GRAPHML.value)
    style = _choice(args, "json_style", [s.value for s in JsonStyle], JsonStyle.CYTOSCAPE.value)
    return ExportRequest(
        selection, ExportFormat(fmt), JsonStyle(style), _flag(args, "include_conversations")
    )


def export_url(base: str = "", **options: Any) -> str:
    """``/export?...`` for the given options (None and False left out), after ``base``."""
    query = {
        key: ("true" if value is True else value)
        for key, value in options.items()
        if value is not None and value is not False
    }
    return f"{base.rstrip('/')}{EXPORT_PATH}?{urlencode(query)}"
