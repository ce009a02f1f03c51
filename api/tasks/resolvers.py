"""The root ``tasks`` and ``task`` fields: their arguments and resolvers."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.core.arguments import min_count, name_key, page_size, search_key
from valuegraph.api.core.connections import ConnectionPage, Edge, once
from valuegraph.api.core.context import context_of
from valuegraph.api.core.cursors import TASKS_CURSOR, decode_cursor, encode_cursor
from valuegraph.api.core.entries import visible_task
from valuegraph.api.core.enums import ItemOrder, enum_value
from valuegraph.api.loaders import then
from valuegraph.queries import catalog
from valuegraph.queries.catalog import Keyset, Order

TASKS_ARGUMENTS: dict[str, Any] = {
    "search": graphene.String(description="Part of the task's name (case-insensitive)."),
    "min_frequency": graphene.Int(required=True, default_value=0),
    "order_by": ItemOrder(required=True, default_value=Order.FREQUENCY.value),
    "first": graphene.Int(required=True, default_value=20),
    "after": graphene.String(),
}


def resolve_tasks(
    _root: Any,
    info: GraphQLResolveInfo,
    search: str | None = None,
    min_frequency: int | None = 0,
    order_by: Any = Order.FREQUENCY.value,
    first: int | None = 20,
    after: str | None = None,
) -> ConnectionPage:
    context = context_of(info)
    order = Order(enum_value(order_by))
    size = page_size("first", first, context)
    keyset = decode_cursor(after, TASKS_CURSOR, order)
    key_fragment = search_key(search)
    floor = min_count(min_frequency, "minFrequency")
    page = catalog.task_page(context.graph, key_fragment, floor, order, size, keyset, context.k)
    edges = tuple(
        Edge(encode_cursor(TASKS_CURSOR, order, Keyset(item.key, item.frequency)), item)
        for item in page.items
    )

    def totals() -> tuple[int, int]:
        counted = catalog.task_totals(context.graph, key_fragment, floor, context.k)
        return counted.total, counted.suppressed

    return ConnectionPage(edges, page.has_next, keyset is not None, once(totals))


def resolve_task(_root: Any, info: GraphQLResolveInfo, name: str) -> SyncFuture:
    context = context_of(info)
    loaded = context.loaders.task.load(name_key(name))
    return then(loaded, lambda task: visible_task(task, context.k))
