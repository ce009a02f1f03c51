"""Keyset cursors, opaque to clients, for every list of the schema.

A cursor holds the sort key of the last row of a page (frequency and key, or key alone), so the
next page is ``WHERE (frequency, key) < (last)`` and costs the same at page 1 and page 1,000; a
row added meanwhile neither repeats nor hides another. Clients see base64 of a small JSON list
that also names the list and order it belongs to, so a cursor from another list is refused with
a clear message instead of silently misused.
"""

from __future__ import annotations

import base64
import binascii
import json

from valuegraph.api.rejections import RequestRejected
from valuegraph.queries.catalog import Keyset, Order

CURSOR_VERSION = 1

# The lists' names, as cursors carry them.
VALUES_CURSOR = "values"
TASKS_CURSOR = "tasks"
CONVERSATIONS_CURSOR = "conversations"
BY_ID = "ID"  # conversation lists have one order: by id


def encode_cursor(kind: str, order: Order | str, keyset: Keyset) -> str:
    raw = json.dumps([CURSOR_VERSION, kind, str(order), keyset.frequency, keyset.key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str, order: Order | str) -> Keyset | None:
    """The keyset in ``cursor``, checked to belong to a ``kind`` list in ``order``."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, cursor_kind, cursor_order, frequency, key = json.loads(
            base64.urlsafe_b64decode(padded.encode())
        )
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise RequestRejected(
            "after: not a cursor this API issued (pass a page's endCursor)", "BAD_CURSOR"
        ) from None
    valid = (
        version == CURSOR_VERSION
        and isinstance(key, str)
        and (frequency is None or isinstance(frequency, int))
    )
    if not valid:
        raise RequestRejected("after: not a cursor this API issued", "BAD_CURSOR")
    if cursor_kind != kind or cursor_order != str(order):
        raise RequestRejected(
            f"after: this cursor belongs to a {cursor_kind} list ordered by {cursor_order}, "
            f"not a {kind} list ordered by {order}",
            "BAD_CURSOR",
        )
    return Keyset(key=key, frequency=frequency)


def encode_conversation_cursor(conversation_id: str) -> str:
    return encode_cursor(CONVERSATIONS_CURSOR, BY_ID, Keyset(key=conversation_id))


def decode_conversation_cursor(after: str | None) -> str | None:
    """A conversation cursor's id (conversation lists are ordered by id alone)."""
    keyset = decode_cursor(after, CONVERSATIONS_CURSOR, BY_ID)
    return keyset.key if keyset else None
