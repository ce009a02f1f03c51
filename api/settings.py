"""The API's settings: its limits and tuning, taken from the one :class:`Settings` object.

``Settings`` reads them from ``VALUEGRAPH_API_*`` variables (and ``.env``) with the rest of the
configuration; :func:`api_limits` hands the app the part it uses, by short names. An
``ApiLimits`` made directly (a test's tighter limit) starts from the same defaults, which
``Settings`` holds, so each default is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from valuegraph.settings import Settings

SETTINGS_PREFIX = "api_"


def _default(name: str) -> Any:
    return Settings.model_fields[SETTINGS_PREFIX + name].default


@dataclass(frozen=True)
class ApiLimits:
    """What the guards allow and how the server runs; each is ``Settings.api_<name>``.

    Frozen and hashable: the parse-and-validate cache is keyed on it.
    """

    max_depth: int = _default("max_depth")
    max_cost: int = _default("max_cost")
    max_page_size: int = _default("max_page_size")
    max_request_bytes: int = _default("max_request_bytes")
    introspection: bool = _default("introspection")
    query_timeout: float = _default("query_timeout")
    cache_recheck_seconds: float = _default("cache_recheck_seconds")
    cache_max_age_seconds: float = _default("cache_max_age_seconds")
    threads: int = _default("threads")
    response_cache_entries: int = _default("response_cache_entries")


def api_limits(settings: Settings) -> ApiLimits:
    """The API's part of ``settings``."""
    return ApiLimits(
        **{item.name: getattr(settings, SETTINGS_PREFIX + item.name) for item in fields(ApiLimits)}
    )
