"""Tasks: the ``Task`` type, its connection, and the ``tasks`` and ``task`` root fields."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.loaders import PageKey, then
from valuegraph.api.types.analyses import link_field, link_request, significant_links
from valuegraph.api.types.common import (
    ConnectionPage,
    Edge,
    ItemOrder,
    PageInfo,
    context_of,
    decode_cursor,
    encode_cursor,
    enum_value,
    min_count,
    name_key,
    once,
    page_size,
    resolve_page_info,
    resolve_suppressed,
    resolve_total_count,
    search_key,
)
from valuegraph.api.types.conversations import conversation_page, decode_conversation_cursor
from valuegraph.queries import catalog
from valuegraph.queries.catalog import CountedItem, Keyset, LinkKind, Order

TASKS_CURSOR = "tasks"


def visible_task(task: CountedItem | None, k: int) -> CountedItem | None:
    """The task if at least k conversations are about it; otherwise it stays hidden."""
    return task if task is not None and task.frequency >= k else None


class Task(graphene.ObjectType):
    """What a conversation was about, with the values that go with it."""

    key = graphene.String(required=True)
    name = graphene.String(required=True)
    frequency = graphene.Int(required=True, description="Conversations about this task.")
    values = link_field("The AI values significantly over-represented in it, strongest first.")
    conversations = graphene.Field(
        "valuegraph.api.types.conversations.ConversationConnection",
        first=graphene.Int(required=True, default_value=20),
        after=graphene.String(),
        required=True,
    )

    @staticmethod
    def resolve_values(task: CountedItem, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        context = context_of(info)
        request = link_request(
            context,
            LinkKind.VALUE_TASK,
            False,
            task.key,
            task.name,
            arguments.get("top"),
            arguments.get("min_count"),
            arguments.get("alpha"),
            arguments.get("order_by", "RESIDUAL"),
        )
        return significant_links(context, request)

    @staticmethod
    def resolve_conversations(
        task: CountedItem, info: GraphQLResolveInfo, first: int, after: str | None = None
    ) -> SyncFuture:
        context = context_of(info)
        page = PageKey(page_size("first", first, context), decode_conversation_cursor(after))
        loaded = context.loaders.task_conversations.load((page, task.key))
        return then(
            loaded, lambda ids: conversation_page(ids, after is not None, lambda: task.frequency)
        )


class TaskEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(Task, required=True)


class TaskConnection(graphene.ObjectType):
    """A page of tasks. ``totalCount`` is counted only when asked for."""

    edges = graphene.List(graphene.NonNull(TaskEdge), required=True)
    nodes = graphene.List(graphene.NonNull(Task), required=True)
    page_info = graphene.Field(PageInfo, required=True, resolver=resolve_page_info)
    total_count = graphene.Int(required=True, resolver=resolve_total_count)
    suppressed = graphene.Int(
        required=True,
        resolver=resolve_suppressed,
        description="Tasks that match but rest on fewer than k conversations, so are hidden.",
    )


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
