"""The root ``values`` and ``value`` fields: their arguments and resolvers."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.core.arguments import min_count, name_key, search_key
from valuegraph.api.core.connections import ConnectionPage
from valuegraph.api.core.context import context_of
from valuegraph.api.core.entries import entry_from_sides
from valuegraph.api.core.enums import ItemOrder, ResponseType, Role, enum_value
from valuegraph.api.core.pages import values_page
from valuegraph.api.loaders import then
from valuegraph.queries.catalog import Order, ValueFilter
from valuegraph.queries.catalog import Role as CatalogRole

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
