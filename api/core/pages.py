"""The pages that more than one domain returns: values lists and conversation lists.

``values_page`` answers the root ``values`` field and a cluster's ``values``;
``conversation_page`` a value's and a task's ``conversations``.
"""

from __future__ import annotations

from collections.abc import Callable

from valuegraph.api.core.arguments import page_size
from valuegraph.api.core.connections import ConnectionPage, Edge, once
from valuegraph.api.core.context import RequestContext
from valuegraph.api.core.cursors import (
    VALUES_CURSOR,
    decode_cursor,
    encode_conversation_cursor,
    encode_cursor,
)
from valuegraph.api.core.entries import ValueEntry
from valuegraph.queries import catalog
from valuegraph.queries.catalog import IdPage, Keyset, Order, ValueFilter


def values_page(
    context: RequestContext,
    where: ValueFilter,
    order: Order,
    first: int | None,
    after: str | None,
) -> ConnectionPage:
    """One page of a values list, with its count deferred until a client asks for it."""
    size = page_size("first", first, context)
    keyset = decode_cursor(after, VALUES_CURSOR, order)
    context.analyses.check_model(context.graph, where.model)
    page = catalog.value_page(context.graph, where, order, size, keyset, context.k)
    edges = tuple(
        Edge(
            encode_cursor(VALUES_CURSOR, order, Keyset(item.key, item.frequency)),
            ValueEntry(
                item.key, item.name, where.role, item.frequency, where.model, where.response_type
            ),
        )
        for item in page.items
    )

    def totals() -> tuple[int, int]:
        counted = catalog.value_totals(context.graph, where, context.k)
        return counted.total, counted.suppressed

    return ConnectionPage(edges, page.has_next, keyset is not None, once(totals))


def conversation_page(ids: IdPage, has_previous: bool, total: Callable[[], int]) -> ConnectionPage:
    """A page of conversation ids (nodes load in one batch when a client selects them)."""
    edges = tuple(Edge(encode_conversation_cursor(cid), cid) for cid in ids.ids)
    return ConnectionPage(edges, ids.has_next, has_previous, lambda: (total(), 0))
