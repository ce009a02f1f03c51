"""The root ``stats`` field."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from valuegraph.api.core.context import context_of
from valuegraph.queries import catalog
from valuegraph.queries.catalog import GraphStats


def resolve_stats(_root: Any, info: GraphQLResolveInfo) -> GraphStats:
    context = context_of(info)
    return catalog.graph_stats(context.graph, context.k)
