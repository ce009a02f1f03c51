"""Values: the ``Value`` type, its connection, and the ``values`` and ``value`` root fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.loaders import PageKey, then
from valuegraph.api.types.analyses import (
    MirroredValue,
    link_field,
    link_request,
    significant_links,
    value_mirroring,
)
from valuegraph.api.types.common import (
    ConnectionPage,
    Edge,
    ItemOrder,
    PageInfo,
    RequestContext,
    ResponseType,
    Role,
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
from valuegraph.queries import catalog
from valuegraph.queries.analyses import frequencies
from valuegraph.queries.catalog import Keyset, LinkKind, Order, ValueFilter, ValueSides
from valuegraph.queries.catalog import Role as CatalogRole

VALUES_CURSOR = "values"


@dataclass(frozen=True)
class ValueEntry:
    """A value on one side (AI or human), with the conversations it was counted in."""

    key: str
    name: str
    role: CatalogRole
    frequency: int
    model: str | None = None  # the filters it was counted under, if any
    response_type: str | None = None


def entry_from_sides(
    sides: ValueSides | None, role: CatalogRole | None, k: int
) -> ValueEntry | None:
    """The entry for a key on ``role`` (or the AI side, else the human side), if it reaches k."""
    if sides is None:
        return None
    candidates = (
        (CatalogRole.AI, sides.ai_name, sides.ai_frequency),
        (CatalogRole.HUMAN, sides.human_name, sides.human_frequency),
    )
    for side, name, frequency in candidates:
        if (role is None or role is side) and name is not None and frequency >= k:
            return ValueEntry(sides.key, name, side, frequency)
    return None


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
    cluster = graphene.Field(
        lambda: _cluster_type(), description="Its first-level cluster (AI values only)."
    )
    ancestors = graphene.List(
        graphene.NonNull(lambda: _cluster_type()),
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
        lambda: _conversation_connection(),
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
        from valuegraph.api.types.conversations import conversation_page

        context = context_of(info)
        size = page_size("first", first, context)
        page = PageKey(size, after_id(after))
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


def after_id(after: str | None) -> str | None:
    """A conversation cursor's id (conversation lists are ordered by id alone)."""
    from valuegraph.api.types.conversations import decode_conversation_cursor

    return decode_conversation_cursor(after)


def _cluster_type() -> type[graphene.ObjectType]:
    from valuegraph.api.types.taxonomy import Cluster

    return Cluster


def _conversation_connection() -> type[graphene.ObjectType]:
    from valuegraph.api.types.conversations import ConversationConnection

    return ConversationConnection


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


# --- root fields --------------------------------------------------------------------------

VALUES_ARGUMENTS: dict[str, Any] = {
    "role": Role(required=True, default_value=CatalogRole.AI.value),
    "search": graphene.String(description="Part of the value's name (case-insensitive)."),
    "cluster": graphene.ID(description="Only values under this cluster (any level)."),
    "model": graphene.String(description="Count only this model's conversations."),
    "response_type": ResponseType(description="Count only conversations with this response."),
    "min_frequency": graphene.Int(
        required=True, default_value=0, description="Only values at least this often."
    ),
    "order_by": ItemOrder(required=True, default_value=Order.FREQUENCY.value),
    "first": graphene.Int(required=True, default_value=20),
    "after": graphene.String(),
}


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


def resolve_values(
    _root: Any,
    info: GraphQLResolveInfo,
    role: Any = CatalogRole.AI.value,
    search: str | None = None,
    cluster: str | None = None,
    model: str | None = None,
    response_type: Any = None,
    min_frequency: int | None = 0,
    order_by: Any = Order.FREQUENCY.value,
    first: int | None = 20,
    after: str | None = None,
) -> ConnectionPage:
    where = ValueFilter(
        role=CatalogRole(enum_value(role)),
        search=search_key(search),
        cluster=cluster,
        model=model,
        response_type=enum_value(response_type),
        min_frequency=min_count(min_frequency, "minFrequency"),
    )
    return values_page(context_of(info), where, Order(enum_value(order_by)), first, after)


def resolve_value(_root: Any, info: GraphQLResolveInfo, name: str, role: Any = None) -> SyncFuture:
    context = context_of(info)
    side = CatalogRole(enum_value(role)) if role is not None else None
    sides = context.loaders.value_sides.load(name_key(name))
    return then(sides, lambda found: entry_from_sides(found, side, context.k))
