"""The ``Value`` type (a value on one side) and its connection.

Types of other domains are named by dotted path, so this module imports none of them.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.analyses.links import (
    link_field,
    link_request,
    significant_links,
    value_mirroring,
)
from valuegraph.api.analyses.types import MirroredValue
from valuegraph.api.core.arguments import page_size
from valuegraph.api.core.connections import (
    PageInfo,
    resolve_page_info,
    resolve_suppressed,
    resolve_total_count,
)
from valuegraph.api.core.context import context_of
from valuegraph.api.core.cursors import decode_conversation_cursor
from valuegraph.api.core.entries import ValueEntry
from valuegraph.api.core.enums import Role
from valuegraph.api.core.pages import conversation_page
from valuegraph.api.loaders import PageKey, then
from valuegraph.queries.analyses import frequencies
from valuegraph.queries.catalog import LinkKind, ValueSides
from valuegraph.queries.catalog import Role as CatalogRole

CLUSTER = "valuegraph.api.taxonomy.types.Cluster"
CONVERSATION_CONNECTION = "valuegraph.api.conversations.types.ConversationConnection"


class Value(graphene.ObjectType):
    """A value as the AI or the human expressed it, with where it sits and what it goes with."""

    key = graphene.String(required=True, description="The canonical key (normalised name).")
    name = graphene.String(required=True)
    role = graphene.Field(Role, required=True, description="The side this entry counts.")
    roles = graphene.List(
        graphene.NonNull(Role),
        required=True,
        description="Every side on which this key reaches the privacy threshold.",
    )
    frequency = graphene.Int(
        required=True,
        description="Conversations that express it on this side (within the list's filters).",
    )
    share = graphene.Float(
        description="Its share of the conversations (within the list's filters), 0-1."
    )
    cluster = graphene.Field(CLUSTER, description="Its first-level cluster (AI values only).")
    ancestors = graphene.List(
        graphene.NonNull(CLUSTER),
        required=True,
        description="The clusters above it, nearest first, up to the top-level category.",
    )
    tasks = link_field(
        "AI values: the tasks it is significantly over-represented in, strongest first."
    )
    human_values = link_field(
        "AI values: the values users state in the conversations where it is over-represented."
    )
    ai_values = link_field("Human values: the AI values over-represented where users state it.")
    mirroring = graphene.Field(
        MirroredValue,
        description="Conversations where it is on both sides (null if fewer than k).",
    )
    conversations = graphene.Field(
        CONVERSATION_CONNECTION,
        first=graphene.Int(required=True, default_value=20),
        after=graphene.String(),
        required=True,
        description="The conversations that express it on this side, by id.",
    )

    @staticmethod
    def resolve_role(entry: ValueEntry, _info: GraphQLResolveInfo) -> str:
        return entry.role.value

    @staticmethod
    def resolve_roles(entry: ValueEntry, info: GraphQLResolveInfo) -> SyncFuture:
        context = context_of(info)

        def sides_reaching_k(sides: ValueSides | None) -> list[str]:
            if sides is None:
                return [entry.role.value]
            roles = []
            if sides.ai_name is not None and sides.ai_frequency >= context.k:
                roles.append(CatalogRole.AI.value)
            if sides.human_name is not None and sides.human_frequency >= context.k:
                roles.append(CatalogRole.HUMAN.value)
            return roles

        return then(context.loaders.value_sides.load(entry.key), sides_reaching_k)

    @staticmethod
    def resolve_share(entry: ValueEntry, info: GraphQLResolveInfo) -> float | None:
        context = context_of(info)
        result = context.analyses.run(
            context.graph,
            frequencies,
            role=entry.role.value.lower(),
            model=entry.model,
            response_type=entry.response_type,
        )
        row = next((r for r in result.rows if r.key == entry.key), None)
        return row.pct_convos / 100 if row is not None else None

    @staticmethod
    def resolve_tasks(entry: ValueEntry, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        return _links(entry, info, LinkKind.VALUE_TASK, CatalogRole.AI, arguments)

    @staticmethod
    def resolve_human_values(entry: ValueEntry, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        return _links(entry, info, LinkKind.AI_HUMAN, CatalogRole.AI, arguments)

    @staticmethod
    def resolve_ai_values(entry: ValueEntry, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        return _links(entry, info, LinkKind.AI_HUMAN, CatalogRole.HUMAN, arguments)

    @staticmethod
    def resolve_mirroring(entry: ValueEntry, info: GraphQLResolveInfo) -> Any:
        return value_mirroring(context_of(info), entry.key)

    @staticmethod
    def resolve_cluster(entry: ValueEntry, info: GraphQLResolveInfo) -> Any:
        if entry.role is not CatalogRole.AI:
            return None
        ancestors = context_of(info).loaders.value_ancestors.load(entry.key)
        return then(ancestors, lambda found: found[0] if found else None)

    @staticmethod
    def resolve_ancestors(entry: ValueEntry, info: GraphQLResolveInfo) -> Any:
        if entry.role is not CatalogRole.AI:
            return []
        return context_of(info).loaders.value_ancestors.load(entry.key)

    @staticmethod
    def resolve_conversations(
        entry: ValueEntry, info: GraphQLResolveInfo, first: int, after: str | None = None
    ) -> SyncFuture:
        context = context_of(info)
        size = page_size("first", first, context)
        page = PageKey(size, decode_conversation_cursor(after))
        loaded = context.loaders.value_conversations.load(((entry.role, page), entry.key))
        return then(
            loaded, lambda ids: conversation_page(ids, after is not None, lambda: entry.frequency)
        )


def _links(
    entry: ValueEntry,
    info: GraphQLResolveInfo,
    kind: LinkKind,
    side: CatalogRole,
    arguments: dict[str, Any],
) -> Any:
    """The value's significant associations of ``kind``; null on the side they do not exist."""
    if entry.role is not side:
        return None
    context = context_of(info)
    request = link_request(
        context,
        kind,
        side is CatalogRole.AI,
        entry.key,
        entry.name,
        arguments.get("top"),
        arguments.get("min_count"),
        arguments.get("alpha"),
        arguments.get("order_by", "RESIDUAL"),
    )
    return significant_links(context, request)


class ValueEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(Value, required=True)


class ValueConnection(graphene.ObjectType):
    """A page of values. ``totalCount`` is counted only when asked for, in one cheap query."""

    edges = graphene.List(graphene.NonNull(ValueEdge), required=True)
    nodes = graphene.List(graphene.NonNull(Value), required=True)
    page_info = graphene.Field(PageInfo, required=True, resolver=resolve_page_info)
    total_count = graphene.Int(
        required=True,
        resolver=resolve_total_count,
        description="Values that match the filters and reach the privacy threshold.",
    )
    suppressed = graphene.Int(
        required=True,
        resolver=resolve_suppressed,
        description="Values that match but rest on fewer than k conversations, so are hidden.",
    )
