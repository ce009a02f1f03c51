"""The JSON answers the app gives outside GraphQL execution: ``{"errors": [...]}`` and others."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response


def error_response(message: str, code: str, status: int) -> Response:
    return json_response({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def json_response(body: Mapping[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
