"""The ``Task`` type (what a conversation was about) and its connection.

Types of other domains are named by dotted path, so this module imports none of them.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.analyses.links import link_field, link_request, significant_links
from valuegraph.api.core.arguments import page_size
from valuegraph.api.core.connections import (
    PageInfo,
    resolve_page_info,
    resolve_suppressed,
    resolve_total_count,
)
from valuegraph.api.core.context import context_of
from valuegraph.api.core.cursors import decode_conversation_cursor
from valuegraph.api.core.pages import conversation_page
from valuegraph.api.loaders import PageKey, then
from valuegraph.queries.catalog import CountedItem, LinkKind

CONVERSATION_CONNECTION = "valuegraph.api.conversations.types.ConversationConnection"


class Task(graphene.ObjectType):
    """What a conversation was about, with the values that go with it."""

    key = graphene.String(required=True)
    name = graphene.String(required=True)
    frequency = graphene.Int(required=True, description="Conversations about this task.")
    values = link_field("The AI values significantly over-represented in it, strongest first.")
    conversations = graphene.Field(
        CONVERSATION_CONNECTION,
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
