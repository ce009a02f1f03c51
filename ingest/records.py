"""Moved to :mod:`valuegraph.domain`; this re-export goes once every import names the domain."""

from valuegraph.domain import (
    MAX_TASK,
    MAX_VALUE_NAME,
    RESPONSE_TYPES,
    AIValueMention,
    ExtractedRecord,
    ResponseType,
    ValueName,
)

__all__ = [
    "MAX_TASK",
    "MAX_VALUE_NAME",
    "RESPONSE_TYPES",
    "AIValueMention",
    "ExtractedRecord",
    "ResponseType",
    "ValueName",
]
