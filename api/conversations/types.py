"""Conversations: one conversation's extracted features, and pages of conversation ids.

A conversation is a record, not an aggregate: it is shown as extracted (never its text). The
values it mentions link to the aggregate ``Value`` only where that value reaches the privacy
threshold; otherwise ``value`` is null. Types of other domains are named by dotted path, so
this module imports none of them.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.core.connections import (
    ConnectionPage,
    Edge,
    PageInfo,
    resolve_page_info,
    resolve_total_count,
)
from valuegraph.api.core.context import context_of
from valuegraph.api.core.entries import entry_from_sides, visible_task
from valuegraph.api.core.enums import ResponseType
from valuegraph.api.loaders import then
from valuegraph.queries.catalog import ConversationInfo, ValueMention
from valuegraph.queries.catalog import Role as CatalogRole

VALUE = "valuegraph.api.values.types.Value"
TASK = "valuegraph.api.tasks.types.Task"


class Mention(graphene.ObjectType):
    """A value or task as one conversation mentions it."""

    key = graphene.String(required=True)
    name = graphene.String(required=True)
    explicit = graphene.Boolean(description="AI values: stated outright rather than shown.")


class ValueMentionType(Mention):
    class Meta:
        name = "ValueMention"

    value = graphene.Field(
        VALUE,
        description="The value across the corpus; null if it rests on fewer than k conversations.",
    )

    @staticmethod
    def resolve_value(mention: tuple[CatalogRole, ValueMention], info: GraphQLResolveInfo) -> Any:
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
        TASK,
        description="The task across the corpus; null if fewer than k conversations are about it.",
    )

    @staticmethod
    def resolve_task(mention: ValueMention, info: GraphQLResolveInfo) -> SyncFuture:
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
