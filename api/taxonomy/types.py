"""The ``Cluster`` type: a node of the taxonomy tree, with its share of the corpus.

Types of other domains are named by dotted path, so this module imports none of them.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.core.arguments import min_count, search_key
from valuegraph.api.core.connections import ConnectionPage
from valuegraph.api.core.context import context_of
from valuegraph.api.core.enums import ItemOrder, enum_value
from valuegraph.api.core.pages import values_page
from valuegraph.queries.analyses import frequencies
from valuegraph.queries.catalog import ClusterInfo, Order, ValueFilter
from valuegraph.queries.catalog import Role as CatalogRole
from valuegraph.queries.results import FrequencyRow

VALUE_CONNECTION = "valuegraph.api.values.types.ValueConnection"


class Cluster(graphene.ObjectType):
    """A cluster of AI values: level 1 groups values, level 3 is a top-level category."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    description = graphene.String()
    level = graphene.Int(required=True, description="1 (finest) to 3 (top-level category).")
    kind = graphene.String()
    parent = graphene.Field(lambda: Cluster)
    ancestors = graphene.List(
        graphene.NonNull(lambda: Cluster), required=True, description="Nearest first."
    )
    children = graphene.List(graphene.NonNull(lambda: Cluster), required=True)
    values = graphene.Field(
        VALUE_CONNECTION,
        search=graphene.String(),
        min_frequency=graphene.Int(required=True, default_value=0),
        order_by=ItemOrder(required=True, default_value=Order.FREQUENCY.value),
        first=graphene.Int(required=True, default_value=20),
        after=graphene.String(),
        required=True,
        description="The values under this cluster, at any depth.",
    )
    share = graphene.Float(
        description="Its share of all AI value expressions, 0-1 (null if under k)."
    )
    expressions = graphene.Int(description="AI value expressions under it (null if under k).")
    conversations = graphene.Int(
        description="Conversations expressing any value under it (null if fewer than k)."
    )
    conversation_share = graphene.Float(
        description="Their share of all conversations, 0-1 (null if under k)."
    )
    published_share = graphene.Float(
        description="The share the taxonomy file gives (pct_total_occurrences / 100)."
    )

    @staticmethod
    def resolve_parent(cluster: ClusterInfo, info: GraphQLResolveInfo) -> SyncFuture | None:
        if cluster.parent is None:
            return None
        return context_of(info).loaders.cluster.load(cluster.parent)

    @staticmethod
    def resolve_ancestors(cluster: ClusterInfo, info: GraphQLResolveInfo) -> SyncFuture:
        return context_of(info).loaders.cluster_ancestors.load(cluster.id)

    @staticmethod
    def resolve_children(cluster: ClusterInfo, info: GraphQLResolveInfo) -> SyncFuture:
        return context_of(info).loaders.cluster_children.load(cluster.id)

    @staticmethod
    def resolve_values(
        cluster: ClusterInfo,
        info: GraphQLResolveInfo,
        search: str | None = None,
        min_frequency: int | None = 0,
        order_by: Any = Order.FREQUENCY.value,
        first: int | None = 20,
        after: str | None = None,
    ) -> ConnectionPage:
        where = ValueFilter(
            role=CatalogRole.AI,
            search=search_key(search),
            cluster=cluster.id,
            min_frequency=min_count(min_frequency, "minFrequency"),
        )
        return values_page(context_of(info), where, Order(enum_value(order_by)), first, after)

    @staticmethod
    def resolve_share(cluster: ClusterInfo, info: GraphQLResolveInfo) -> float | None:
        row = cluster_frequency(cluster, info)
        return row.pct_expressions / 100 if row is not None else None

    @staticmethod
    def resolve_expressions(cluster: ClusterInfo, info: GraphQLResolveInfo) -> int | None:
        row = cluster_frequency(cluster, info)
        return row.expressions if row is not None else None

    @staticmethod
    def resolve_conversations(cluster: ClusterInfo, info: GraphQLResolveInfo) -> int | None:
        row = cluster_frequency(cluster, info)
        return row.conversations if row is not None else None

    @staticmethod
    def resolve_conversation_share(cluster: ClusterInfo, info: GraphQLResolveInfo) -> float | None:
        row = cluster_frequency(cluster, info)
        return row.pct_convos / 100 if row is not None else None

    @staticmethod
    def resolve_published_share(cluster: ClusterInfo, _info: GraphQLResolveInfo) -> float | None:
        return cluster.published_pct / 100 if cluster.published_pct is not None else None


def cluster_frequency(cluster: ClusterInfo, info: GraphQLResolveInfo) -> FrequencyRow | None:
    """The frequencies analysis' row for the cluster (all clusters of a level in one run)."""
    context = context_of(info)
    result = context.analyses.run(context.graph, frequencies, role="ai", level=cluster.level)
    return next((row for row in result.rows if row.key == cluster.id), None)
