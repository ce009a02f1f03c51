"""Conversations: one conversation's extracted features, and pages of conversation ids.

A conversation is a record, not an aggregate: it is shown as extracted (never its text). The
values it mentions link to the aggregate ``Value`` only where that value reaches the privacy
threshold; otherwise ``value`` is null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.loaders import then
from valuegraph.api.types.common import (
    ConnectionPage,
    Edge,
    PageInfo,
    ResponseType,
    context_of,
    decode_cursor,
    encode_cursor,
    resolve_page_info,
    resolve_total_count,
)
from valuegraph.queries.catalog import ConversationInfo, IdPage, Keyset, ValueMention
from valuegraph.queries.catalog import Role as CatalogRole

CONVERSATIONS_CURSOR = "conversations"
BY_ID = "ID"


def decode_conversation_cursor(after: str | None) -> str | None:
    keyset = decode_cursor(after, CONVERSATIONS_CURSOR, BY_ID)
    return keyset.key if keyset else None


class Mention(graphene.ObjectType):
    """A value or task as one conversation mentions it."""

    key = graphene.String(required=True)
    name = graphene.String(required=True)
    explicit = graphene.Boolean(description="AI values: stated outright rather than shown.")


class ValueMentionType(Mention):
    class Meta:
        name = "ValueMention"

    value = graphene.Field(
        "valuegraph.api.types.values.Value",
        description="The value across the corpus; null if it rests on fewer than k conversations.",
    )

    @staticmethod
    def resolve_value(mention: tuple[CatalogRole, ValueMention], info: GraphQLResolveInfo) -> Any:
        from valuegraph.api.types.values import entry_from_sides

        role, value = mention
        context = context_of(info)
        sides = context.loaders.value_sides.load(value.key)
        return then(sides, lambda found: entry_from_sides(found, role, context.k))

    @staticmethod
    def resolve_key(mention: tuple[CatalogRole, ValueMention], _info: GraphQLResolveInfo) -> str:
        return mention[1].key

    @staticmethod
    def resolve_name(mention: tuple[CatalogRole, ValueMention], _info: GraphQLResolveInfo) -> str:
        return mention[1].name

    @staticmethod
    def resolve_explicit(
        mention: tuple[CatalogRole, ValueMention], _info: GraphQLResolveInfo
    ) -> bool | None:
        return mention[1].explicit


class TaskMention(Mention):
    task = graphene.Field(
        "valuegraph.api.types.tasks.Task",
        description="The task across the corpus; null if fewer than k conversations are about it.",
    )

    @staticmethod
    def resolve_task(mention: ValueMention, info: GraphQLResolveInfo) -> SyncFuture:
        from valuegraph.api.types.tasks import visible_task

        context = context_of(info)
        return then(context.loaders.task.load(mention.key), lambda t: visible_task(t, context.k))


class Conversation(graphene.ObjectType):
    """One conversation's extracted features: task, values on both sides, the AI's response."""

    id = graphene.ID(required=True)
    model = graphene.String()
    created_at = graphene.DateTime()
    response_type = graphene.Field(ResponseType)
    language = graphene.String()
    subjective = graphene.Boolean()
    task = graphene.Field(TaskMention)
    ai_values = graphene.List(graphene.NonNull(ValueMentionType), required=True)
    human_values = graphene.List(graphene.NonNull(ValueMentionType), required=True)

    @staticmethod
    def resolve_ai_values(
        conversation: ConversationInfo, _info: GraphQLResolveInfo
    ) -> list[tuple[CatalogRole, ValueMention]]:
        return [(CatalogRole.AI, value) for value in conversation.ai_values]

    @staticmethod
    def resolve_human_values(
        conversation: ConversationInfo, _info: GraphQLResolveInfo
    ) -> list[tuple[CatalogRole, ValueMention]]:
        return [(CatalogRole.HUMAN, value) for value in conversation.human_values]


class ConversationEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(Conversation, required=True)

    @staticmethod
    def resolve_node(edge: Edge, info: GraphQLResolveInfo) -> SyncFuture:
        return context_of(info).loaders.conversation.load(edge.node)


class ConversationConnection(graphene.ObjectType):
    """A page of conversations in id order; ``totalCount`` is the parent's frequency."""

    edges = graphene.List(graphene.NonNull(ConversationEdge), required=True)
    nodes = graphene.List(graphene.NonNull(Conversation), required=True)
    page_info = graphene.Field(PageInfo, required=True, resolver=resolve_page_info)
    total_count = graphene.Int(required=True, resolver=resolve_total_count)

    @staticmethod
    def resolve_nodes(page: ConnectionPage, info: GraphQLResolveInfo) -> list[SyncFuture]:
        loader = context_of(info).loaders.conversation
        return [loader.load(edge.node) for edge in page.edges]


def conversation_page(ids: IdPage, has_previous: bool, total: Callable[[], int]) -> ConnectionPage:
    """A page of conversation ids (nodes load in one batch when a client selects them)."""
    edges = tuple(
        Edge(encode_cursor(CONVERSATIONS_CURSOR, BY_ID, Keyset(key=cid)), cid) for cid in ids.ids
    )
    return ConnectionPage(edges, ids.has_next, has_previous, lambda: (total(), 0))


def resolve_conversation(_root: Any, info: GraphQLResolveInfo, id: str) -> SyncFuture:
    return context_of(info).loaders.conversation.load(id)
